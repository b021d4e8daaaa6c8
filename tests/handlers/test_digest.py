"""Digests and subscriptions: request in, reply out, against a real temp SQLite store."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio

from corpus.extract import gazetteer
from corpus.extract.pipeline import ExtractionItem
from corpus.models import ArticleFacts, Figure, Quote, SentenceHit, Subscription
from corpus.service import Corpus
from handlers.context import Context
from handlers.digest import (
    build_digest,
    due_slot,
    latest_slot,
    parse_schedule,
)
from handlers.registry import dispatch
from handlers.summary import key_sentences, pick_sentences
from handlers.types import Privilege, Request, User, UserError

NOW = datetime(2024, 3, 6, 10, 0, tzinfo=UTC)  # a Wednesday

_FIGURES = (  # pattern, (thing_head, event), thing
    (re.compile(r"(\d+) Leopard tanks"), ("tank", "send"), "Leopard tanks"),
    (re.compile(r"(\d+) Abrams tanks"), ("tank", "send"), "Abrams tanks"),
    (re.compile(r"(\d+) tanks of its own"), ("tank", "send"), "tanks"),
    (re.compile(r"(\d+) soldiers were killed"), ("soldier", "kill"), "soldiers"),
)
_CLAIMANT = re.compile(r"according to ([^.,]+)")
_QUOTE = re.compile(r"“([^”]+),” said ([A-Z]\w+ [A-Z]\w+)")


class PatternExtractor:
    """Finds the few figures and quotes these test articles contain, at their real offsets."""

    async def extract(self, items: Sequence[ExtractionItem]) -> list[ArticleFacts]:
        out = []
        for item in items:
            facts = ArticleFacts()
            for pattern, (head, event), thing in _FIGURES:
                for m in pattern.finditer(item.text):
                    sentence_end = item.text.find(".", m.end())
                    claimant = _CLAIMANT.search(item.text[m.start() : sentence_end + 1])
                    value = float(m.group(1))
                    starts = [0] + [b.end() for b in re.finditer(r"[.!?]\s+|\n", item.text[: m.start()])]
                    first = item.text[starts[-1] :].split(" ", 1)[0]
                    party = (gazetteer.country_forms(first) or (None,))[0]  # "Germany has pledged …"
                    facts.figures.append(
                        Figure(
                            m.start(1),
                            m.end(1),
                            m.group(1),
                            value,
                            value,
                            "exact",
                            thing=thing,
                            thing_head=head,
                            event=event,
                            party=party,
                            claimant=claimant.group(1) if claimant else None,
                        )
                    )
            for m in _QUOTE.finditer(item.text):
                facts.quotes.append(
                    Quote(m.start(1), m.end(1), m.group(1), m.group(2), m.group(2), attribution="explicit")
                )
            out.append(facts)
        return out

    def close(self) -> None:
        return None


def doc(title: str, date: str, *paragraphs: str, outlet: str = "Wire") -> str:
    return f"title: {title}\noutlet: {outlet}\ndate: {date}\nurl: https://news.example/{date}\n\n" + "\n\n".join(
        paragraphs
    )


OLD = doc(
    "Berlin weighs tank pledge",
    "2023-01-20",
    "Germany has pledged 14 Leopard tanks to Ukraine, according to the Chancellery in Berlin.",
    "The decision followed weeks of pressure from allies in Warsaw and Washington.",
    "Poland has offered 10 tanks of its own, according to the government in Warsaw.",
)
NEWER = doc(
    "More tanks for Kyiv",
    "2023-01-27",
    "By Staff Writer",
    "Germany will now send 18 Leopard tanks to Ukraine, according to Defence Minister Boris Pistorius.",
    "It was a busy week for everyone involved in the talks.",
    "Washington will send 31 Abrams tanks as well, according to the Pentagon.",
    "Officials said 200 soldiers were killed near Bakhmut during the week, according to Ukrainian commanders.",
    "“We will not stop until the whole city is ours, whatever the cost,” said Yevgeny Prigozhin on Friday.",
    outlet="Ledger",
)
UNRELATED = doc(
    "Grain corridor talks",
    "2023-01-28",
    "Negotiators in Istanbul discussed extending the Black Sea grain corridor for another four months.",
    "Turkish officials said the talks would continue next week in Ankara with United Nations envoys.",
)


@pytest_asyncio.fixture
async def corpus(tmp_path: Path) -> AsyncIterator[Corpus]:
    corpus = await Corpus.open(tmp_path / "digest.db", extractor=PatternExtractor(), seed=False)  # type: ignore[arg-type]
    yield corpus
    await corpus.close()


@pytest.fixture
def ctx(corpus: Corpus) -> Context:
    return Context(corpus, clock=lambda: NOW)


def request(
    command: str, privilege: Privilege = Privilege.MODERATOR, channel: str = "discord:42", **args: object
) -> Request:
    return Request(command, dict(args), user=User("7", "mo"), privilege=privilege, channel=channel)


def subscription(
    kind: str = "daily",
    at_time: str | None = "09:00",
    weekday: int | None = None,
    last_slot: str | None = None,
    created_at: str = "2024-03-01T12:00:00.000000+00:00",
) -> Subscription:
    return Subscription(1, "discord:42", kind, weekday, at_time, "", "tests", created_at, last_slot, None)


# --------------------------------------------------------------------------- schedules


def test_schedule_reads_the_same_however_the_front_end_split_it():
    assert parse_schedule("daily 08:00", "Bakhmut tanks") == parse_schedule("daily", "08:00 Bakhmut tanks")
    plan = parse_schedule("daily", "8:05 Bakhmut tanks")
    assert (plan.kind, plan.at_time, plan.topic) == ("daily", "08:05", "Bakhmut tanks")
    weekly = parse_schedule("weekly fri 17:30")
    assert (weekly.kind, weekly.weekday, weekly.at_time, weekly.topic) == ("weekly", 4, "17:30", "")
    assert parse_schedule("NEW", "Wagner").topic == "Wagner"


@pytest.mark.parametrize(
    ("schedule", "message"),
    [
        ("daily 25:00", "HH:MM in UTC (got '25:00')"),
        ("daily", "HH:MM in UTC"),
        ("weekly 08:00", "Name the day of the week"),
        ("weekly t 08:00", "Name the day of the week (got 't')"),  # tuesday or thursday?
        ("hourly", "I don't know the schedule 'hourly'"),
        ("", "Say when to post"),
    ],
)
def test_bad_schedules_are_explained(schedule: str, message: str):
    with pytest.raises(UserError, match=re.escape(message)):
        parse_schedule(schedule)


def test_due_slot_is_the_latest_unposted_slot_only():
    fresh = subscription(last_slot="2024-03-05T09:00+00:00")
    assert due_slot(fresh, NOW) == datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
    assert due_slot(replace(fresh, last_slot="2024-03-06T09:00+00:00"), NOW) is None
    # Down since Saturday: one digest for today's slot, not one per missed day.
    assert due_slot(replace(fresh, last_slot="2024-03-02T09:00+00:00"), NOW) == datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
    # Never posted: only slots after the subscription was created count.
    assert due_slot(subscription(created_at="2024-03-06T09:30:00.000000+00:00"), NOW) is None
    assert due_slot(subscription(), NOW) == datetime(2024, 3, 6, 9, 0, tzinfo=UTC)
    weekly = subscription("weekly", "18:00", weekday=0, last_slot="2024-02-26T18:00+00:00")
    assert latest_slot(weekly, NOW) == datetime(2024, 3, 4, 18, 0, tzinfo=UTC)
    assert due_slot(weekly, NOW) == datetime(2024, 3, 4, 18, 0, tzinfo=UTC)
    assert due_slot(subscription("new", None), NOW) is None


# --------------------------------------------------------------------------- the digest


async def test_digest_lists_new_articles_changed_figures_and_quotes_all_cited(ctx: Context, corpus: Corpus):
    await corpus.ingest_text(OLD, added_by="tests")
    marker = await corpus.store.latest_added_at()
    await corpus.ingest_text(NEWER, added_by="tests")
    await corpus.ingest_text(UNRELATED, added_by="tests")

    reply = await build_digest(ctx, since=marker, topic=None)
    assert reply.answered
    assert reply.text.startswith("2 new articles since")
    names = [f.name for f in reply.fields]
    assert names[:2] == ["[2] More tanks for Kyiv — Ledger, 2023-01-27", "[3] Grain corridor talks — Wire, 2023-01-28"]
    summary = reply.fields[0].value
    assert summary.startswith("Germany will now send 18 Leopard tanks")
    assert "By Staff Writer" not in summary and "busy week" not in summary  # bylines and filler skipped
    assert summary.count(".") + summary.count("”") >= 2

    changed = next(f for f in reply.fields if f.name.startswith("Changed: Leopard tanks"))
    assert "was **14** — the Chancellery in Berlin [1]" in changed.value
    assert "now **18** — Defence Minister Boris Pistorius [2]" in changed.value
    assert [f.name for f in reply.fields if f.name.startswith("Changed")] == [changed.name]
    # Abrams tanks are not a new count of Leopards, nor of Poland's unnamed "tanks".
    abrams = next(f for f in reply.fields if f.name.startswith("New: Abrams tanks"))
    assert "**31** — the Pentagon [2]" in abrams.value
    fresh = next(f for f in reply.fields if f.name.startswith("New: soldiers — killed"))
    assert "**200** — Ukrainian commanders [2]" in fresh.value
    quotes = next(f for f in reply.fields if f.name == "Notable quotes")
    assert "— Yevgeny Prigozhin [2]" in quotes.value

    cited = {(c.article_id, c.sentence) for c in reply.citations}
    assert any(a == 1 and "14 Leopard tanks" in s for a, s in cited)  # the old value is sourced too
    assert any(a == 2 and "200 soldiers" in s for a, s in cited)
    assert any(a == 2 and "whole city is ours" in s for a, s in cited)
    assert reply.citations and all(c.url and c.url.startswith("https://news.example/") for c in reply.citations)
    assert reply.data["marker"] == await corpus.store.latest_added_at()


async def test_digest_with_a_topic_and_with_nothing_new(ctx: Context, corpus: Corpus):
    await corpus.ingest_text(OLD, added_by="tests")
    marker = await corpus.store.latest_added_at()
    await corpus.ingest_text(UNRELATED, added_by="tests")

    about_tanks = await build_digest(ctx, since=marker, topic="leopard")
    assert not about_tanks.answered and about_tanks.text.startswith("No new articles about 'leopard' since")
    # The article looked at still moves the marker on, so it is not reconsidered every minute.
    assert about_tanks.data["marker"] == await corpus.store.latest_added_at()
    grain = await build_digest(ctx, since=marker, topic="grain corridor")
    assert grain.answered and grain.title == "Digest: grain corridor" and len(grain.data["articles"]) == 1

    nothing = await build_digest(ctx, since=await corpus.store.latest_added_at(), topic=None)
    assert not nothing.answered and not nothing.error
    assert re.fullmatch(r"No new articles since \d{4}-\d\d-\d\d \d\d:\d\d UTC\.", nothing.text)


async def test_a_digest_topic_is_read_like_a_question(ctx: Context):
    """Inflections, a country's forms and a typo: the topic is analysed and matched by the
    coverage ask and source use."""
    from corpus.models import ArticleSummary
    from handlers.digest import _matches_topic, topic_terms

    article = ArticleSummary(1, "Berlin sends Leopard tank", None, None, None, False, None, "t", "2024-01-01", 4)
    assert _matches_topic(await topic_terms(ctx, "German tanks"), article, [])
    assert not _matches_topic(await topic_terms(ctx, "French tanks"), article, [])
    text = [_hit(0, "The Leopard tanks were delivered to Ukraine on Monday, officials said.")]
    other = ArticleSummary(2, "Deliveries", None, None, None, False, None, "t", "2024-01-01", 12)
    assert _matches_topic(await topic_terms(ctx, "leopard delivered"), other, text)
    assert not _matches_topic(await topic_terms(ctx, "leopard withdrawn"), other, text)


def _hit(i: int, text: str) -> SentenceHit:
    return SentenceHit(i, 1, i, 0, len(text), text, "T", None, None, None, 0.0)


def test_digest_and_summary_pick_an_articles_sentences_alike():
    """One summariser: the digest's sentences for an article are summary's key sentences."""
    sentences = [
        _hit(0, "Photo: Reuters"),
        _hit(1, "It has been a difficult and confusing time for everyone in the region lately."),
        _hit(2, "Ukraine said 4,000 troops held the eastern approaches to Bakhmut on Tuesday."),
        _hit(3, "Analysts in London and Washington expect Russian forces to regroup near Soledar."),
        _hit(4, "More will follow."),
    ]
    chosen = pick_sentences(sentences, None, "T", 2)
    assert 0 not in [s.index for s in chosen] and 4 not in [s.index for s in chosen]  # furniture never
    assert [s.index for s in chosen] == sorted(s.index for s in chosen)  # in article order


async def test_the_digest_shows_the_summary_sentences_of_each_article(stories_corpus):
    ctx = Context(stories_corpus)
    reply = await build_digest(ctx, since=None, topic=None)
    store = stories_corpus.store
    for a in await store.articles_added_since(None, limit=10):
        key = await key_sentences(ctx, a.id, n=2)
        field = next(f for f in reply.fields if f.name.startswith(f"[{a.id}]"))
        assert key and all(s.text.strip() in field.value for s in key), (field.value, [s.text for s in key])


# --------------------------------------------------------------------------- commands


async def test_subscribe_needs_a_moderator_and_a_channel(ctx: Context):
    refused = await dispatch(ctx, request("subscribe", Privilege.MEMBER, schedule="daily 08:00"))
    assert refused.error and "moderator" in refused.text
    console = await dispatch(ctx, request("subscribe", channel="console", schedule="daily 08:00"))
    assert console.error and "chat channel" in console.text
    bad = await dispatch(ctx, request("subscribe", schedule="daily", topic="at noon"))
    assert bad.error and "HH:MM" in bad.text


async def test_subscribe_list_and_unsubscribe(ctx: Context, corpus: Corpus):
    await corpus.ingest_text(OLD, added_by="tests")
    reply = await dispatch(ctx, request("subscribe", schedule="daily", topic="09:00 Bakhmut"))
    assert reply.answered, reply.text
    assert "daily at 09:00 UTC" in reply.text and "'Bakhmut'" in reply.text
    assert "Next digest: 2024-03-07 09:00 UTC" in reply.text  # today's 09:00 was before it existed
    sub = await corpus.store.get_subscription(reply.data["subscription"])
    assert sub.last_slot == "2024-03-06T09:00+00:00" and sub.marker == await corpus.store.latest_added_at()
    assert due_slot(sub, NOW) is None

    await dispatch(ctx, request("subscribe", schedule="new"))
    listing = await dispatch(ctx, request("subscriptions", Privilege.MEMBER))
    assert [row[1:3] for row in listing.table] == [
        ["daily at 09:00 UTC", "Bakhmut"],
        ["whenever articles are added", "everything"],
    ]
    elsewhere = await dispatch(ctx, request("subscriptions", channel="discord:43"))
    assert not elsewhere.answered and "no subscriptions" in elsewhere.text

    missing = await dispatch(ctx, request("unsubscribe", id=99))
    assert missing.error and "no subscription #99" in missing.text
    assert (await dispatch(ctx, request("unsubscribe", id=sub.id))).text == f"Removed subscription #{sub.id}."
    assert (await dispatch(ctx, request("unsubscribe"))).text == "Removed 1 subscription."
    assert await corpus.store.subscriptions("discord:42") == []
    actions = [c.action for c in await corpus.store.changes()]
    assert actions[:4] == ["unsubscribe", "unsubscribe", "subscribe", "subscribe"]


async def test_digest_command_previews_since_the_channel_marker(ctx: Context, corpus: Corpus):
    await corpus.ingest_text(OLD, added_by="tests")
    await dispatch(ctx, request("subscribe", schedule="new"))
    await corpus.ingest_text(NEWER, added_by="tests")
    preview = await dispatch(ctx, request("digest", Privilege.MEMBER))
    assert preview.answered and preview.title == "Digest preview"
    assert preview.data["articles"] == [2]  # only what came after the subscription's marker


async def test_a_changed_seat_count_is_news_in_an_election_digest(stories_corpus):
    """An election digest shows the seat figures and the count that changed between sources."""
    ctx = Context(stories_corpus)
    first = min(await stories_corpus.store.articles_added_since(None, limit=10), key=lambda a: a.id)
    reply = await build_digest(ctx, since=first.added_at, topic=None)
    names = [f.name for f in reply.fields]
    changed = next((f for f in reply.fields if f.name.startswith("Changed: seats")), None)
    assert changed is not None, [f.name for f in reply.fields]
    assert "(Labour)" in changed.name
    assert "was **411**" in changed.value and "now **412**" in changed.value
    assert any(n.startswith("New: seats") and "Liberal Democrats" in n for n in names), names
