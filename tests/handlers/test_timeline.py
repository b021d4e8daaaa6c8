"""``timeline``: dated events in order, at the precision they are known, each cited."""

from __future__ import annotations

import handlers.timeline  # noqa: F401  (registers the command)
from handlers.registry import dispatch
from handlers.types import Request


async def _timeline(ctx, topic: str | None = None):
    args = {"topic": topic} if topic else {}
    return await dispatch(ctx, Request("timeline", args))


async def test_events_come_in_date_order_each_cited(full_ctx):
    reply = await _timeline(full_ctx)
    assert reply.answered, reply.text
    events = reply.data["events"]
    assert len(events) >= 5
    dates = [e["date"] for e in events]
    assert dates == sorted(dates)
    cited = {(c.article_id, c.sentence) for c in reply.citations}
    for e in events:
        assert (e["article_id"], e["sentence"]) in cited
        assert e["surface"] in e["sentence"]


async def test_topic_keeps_only_events_about_it_typos_and_all(full_ctx):
    reply = await _timeline(full_ctx, "Kishda")
    assert reply.answered, reply.text
    events = reply.data["events"]
    assert any(e["date"] == "2023-03-21" for e in events)
    for e in events:
        assert "Kishida" in e["sentence"]
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)


async def test_undated_articles_give_their_dates_as_written_with_no_guessed_year(seed_ctx):
    """Soledar's withdrawal "on January 25" is in an article with no date: it is an event,
    shown as written, and no year is invented for it."""
    reply = await _timeline(seed_ctx, "Soledar")
    assert reply.answered, reply.text
    rows = [row for row in reply.table if row[2] == "January 25"]
    assert rows and rows[0][0] == "25 January (no year given)" and rows[0][1] == "day-no-year"
    assert "on January 25 confirmed" in rows[0][3]
    assert "give no year" in reply.text


async def test_precision_is_shown(seed_ctx):
    reply = await _timeline(seed_ctx)
    assert reply.columns[:2] == ["when", "precision"]
    for row, e in zip(reply.table, reply.data["events"], strict=True):
        assert row[1] == e["precision"]
        if e["precision"] == "month":
            assert row[0] == e["date"][:7]
        if e["precision"] == "day":
            assert row[0] == e["date"]


async def test_alias_topic_matches_every_spelling(full_ctx):
    reply = await _timeline(full_ctx, "Zelenskiy")
    assert reply.answered, reply.text
    assert all("Zelensk" in e["sentence"] for e in reply.data["events"])


async def test_topic_without_dated_events_is_not_answered(seed_ctx):
    reply = await _timeline(seed_ctx, "quantum chromodynamics")
    assert not reply.answered
    assert reply.text.startswith("No indexed article")


async def test_an_election_timeline_resolves_weekdays_against_each_article(stories_ctx):
    """ "the party said on Friday" in an article of 5 July 2024 (a Friday) is that day."""
    reply = await _timeline(stories_ctx, "Labour")
    assert reply.answered, reply.text
    events = reply.data["events"]
    assert any(e["date"] == "2024-07-05" and e["surface"] == "Friday" for e in events), events
    assert [e["date"] for e in events] == sorted(e["date"] for e in events)
