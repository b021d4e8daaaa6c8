"""``source`` against the real seed corpus (and the evaluation articles where present)."""

from __future__ import annotations

import handlers.source  # noqa: F401  (registers the command)
from handlers.registry import dispatch
from handlers.types import Reply, Request


async def source(ctx, claim: str) -> Reply:
    return await dispatch(ctx, Request("source", {"claim": claim}))


def cited(reply: Reply, fragment: str) -> bool:
    return any(fragment.lower() in c.sentence.lower() for c in reply.citations)


async def test_paraphrased_claim_finds_the_sentence_and_its_speaker(seed_ctx) -> None:
    reply = await source(seed_ctx, "rifles got so hot they had to be swapped out")
    assert reply.answered
    assert reply.data["sources"][0]["sentence"].startswith("– The rifles got so hot")
    assert any("Andriy" in s for s in reply.data["sources"][0]["speakers"])
    assert cited(reply, "The rifles got so hot from the constant shooting")


async def test_claim_with_a_number_needs_that_number_and_that_thing(seed_ctx) -> None:
    reply = await source(seed_ctx, "Germany will send 14 Leopard tanks")
    assert reply.answered
    sentences = [s["sentence"] for s in reply.data["sources"]]
    assert any("14 Leopard 2 tanks" in s for s in sentences)
    # Sunak's 14 Challenger 2 tanks share the number but not the thing.
    assert not any("Challenger" in s for s in sentences)
    assert any("Olaf Scholz" in c for s in reply.data["sources"] for c in s["claimants"])


async def test_wrong_number_is_not_found_and_the_stated_one_is_shown(seed_ctx) -> None:
    reply = await source(seed_ctx, "Germany will send 20 Leopard tanks")
    assert not reply.answered
    assert reply.text.startswith("No indexed article states that Germany will send 20 Leopard tanks")
    assert "Other sources differ" in reply.text and "14 Leopard 2 tanks" in reply.text


async def test_sources_that_disagree_are_listed(seed_ctx) -> None:
    reply = await source(seed_ctx, "Russia mobilized 300,000 soldiers")
    assert reply.answered
    assert cited(reply, "Putin officially mobilized 300,000 new soldiers")
    assert "Other sources differ" in reply.text
    differing = reply.data["differing_figures"]
    assert any(f["low"] == 500000 and f["claimant"] == "Ukrainian intelligence" for f in differing)


async def test_unrelated_claim_is_not_matched_to_a_stray_shared_word(seed_ctx) -> None:
    for claim in ("The moon is made of cheese", "Japan will send fighter jets to Kyiv"):
        reply = await source(seed_ctx, claim)
        assert not reply.answered, claim
        assert reply.text.startswith("No indexed article states that"), claim
        assert not reply.data["sources"]


async def test_outlet_and_date_are_given_for_each_source(full_ctx) -> None:
    reply = await source(full_ctx, "Ukrainian forces are killing nearly 1,000 Russian troops each day")
    assert reply.answered
    assert {s["outlet"] for s in reply.data["sources"]} == {"Fox News"}
    assert all(s["published"] == "2023-02-16" for s in reply.data["sources"])
    assert "U.K. officials" in reply.text
    # The same sources also give 824 a day: a different figure for the same thing.
    assert any(f["low"] == 824 for f in reply.data["differing_figures"])
