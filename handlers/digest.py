"""Digests: what is new in the corpus, posted to a channel on a schedule or on request.

A digest lists the articles added since a channel last got one (each with a two-sentence
summary), the figures that are new or that changed against what earlier sources said,
and notable quotes, every line backed by a cited sentence. The schedule itself lives in
the store; a front end's scheduler asks :func:`due_slot` what to post and records the
post only after the platform accepted it, so a restart neither skips nor repeats one.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from corpus.measure import comparable, figure_weight, measure_label
from corpus.models import ArticleSummary, FigureHit, QuoteHit, SentenceHit, Subscription

from . import cite
from .answering import Term, TextIndex, analyse, coverage
from .context import Context
from .registry import Arg, command
from .summary import pick_sentences
from .types import Citation, Field, Privilege, Reply, Request, UserError

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SCHEDULE_HELP = "`daily HH:MM`, `weekly DAY HH:MM` (times in UTC) or `new` (whenever articles are added)"
#: Articles listed one by one; the rest are counted.
MAX_LISTED = 10
MAX_FIGURES = 8
MAX_QUOTES = 4

_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


# --------------------------------------------------------------------------- time slots


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=UTC)


def slot_key(slot: datetime) -> str:
    """The form a slot is stored in; minute precision so equal slots compare equal."""
    return _aware(slot).astimezone(UTC).strftime("%Y-%m-%dT%H:%M+00:00")


def marker_key(moment: datetime) -> str:
    """A moment in the store's ``added_at`` format, so string order is time order."""
    return _aware(moment).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def _parse(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _aware(datetime.fromisoformat(value))
    except ValueError:
        return None


def human_time(value: str | datetime | None) -> str:
    moment = value if isinstance(value, datetime) else _parse(value)
    if moment is None:
        return "the start"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def latest_slot(sub: Subscription, now: datetime) -> datetime | None:
    """The most recent scheduled time at or before ``now`` (None for ``new`` subscriptions)."""
    if sub.kind not in ("daily", "weekly") or not sub.at_time:
        return None
    now = _aware(now).astimezone(UTC)
    hour, minute = (int(x) for x in sub.at_time.split(":"))
    slot = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if sub.kind == "daily":
        return slot if slot <= now else slot - timedelta(days=1)
    slot -= timedelta(days=(now.weekday() - (sub.weekday or 0)) % 7)
    return slot if slot <= now else slot - timedelta(days=7)


def next_slot(sub: Subscription, now: datetime) -> datetime | None:
    latest = latest_slot(sub, now)
    if latest is None:
        return None
    return latest + (timedelta(days=1) if sub.kind == "daily" else timedelta(days=7))


def due_slot(sub: Subscription, now: datetime) -> datetime | None:
    """The latest scheduled slot at or before ``now`` that has not been posted yet.

    Only the latest one counts: a bot that was down for three days posts one digest on
    start (covering everything since the last one), not three.
    """
    slot = latest_slot(sub, now)
    if slot is None:
        return None
    done = _parse(sub.last_slot) or _parse(sub.created_at)
    if done is not None and slot <= done:
        return None
    return slot


def describe_schedule(sub: Subscription) -> str:
    if sub.kind == "daily":
        return f"daily at {sub.at_time} UTC"
    if sub.kind == "weekly":
        return f"weekly on {WEEKDAYS[sub.weekday or 0].capitalize()} at {sub.at_time} UTC"
    return "whenever articles are added"


@dataclass(slots=True, frozen=True)
class Schedule:
    kind: str
    weekday: int | None
    at_time: str | None
    topic: str


def _time(token: str | None, example: str) -> str:
    m = _TIME.match(token or "")
    if not m:
        got = f" (got {token[:20]!r})" if token else ""
        raise UserError(f"Give the time as HH:MM in UTC{got}, e.g. `subscribe {example}`.")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def parse_schedule(schedule: str, topic: str | None = None) -> Schedule:
    """Read ``daily 08:00``, ``weekly mon 08:00`` or ``new``, with an optional topic after it.

    The schedule and the topic are read as one line because front ends split words
    differently: a prefix command hands over ``daily`` and ``08:00 Bakhmut``, a slash
    command ``daily 08:00`` and ``Bakhmut``.
    """
    words = f"{schedule or ''} {topic or ''}".split()
    if not words:
        raise UserError(f"Say when to post: {SCHEDULE_HELP}.")
    kind, rest = words[0].lower(), words[1:]
    weekday: int | None = None
    at_time: str | None = None
    if kind == "new":
        pass
    elif kind == "daily":
        at_time = _time(rest[0] if rest else None, "daily 08:00")
        rest = rest[1:]
    elif kind == "weekly":
        day = rest[0].lower() if rest else ""
        matches = [i for i, name in enumerate(WEEKDAYS) if len(day) >= 2 and name.startswith(day)]
        if len(matches) != 1:
            got = f" (got {day[:20]!r})" if day else ""
            raise UserError(f"Name the day of the week{got}, e.g. `subscribe weekly monday 08:00`.")
        weekday = matches[0]
        at_time = _time(rest[1] if len(rest) > 1 else None, "weekly monday 08:00")
        rest = rest[2:]
    else:
        raise UserError(f"I don't know the schedule {kind[:20]!r}. Use {SCHEDULE_HELP}.")
    topic_text = " ".join(rest).strip()
    if len(topic_text) > 100:
        raise UserError("Keep the topic under 100 characters: a few words the articles must mention.")
    return Schedule(kind, weekday, at_time, topic_text)


def _channel_of(req: Request) -> str:
    if ":" not in req.channel:
        raise UserError("Digests are posted to a chat channel; run this in the channel that should get them.")
    return req.channel


# --------------------------------------------------------------------------- the digest


async def topic_terms(ctx: Context, topic: str) -> list[Term]:
    """The words an article must mention to be about a topic, read as a question is
    (:func:`handlers.answering.analyse`): any inflection or paraphrase, a name in any of its
    aliases, a country in any of its forms ("Germany" is met by "German" and "Berlin"), a
    typo corrected against the corpus."""
    return list((await analyse(ctx, topic)).terms)


def _matches_topic(terms: list[Term], article: ArticleSummary, sentences: list[SentenceHit]) -> bool:
    """Whether an article is about a topic: its title and text cover every term, by the same
    coverage ``ask`` and ``source`` rank sentences with."""
    haystack = " ".join([article.title, article.outlet or "", *(s.text for s in sentences)])
    return coverage(terms, TextIndex.of_document(haystack))[0] >= 0.999


def _same_measure(a: FigureHit, b: FigureHit) -> bool:
    return comparable(a.figure, b.figure)


def _same_value(a: FigureHit, b: FigureHit) -> bool:
    return (a.figure.low, a.figure.high, a.figure.qualifier) == (b.figure.low, b.figure.high, b.figure.qualifier)


def _when(hit: FigureHit) -> tuple[str, str]:
    return (hit.article.published or "", hit.article.added_at)


def _party(hit: FigureHit) -> str:
    return f" ({hit.figure.party})" if hit.figure.party else ""


def _figure_line(label: str, hit: FigureHit) -> str:
    who = hit.figure.claimant or "unattributed"
    return f"{label} **{hit.figure.surface}** — {who} [{hit.article.id}]"


def _changes(
    fresh: list[FigureHit], earlier: list[FigureHit]
) -> tuple[list[tuple[FigureHit, FigureHit]], list[FigureHit]]:
    """(earlier figure, new figure) pairs on one measure at another value, and new figures on
    a measure no earlier source gave."""
    by_kind: dict[tuple[str, str], list[FigureHit]] = defaultdict(list)
    for e in earlier:
        by_kind[(e.figure.kind, e.figure.unit or "")].append(e)
    changed: list[tuple[FigureHit, FigureHit]] = []
    first_seen: list[FigureHit] = []
    shown: list[FigureHit] = []
    for hit in fresh:
        if any(_same_measure(hit, s) and _same_value(hit, s) for s in shown):
            continue
        before = [e for e in by_kind.get((hit.figure.kind, hit.figure.unit or ""), ()) if _same_measure(hit, e)]
        if before:
            latest = max(before, key=_when)
            if _same_value(hit, latest):
                continue
            changed.append((latest, hit))
        else:
            first_seen.append(hit)
        shown.append(hit)
    return changed, first_seen


async def _figure_fields(ctx: Context, new_ids: list[int], since: str | None) -> tuple[list[Field], list[Citation]]:
    """New figures, and figures on a measure earlier sources put at another value."""
    store = ctx.corpus.store
    # Every figure that says what it counts or what happened is news, whatever the story.
    fresh = sorted(
        (h for h in await store.figures_for_articles(new_ids)
         if (h.figure.thing_head or h.figure.event) and h.figure.kind not in ("age", "duration")),
        key=lambda h: -figure_weight(h.figure),
    )
    if not fresh:
        return [], []
    new_set = set(new_ids)
    heads = sorted({h.figure.thing_head for h in fresh if h.figure.thing_head})
    earlier = [
        h
        for h in await store.figures_by_head(heads, limit=2000)
        if h.article.id not in new_set and (since is None or h.article.added_at <= since)
    ]
    # Setting hundreds of new figures against thousands of earlier ones is CPU work: off the
    # event loop, and only against figures of the same kind and unit (the first thing
    # the "same measure" test asks).
    changed, first_seen = await asyncio.to_thread(_changes, fresh, earlier)
    fields: list[Field] = []
    citations: list[Citation] = []
    for old, new in changed[:MAX_FIGURES]:
        fields.append(
            Field(
                f"Changed: {measure_label(new.figure, new.sentence)}{_party(new)}"[:250],
                _figure_line("was", old) + "\n" + _figure_line("now", new),
            )
        )
        citations += [cite.from_article(old.article, old.sentence), cite.from_article(new.article, new.sentence)]
    for hit in first_seen[: max(0, MAX_FIGURES - len(changed))]:
        fields.append(
            Field(
                f"New: {measure_label(hit.figure, hit.sentence)}{_party(hit)}"[:250],
                _figure_line("", hit).strip(),
            )
        )
        citations.append(cite.from_article(hit.article, hit.sentence))
    return fields, citations


def _quote_rank(hit: QuoteHit) -> tuple[int, int, int]:
    q = hit.quote
    return (0 if q.attribution == "explicit" else 1, -min(len(q.text.split()), 40), hit.article.id)


def _quote_field(quotes: list[QuoteHit]) -> tuple[list[Field], list[Citation]]:
    chosen = sorted((q for q in quotes if q.quote.speaker and len(q.quote.text.split()) >= 6), key=_quote_rank)[
        :MAX_QUOTES
    ]
    if not chosen:
        return [], []
    lines = []
    for hit in chosen:
        q = hit.quote
        text = q.text if len(q.text) <= 220 else q.text[:217].rstrip() + "…"
        role = f", {q.speaker_role}" if q.speaker_role else ""
        lines.append(f"“{text}” — {q.speaker}{role} [{hit.article.id}]")
    return [Field("Notable quotes", "\n".join(lines))], [cite.from_article(h.article, h.sentence) for h in chosen]


async def build_digest(ctx: Context, *, since: str | None, topic: str | None) -> Reply:
    """The digest of articles added after ``since`` (an ``added_at`` marker), cited.

    ``data["marker"]`` is the ``added_at`` of the newest article looked at, topic or not,
    so the next digest starts after it even when none of these matched the topic.
    """
    store = ctx.corpus.store
    added = await store.articles_added_since(since, limit=50)
    marker = added[-1].added_at if added else since
    topic = (topic or "").strip() or None
    topic_words = await topic_terms(ctx, topic) if topic else []
    about = f" about {topic!r}" if topic else ""
    texts: dict[int, list[SentenceHit]] = {}
    listed: list[ArticleSummary] = []
    for a in added:
        sentences = await store.sentences(a.id)
        if topic_words and not _matches_topic(topic_words, a, sentences):
            continue
        texts[a.id] = sentences
        listed.append(a)
    data = {"marker": marker, "since": since, "articles": [a.id for a in listed]}
    if not listed:
        return Reply("digest", False, f"No new articles{about} since {human_time(since)}.", title="Digest", data=data)

    new_ids = [a.id for a in listed]
    fields: list[Field] = []
    citations: list[Citation] = []
    for a in listed[:MAX_LISTED]:
        # the one summariser (summary's): an article reads the same in both
        chosen = pick_sentences(texts[a.id], await store.get_facts(a.id), a.title, 2) or [
            s for s in texts[a.id][:1] if s.text.strip() != a.title.strip()
        ]
        summary = " ".join(s.text.strip() for s in chosen) or "(no text)"
        if len(summary) > 900:
            summary = summary[:899].rstrip() + "…"
        fields.append(Field(cite.article_line(a)[:250], summary))
        citations += [cite.from_hit(s) for s in chosen]
    if len(listed) > MAX_LISTED:
        rest = listed[MAX_LISTED:]
        fields.append(Field(f"…and {len(rest)} more", ", ".join(f"[{a.id}] {a.title}" for a in rest)[:1000]))
    figure_fields, figure_citations = await _figure_fields(ctx, new_ids, since)
    quote_fields, quote_citations = _quote_field(await store.quotes_for_articles(new_ids))
    fields += figure_fields + quote_fields
    citations += figure_citations + quote_citations
    n = len(listed)
    text = f"{n} new article{'s' if n != 1 else ''}{about} since {human_time(since)}."
    if figure_fields:
        text += f" {len(figure_fields)} new or changed figure{'s' if len(figure_fields) != 1 else ''}."
    return Reply(
        "digest",
        True,
        text,
        title="Digest" + (f": {topic}" if topic else ""),
        fields=fields,
        citations=cite.dedupe(citations),
        data=data,
    )


# --------------------------------------------------------------------------- commands


@command(
    "subscribe",
    "Post a digest of new articles in this channel: daily, weekly or whenever articles are added.",
    args=(
        Arg("schedule", "daily HH:MM, weekly DAY HH:MM (UTC), or new"),
        Arg("topic", "only articles that mention these words", required=False),
    ),
    privilege=Privilege.MODERATOR,
    example="subscribe daily 08:00 Bakhmut",
)
async def subscribe_command(ctx: Context, req: Request) -> Reply:
    channel = _channel_of(req)
    plan = parse_schedule(req.args.get("schedule") or "", req.args.get("topic"))
    store = ctx.corpus.store
    sub = await store.add_subscription(
        channel=channel,
        kind=plan.kind,
        weekday=plan.weekday,
        at_time=plan.at_time,
        topic=plan.topic,
        created_by=f"{req.user.name} ({req.user.id})",
        marker=await store.latest_added_at(),
    )
    now = ctx.clock()
    baseline = latest_slot(sub, now)
    if baseline is not None:
        # Slots before the subscription existed are not owed: the first digest is the next one.
        await store.mark_posted(sub.id, slot=slot_key(baseline), marker=None)
    await store.record_change(
        f"{req.user.name} ({req.user.id})", "subscribe", None, f"#{sub.id} {channel} {describe_schedule(sub)}"
    )
    about = f" about {plan.topic!r}" if plan.topic else ""
    upcoming = next_slot(sub, now)
    when = f" Next digest: {human_time(upcoming)}." if upcoming else ""
    return Reply(
        "subscribe",
        True,
        f"Subscribed (#{sub.id}): a digest of new articles{about} {describe_schedule(sub)}.{when}",
        data={
            "subscription": sub.id,
            "kind": sub.kind,
            "weekday": sub.weekday,
            "at_time": sub.at_time,
            "topic": sub.topic,
            "next": slot_key(upcoming) if upcoming else None,
        },
    )


@command(
    "unsubscribe",
    "Stop a digest in this channel (all of them without an id).",
    args=(Arg("id", "the subscription number (see `subscriptions`)", kind="int", required=False),),
    privilege=Privilege.MODERATOR,
    example="unsubscribe 2",
)
async def unsubscribe_command(ctx: Context, req: Request) -> Reply:
    channel = _channel_of(req)
    sub_id = req.args.get("id")
    removed = await ctx.corpus.store.remove_subscriptions(channel, sub_id)
    if not removed:
        if sub_id is not None:
            raise UserError(f"There is no subscription #{sub_id} in this channel. See `subscriptions`.")
        raise UserError("This channel has no subscriptions.")
    what = f"subscription #{sub_id}" if sub_id is not None else f"{removed} subscription{'s' if removed != 1 else ''}"
    await ctx.corpus.store.record_change(f"{req.user.name} ({req.user.id})", "unsubscribe", None, f"{channel}: {what}")
    return Reply("unsubscribe", True, f"Removed {what}.", data={"removed": removed})


@command(
    "subscriptions",
    "List the digests this channel gets.",
    example="subscriptions",
)
async def subscriptions_command(ctx: Context, req: Request) -> Reply:
    subs = await ctx.corpus.store.subscriptions(req.channel)
    if not subs:
        return Reply(
            "subscriptions",
            False,
            "This channel has no subscriptions. Try `subscribe daily 08:00`.",
            title="Subscriptions",
        )
    rows = [
        [
            str(s.id),
            describe_schedule(s) + (f" — paused ({s.paused}); subscribe again to resume" if s.paused else ""),
            s.topic or "everything",
            human_time(s.last_slot) if s.last_slot else "never",
        ]
        for s in subs
    ]
    return Reply(
        "subscriptions",
        True,
        f"{len(subs)} subscription{'s' if len(subs) != 1 else ''} in this channel.",
        title="Subscriptions",
        columns=["id", "schedule", "topic", "last slot"],
        table=rows,
        data={"subscriptions": [{"id": s.id, "kind": s.kind, "topic": s.topic} for s in subs]},
    )


@command(
    "digest",
    "Show the digest this channel would get now (since its last one, or the last 24 hours).",
    args=(Arg("topic", "only articles that mention these words", required=False),),
    example="digest Bakhmut",
)
async def digest_command(ctx: Context, req: Request) -> Reply:
    topic = (req.args.get("topic") or "").strip()
    subs = await ctx.corpus.store.subscriptions(req.channel)
    own = [s for s in subs if s.topic == topic] or subs
    markers = [s.marker for s in own if s.marker]
    since = min(markers) if markers else marker_key(ctx.clock() - timedelta(days=1))
    reply = await build_digest(ctx, since=since, topic=topic or None)
    if reply.title:
        reply.title = reply.title.replace("Digest", "Digest preview", 1)
    return reply
