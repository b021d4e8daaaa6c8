"""Derived indexes: rebuilt once per corpus change, and never at a request's expense when slow."""

from __future__ import annotations

import asyncio
import logging
import time
from types import SimpleNamespace

import pytest

from handlers import context as context_module
from handlers.context import per_generation


def _ctx() -> SimpleNamespace:
    corpus = SimpleNamespace(generation=1, derived={}, refreshing={}, rebuilding=asyncio.Lock(), rebuild_after=0.0)
    return SimpleNamespace(corpus=corpus)


async def test_a_slow_index_answers_from_the_previous_generation_while_the_next_is_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(context_module, "INLINE_BUILD", 0.05)
    ctx = _ctx()
    builds: list[int] = []

    async def build() -> str:
        builds.append(ctx.corpus.generation)
        await asyncio.sleep(0.3)  # a 20k-article vocabulary takes seconds
        return f"index of generation {ctx.corpus.generation}"

    assert await per_generation(ctx, "k", build) == "index of generation 1"  # the first one is waited for
    ctx.corpus.generation = 2  # an article was added
    started = time.perf_counter()
    assert await per_generation(ctx, "k", build) == "index of generation 1"
    assert await per_generation(ctx, "k", build) == "index of generation 1"
    assert time.perf_counter() - started < 0.1, "no request waits for the rebuild"
    await ctx.corpus.refreshing["k"]
    assert await per_generation(ctx, "k", build) == "index of generation 2"
    assert builds == [1, 2], "one background rebuild, however many requests came meanwhile"


async def test_a_quick_index_is_rebuilt_at_once_so_answers_never_lag() -> None:
    ctx = _ctx()
    calls = 0

    async def build() -> int:
        nonlocal calls
        calls += 1
        return ctx.corpus.generation

    assert await per_generation(ctx, "k", build) == 1
    assert await per_generation(ctx, "k", build) == 1 and calls == 1
    ctx.corpus.generation = 2
    assert await per_generation(ctx, "k", build) == 2 and calls == 2


async def test_a_failed_rebuild_keeps_the_previous_index(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(context_module, "INLINE_BUILD", 0.0)
    ctx = _ctx()
    fail = False

    async def build() -> str:
        await asyncio.sleep(0.01)
        if fail:
            raise RuntimeError("disk went away")
        return "good"

    assert await per_generation(ctx, "k", build) == "good"
    fail = True
    ctx.corpus.generation = 2
    caplog.set_level(logging.ERROR)
    assert await per_generation(ctx, "k", build) == "good"
    await ctx.corpus.refreshing["k"]
    assert await per_generation(ctx, "k", build) == "good"
    assert "rebuilding k failed" in caplog.text


async def test_background_rebuilds_take_turns_and_are_paced_together(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rebuilds of all indexes together take at most one part in REFRESH_SPACING of the time,
    so a corpus that changes all day never has them crowd out the members' requests."""
    monkeypatch.setattr(context_module, "INLINE_BUILD", 0.01)
    monkeypatch.setattr(context_module, "REFRESH_SPACING", 4.0)
    ctx = _ctx()
    running = peak = 0
    spans: list[tuple[float, float]] = []

    async def build() -> int:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        started = time.monotonic()
        await asyncio.sleep(0.05)
        spans.append((started, time.monotonic()))
        running -= 1
        return ctx.corpus.generation

    for key in ("names", "words", "titles"):
        await per_generation(ctx, key, build)
    ctx.corpus.generation = 2
    for key in ("names", "words", "titles"):
        assert await per_generation(ctx, key, build) == 1  # the previous generation answers
    await asyncio.gather(*ctx.corpus.refreshing.values())
    assert peak == 1 and [await per_generation(ctx, k, build) for k in ("names", "words", "titles")] == [2, 2, 2]
    background = spans[3:]
    gaps = [b[0] - a[1] for a, b in zip(background, background[1:])]
    assert len(gaps) == 2 and all(g >= 3 * 0.05 - 0.01 for g in gaps), gaps  # (4 - 1) x the last build


async def test_the_first_ask_after_an_add_is_as_fast_as_the_second(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A vocabulary that takes a second to count (a 20k-article corpus) is not recounted
    by the first person to ask after an add: the previous one answers meanwhile."""
    from corpus.extract.pipeline import Extractor
    from corpus.service import SHIPPED_ARTICLES, Corpus
    import importlib

    vocabulary_module = importlib.import_module("handlers.answering.vocabulary")
    from handlers.context import Context
    from handlers.registry import dispatch
    from handlers.types import Request

    corpus = await Corpus.open(tmp_path / "add.db", extractor=Extractor(workers=0), seed=False)
    try:
        await corpus.ingest_path(SHIPPED_ARTICLES, added_by="tests")
        real = vocabulary_module.Vocabulary.build.__func__

        def slow_build(cls, *args):
            time.sleep(0.8)
            return real(cls, *args)

        monkeypatch.setattr(vocabulary_module.Vocabulary, "build", classmethod(slow_build))
        ctx = Context(corpus)
        question = Request("ask", {"question": "How many tanks is Germany sending?"})
        await dispatch(ctx, question)  # the first build is waited for: nothing to serve yet
        added = await corpus.ingest_text(
            "title: Harbour reopens\n\nThe harbour reopened on Monday after 12 days of repairs, officials said."
            " Ferries carried 3,400 passengers on the first day, the port authority reported.",
            added_by="tests",
        )
        assert added.status == "added"
        timings = []
        for _ in range(2):
            started = time.perf_counter()
            reply = await dispatch(ctx, Request("ask", {"question": "How many tanks is Germany sending?"}))
            timings.append(time.perf_counter() - started)
            assert reply.answered
        assert timings[0] < 0.5 and timings[0] < timings[1] + 0.3, timings
        await asyncio.gather(*corpus.refreshing.values())  # the next generation was built meanwhile
        assert corpus.derived["vocabulary"][0] == corpus.generation
    finally:
        await corpus.close()
