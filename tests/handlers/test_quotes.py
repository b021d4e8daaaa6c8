"""``quotes PERSON``: what someone said, across spellings, newest first, always cited."""

from __future__ import annotations

import handlers.quotes  # noqa: F401  (registers the command)
from handlers.registry import dispatch
from handlers.types import Request


async def _quotes(ctx, person: str):
    return await dispatch(ctx, Request("quotes", {"person": person}))


def _texts(reply) -> str:
    return " ".join(q["text"] for q in reply.data.get("quotes", []))


async def test_misspelled_name_finds_prigozhin(seed_ctx):
    reply = await _quotes(seed_ctx, "Prigozin")
    assert reply.answered, reply.text
    assert "Prigozhin" in reply.data["entity"]
    assert "shield the approaches" in _texts(reply) or "a flight, not a regrouping" in _texts(reply)


async def test_quotes_under_both_spellings_of_the_first_name_are_found(seed_ctx):
    reply = await _quotes(seed_ctx, "Prigozhin")
    speakers = {q["speaker"] for q in reply.data["quotes"]}
    articles = {q["article_id"] for q in reply.data["quotes"]}
    assert len(articles) >= 2, speakers  # "Yevgeny" in one article, "Yevgeniy" in another


async def test_alias_spelling_zelenskiy(seed_ctx):
    reply = await _quotes(seed_ctx, "Zelenskiy")
    assert reply.answered, reply.text
    assert "speed and volume are key now" in _texts(reply)


async def test_typo_stoltengerg_reaches_stoltenberg(seed_ctx):
    reply = await _quotes(seed_ctx, "Stoltengerg")
    assert reply.answered, reply.text
    assert "defend itself, win & prevail" in _texts(reply)


async def test_quotes_are_newest_first_undated_last(full_ctx):
    for person in ("Lukashenko", "Sunak"):
        reply = await _quotes(full_ctx, person)
        assert reply.answered, reply.text
        dates = [q["published"] or "" for q in reply.data["quotes"]]
        assert dates == sorted(dates, reverse=True)
        assert len({d for d in dates if d}) >= 2


async def test_every_quote_is_cited_with_its_words_and_its_speakers_name(seed_ctx):
    reply = await _quotes(seed_ctx, "Prigozhin")
    assert reply.fields
    for field in reply.fields:
        quote = field.value.strip("“”").rstrip("…")
        aid = int(field.name.rsplit("[", 1)[1].rstrip("]"))
        mine = [c.sentence for c in reply.citations if c.article_id == aid]
        assert any(quote[:60] in s for s in mine), quote
        assert any("Prigozhin" in s for s in mine)


async def test_unknown_person_is_not_answered(seed_ctx):
    reply = await _quotes(seed_ctx, "Angela Merkel")
    assert not reply.answered
    assert reply.text.startswith("No quotes from")


async def test_known_name_without_quotes_says_so_and_cites_a_mention(seed_ctx):
    reply = await _quotes(seed_ctx, "Avdiivka")
    assert not reply.answered
    assert reply.text.startswith("No quotes from")
    assert reply.citations, "a known name without quotes still cites where it is mentioned"
    assert all("Avdiivka" in c.sentence or "Avdiyivka" in c.sentence for c in reply.citations)


async def test_a_chairmans_quote_is_found_with_its_attribution(stories_ctx):
    reply = await _quotes(stories_ctx, "Jane Ellis")
    assert reply.answered, reply.text
    assert "far too low" in _texts(reply)
    assert any("said Jane Ellis" in c.sentence for c in reply.citations)
