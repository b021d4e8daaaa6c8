"""Work that piles up is refused at once, and heavy work cannot starve quick reads."""

from __future__ import annotations

import asyncio
import time

from corpus.service import Corpus
from handlers.admission import Admission
from handlers.context import Context
from handlers.registry import Registry, dispatch
from handlers.types import Privilege, Reply, Request


def _registry() -> Registry:
    registry = Registry()

    @registry.command("chart", "Heavy work.", heavy=True)
    async def chart(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(0.5)
        return Reply("chart", True, "charted")

    @registry.command("look", "A quick read.")
    async def look(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(0.01)
        return Reply("look", True, "seen")

    @registry.command("store", "A moderator's heavy write.", heavy=True, privilege=Privilege.MODERATOR)
    async def store(_ctx: Context, _req: Request) -> Reply:
        await asyncio.sleep(0.01)
        return Reply("store", True, "stored")

    return registry


async def test_heavy_work_queues_apart_and_what_would_wait_too_long_is_refused_at_once(tmp_path) -> None:
    registry = _registry()
    corpus = await Corpus.open(tmp_path / "a.db", seed=False)
    try:
        admission = Admission(quick=4, heavy=1, max_wait=1.0)
        admission.lanes["heavy"].average = 0.5
        ctx = Context(corpus, admission=admission)
        first = asyncio.create_task(dispatch(ctx, Request("chart"), registry))
        second = asyncio.create_task(dispatch(ctx, Request("chart"), registry))  # waits its turn (~0.5 s)
        await asyncio.sleep(0.05)
        # quick reads are not held up by the heavy lane
        started = time.monotonic()
        quick = await dispatch(ctx, Request("look"), registry)
        assert quick.text == "seen" and time.monotonic() - started < 0.3
        # two heavy requests ahead at ~0.5 s each: a third would wait about a second more than allowed
        admission.lanes["heavy"].average = 0.8
        started = time.monotonic()
        refused = await dispatch(ctx, Request("chart"), registry)
        assert refused.error and refused.text.startswith("Busy") and time.monotonic() - started < 0.05
        assert (await first).text == "charted" and (await second).text == "charted"
        assert admission.refused == 1
        # a moderator's add is not turned away because members are asking for charts
        write = await dispatch(ctx, Request("store", privilege=Privilege.MODERATOR), registry)
        assert write.text == "stored"
        # once the queue has drained, heavy work is accepted again
        assert (await dispatch(ctx, Request("chart"), registry)).text == "charted"
    finally:
        await corpus.close()
