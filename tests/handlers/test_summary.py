"""``summary``: extractive, cited, in article order, and never page furniture."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import handlers.summary  # noqa: F401  (registers the command)
from corpus.boilerplate import looks_like_boilerplate
from handlers.registry import dispatch
from handlers.summary import key_sentences
from handlers.types import Request

DEV_GOLD = Path(__file__).resolve().parents[3] / "shared" / "eval" / "dev"

NOISE = (
    "Connect with us",
    "Hi, what are you looking for",
    "Sign up now",
    "Subscribe now",
    "Photo:",
    "Read more at",
    "Image Credit",
    "Written By",
    "Advertisement",
    "Scroll to Top",
    "Live Briefing",
    "WATCH:",
    "With reporting by",
    "ttn-69",
    "CC BY-SA",
    "By Kyle Anzalone",
    "REUTERS/Oleksandr Klymenko",
    "Breaking News Editor",
    "CLICK HERE",
    "contributed to",
)


def _dropped_noise() -> list[str]:
    """The dev gold's hand-marked noise spans (those to drop), when the shared data is present."""
    path = DEV_GOLD / "noise_lines.json"
    if not path.exists():
        return []
    out = []
    for entry in json.loads(path.read_text(encoding="utf-8")).values():
        for item in entry["items"]:
            if item["action"].startswith("drop") and "hard" not in item["action"]:
                out.append(" ".join(item["text"].split()))
    return out


def _assert_clean(sentences: list[str]) -> None:
    noise = list(NOISE) + _dropped_noise()
    for s in sentences:
        flat = " ".join(s.split())
        for n in noise:
            assert n not in flat and flat not in n, f"noise {n!r} in cited sentence {s!r}"


async def _summary(ctx, target=None):
    args = {"target": target} if target is not None else {}
    return await dispatch(ctx, Request("summary", args))


async def _article_ids(ctx) -> dict[str, int]:
    return {title: aid for aid, title in await ctx.corpus.store.all_titles()}


async def test_article_summary_is_key_sentences_in_article_order(seed_ctx):
    for aid, _title in await seed_ctx.corpus.store.all_titles():
        reply = await _summary(seed_ctx, str(aid))
        assert reply.answered, reply.text
        sentences = reply.data["sentences"]
        assert 3 <= len(sentences) <= 5
        indices = [s["index"] for s in sentences]
        assert indices == sorted(indices)
        stored = {s.text for s in await seed_ctx.corpus.store.sentences(aid)}
        for s in sentences:
            assert s["text"] in stored  # quoted whole, never rewritten
            assert any(c.sentence == s["text"] and c.article_id == aid for c in reply.citations)


async def test_no_summary_cites_boilerplate(seed_ctx):
    cited: list[str] = []
    for aid, _title in await seed_ctx.corpus.store.all_titles():
        cited += [c.sentence for c in (await _summary(seed_ctx, str(aid))).citations]
    cited += [c.sentence for c in (await _summary(seed_ctx)).citations]
    cited += [c.sentence for c in (await _summary(seed_ctx, "Bakhmut")).citations]
    assert cited
    _assert_clean(cited)


async def test_article_found_by_fuzzy_title(seed_ctx):
    titles = await _article_ids(seed_ctx)
    title, aid = next((t, a) for t, a in titles.items() if "Slaughtered" in t or "Bakhmut Retreat" in t)
    typo = title.lower().replace("a", "e", 1).rstrip(".")
    reply = await _summary(seed_ctx, typo)
    assert reply.data["mode"] == "article"
    assert reply.data["article_id"] == aid


async def test_article_summary_has_key_figures_and_quotes(seed_ctx):
    titles = await _article_ids(seed_ctx)
    aid = next(a for t, a in titles.items() if "Outnumbered" in t or "Kyiv Says" in t)
    reply = await _summary(seed_ctx, str(aid))
    names = [f.name for f in reply.fields]
    assert "Key figures" in names and "Key quotes" in names
    figures = reply.data["figures"]
    cited = [c.sentence for c in reply.citations]
    for f in figures:
        assert f["surface"] in f["sentence"] and f["sentence"] in cited


async def test_topic_summary_cites_each_sentence_at_most_two_per_article(seed_ctx):
    reply = await _summary(seed_ctx, "Bakhmut")
    assert reply.answered and reply.data["mode"] == "topic"
    per_article: dict[int, int] = {}
    for s in reply.data["sentences"]:
        per_article[s["article_id"]] = per_article.get(s["article_id"], 0) + 1
        assert any(c.sentence == s["text"] for c in reply.citations)
    assert len(per_article) >= 2
    assert max(per_article.values()) <= 2


async def test_topic_with_alias_spelling_finds_every_spelling(seed_ctx):
    reply = await _summary(seed_ctx, "Zelenskiy")
    assert reply.answered
    text = " ".join(s["text"] for s in reply.data["sentences"])
    assert "Zelensk" in text


async def test_latest_briefing_is_newest_five_two_sentences_each(seed_ctx):
    reply = await _summary(seed_ctx)
    assert reply.answered and reply.data["mode"] == "latest"
    newest = [a.id for a in await seed_ctx.corpus.store.latest_articles(5)]
    got = [a["article_id"] for a in reply.data["articles"]]
    assert got == [a for a in newest if a in got]
    assert len(got) >= 4
    assert all(1 <= len(a["sentences"]) <= 2 for a in reply.data["articles"])


async def test_unknown_topic_is_not_answered(seed_ctx):
    reply = await _summary(seed_ctx, "quantum chromodynamics")
    assert not reply.answered
    assert reply.text.startswith("No indexed article")


async def test_unknown_article_id_is_a_user_error(seed_ctx):
    reply = await _summary(seed_ctx, "9999")
    assert reply.error and "no article 9999" in reply.text


async def test_key_sentences_export(seed_ctx):
    aid = (await seed_ctx.corpus.store.all_titles())[0][0]
    hits = await key_sentences(seed_ctx, aid, 2)
    assert 1 <= len(hits) <= 2
    assert [h.index for h in hits] == sorted(h.index for h in hits)


@pytest.mark.parametrize(
    "line",
    [
        "Connect with us",
        "Get the Daily Beast's biggest scoops and scandals delivered right to your inbox. Sign up now.",
        "Read more at The Daily Beast.",
        "TOS-1 Ukraine Image Credit: Creative Commons.",
        "Jack Buckby is 19FortyFive’s Breaking News Editor.",
        "CLICK HERE TO GET THE FOX NEWS APP",
        "Putin recruits from the bottom of Russian society to minimize risk. Photo: POOL / Reuters",
        "What Wagner Is Saying",
    ],
)
def test_boilerplate_lines_are_recognised(line):
    assert looks_like_boilerplate(line)


def test_reporting_is_not_boilerplate():
    assert not looks_like_boilerplate(
        "President Joe Biden said the United States will send 31 of its highly advanced Abrams tanks "
        "in a move he said was not an offensive threat to Russia."
    )


async def test_an_election_summary_keeps_its_seat_figures(stories_ctx):
    """Seats, votes and bids are figures like any other: nothing is dropped for not being a war's."""
    titles = await _article_ids(stories_ctx)
    reply = await _summary(stories_ctx, str(titles["Labour wins a landslide"]))
    assert "Key figures" in [f.name for f in reply.fields]
    lows = {f["low"] for f in reply.data["figures"]}
    assert {411, 121, 251} <= lows
    key = next(f.value for f in reply.fields if f.name == "Key figures")
    assert "Labour" in key and "seats" in key


async def test_a_topic_summary_leads_with_what_the_articles_lead_with(stories_ctx):
    reply = await _summary(stories_ctx, "Harlow Foods Baxter approach")
    assert reply.answered, reply.text
    first = reply.data["sentences"][0]["text"]
    assert first.startswith("Harlow Foods turned down an approach from Baxter Group"), reply.text


def test_an_article_is_found_by_a_long_piece_of_its_title_among_many():
    from handlers.summary import TitleIndex

    titles = [(i, f"Market report number {i} on grain and steel") for i in range(3000)]
    titles.append((9001, "Putin's military and mercenaries are getting slaughtered in Bakhmut, officials say"))
    index = TitleIndex(titles)
    assert index.find("putin's military and mercenaries are getting slaughtered") == 9001
    assert index.find("military and mercenaries are getting slaughtred") == 9001  # a typo in one word
    assert index.find("military and mercenaries") is None  # three words are not enough to name it
    assert index.find("the price of wheat in the spring") is None
