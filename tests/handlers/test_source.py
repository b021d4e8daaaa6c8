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


# --------------------------------------------------------------------------- stories other than a war
# ``stories_ctx`` (tests/conftest.py): an election, a takeover bid in pounds, a results day.


async def test_a_partys_claim_is_never_contradicted_by_another_partys_figure(stories_ctx) -> None:
    reply = await source(stories_ctx, "Labour won 411 seats")
    assert reply.answered, reply.text
    assert cited(reply, "Labour won 411 seats in the general election")
    differ = " ".join(reply.data["differ"])
    assert "412" in differ  # the final results: Labour's seats, another value
    assert "Conservatives" not in differ and "Liberal Democrats" not in differ
    assert all(f["party"] == "Labour" for f in reply.data.get("differing_figures", []))
    assert "121" not in reply.text and "72 seats" not in reply.text


async def test_another_partys_claim_finds_its_own_sentence_and_nothing_else(stories_ctx) -> None:
    reply = await source(stories_ctx, "The Conservatives won 121 seats")
    assert reply.answered, reply.text
    assert cited(reply, "The Conservatives won 121 seats")
    assert not reply.data["differ"], reply.text  # Labour's 411 and the 251 lost are other measures


async def test_a_reworded_claim_is_found(stories_ctx) -> None:
    for claim, sentence in (
        ("Tesco is axing 3,000 jobs", "Tesco said it would cut 3,000 jobs"),
        ("Labour secured 411 seats", "Labour won 411 seats"),
        ("Deutsche Boerse bid £1.3bn for the London Stock Exchange",
         "Deutsche Boerse offered £1.3bn for the London Stock Exchange"),
    ):
        reply = await source(stories_ctx, claim)
        assert reply.answered, (claim, reply.text)
        assert cited(reply, sentence), (claim, reply.text)


async def test_a_raised_bid_differs_but_a_rival_bid_does_not(stories_ctx) -> None:
    reply = await source(stories_ctx, "Deutsche Boerse offered £1.3bn for the London Stock Exchange")
    assert reply.answered, reply.text
    differ = " ".join(reply.data["differ"])
    assert "£1.35bn" in differ
    assert "Euronext" not in differ and "1.4bn" not in differ


async def test_a_figure_that_says_nothing_of_what_it_counts_has_no_differing_sources(stories_ctx) -> None:
    from corpus.models import Figure, FigureHit
    from handlers.source import _differing_figures

    article = (await stories_ctx.corpus.store.list_articles())[0]
    bare = Figure(0, 2, "12", 12.0, 12.0, "exact")  # no thing, no counted noun
    hit = FigureHit(0, bare, article, "It was 12.")
    assert await _differing_figures(stories_ctx, [hit], set()) == []


async def test_a_claim_in_other_words_is_found_through_paraphrases_and_context(stories_ctx) -> None:
    reply = await source(stories_ctx, "Harlow Foods rebuffed Baxter's approach")
    assert reply.answered, reply.text
    assert cited(reply, "turned down an approach from Baxter Group")
    # "The company" is Harlow Foods: the title and the sentence before say so.
    reply = await source(stories_ctx, "Harlow Foods advised investors to ignore the approach")
    assert reply.answered, reply.text
    assert cited(reply, "The company urged shareholders to ignore the approach")


async def test_a_claim_that_says_the_opposite_is_not_stated(stories_ctx) -> None:
    # Every name and noun is in the sentence; the verb or the negation is not.
    for claim in ("Harlow Foods accepted Baxter's approach", "Baxter Group will raise its offer",
                  "Harlow Foods did not turn down the approach"):
        reply = await source(stories_ctx, claim)
        assert not reply.answered, (claim, reply.text)


async def test_the_counted_phrase_ends_at_its_verb_and_a_name_may_come_from_the_title(stories_ctx) -> None:
    # "1.2 million Z5 handsets": the title and the sentence name Zentra; "expects" is not counted
    reply = await source(stories_ctx, "Zentra expected to sell 1.2 million Z5 handsets")
    assert reply.answered, reply.text
    assert cited(reply, "Zentra expects to sell 1.2 million Z5 handsets")
