"""``timeline [TOPIC]``: dated events in date order, each with the sentence it dates.

Dates in news are mostly relative ("on Friday", "last week", "earlier this month"); the
date extractor resolves them against the article's publication date and records how
precise the result is. A timeline shows that precision instead of pretending every
event has a day, and cites the sentence so a reader can check the resolution.
"""

from __future__ import annotations

from corpus.boilerplate import looks_like_boilerplate
from corpus.extract.dates import YEARLESS, date_label
from corpus.models import EventHit, SentenceHit

from . import cite
from .context import Context
from .lookup import name_index
from .registry import Arg, command
from .types import Reply, Request

MAX_EVENTS = 25


def when(hit: EventHit) -> str:
    """The date at the precision it is known (:func:`corpus.extract.dates.date_label`)."""
    return date_label(hit.event.date, hit.event.precision)


async def _topic_sentences(ctx: Context, topic: str) -> tuple[list[SentenceHit], list[str]]:
    """Sentences about a topic: the people/places it names (every spelling) and its words."""
    store = ctx.corpus.store
    index = await name_index(ctx)
    matches = index.match(topic)
    hits: list[SentenceHit] = []
    names: list[str] = []
    for m in matches:
        names.extend(m.names)
    if names:
        hits.extend(await store.entity_mentions(names, limit=200))
    found = await store.search_sentences(topic, limit=200, any_term=False)
    if not found and not hits:
        found = await store.search_sentences(topic, limit=200, any_term=True)
    hits.extend(found)
    return hits, [m.canonical for m in matches]


@command(
    "timeline",
    "Dated events in order, optionally about a topic, each with the sentence it comes from.",
    args=(Arg("topic", "a person, place or subject (optional)", required=False),),
    example="timeline Bakhmut",
)
async def timeline_command(ctx: Context, req: Request) -> Reply:
    store = ctx.corpus.store
    topic = (req.args.get("topic") or "").strip()
    matched: list[str] = []
    if topic:
        sentences, matched = await _topic_sentences(ctx, topic)
        wanted = {(s.article_id, s.start) for s in sentences}
        article_ids = sorted({s.article_id for s in sentences})
        events = await store.events(article_ids=article_ids, limit=2000) if article_ids else []
        events = [e for e in events if (e.article.id, e.event.sentence_start) in wanted]
    else:
        events = list(reversed(await store.recent_events(limit=MAX_EVENTS * 3)))
    events = [e for e in events if not looks_like_boilerplate(e.sentence)]
    seen: set[tuple[str, int, str]] = set()
    unique: list[EventHit] = []
    for e in events:
        k = (e.event.date, e.article.id, e.sentence)
        if k in seen:
            continue
        seen.add(k)
        unique.append(e)
    # Dates with no year known go last, in the order the articles give them.
    unique.sort(key=lambda e: (e.event.precision in YEARLESS, e.event.date, e.article.published or "",
                               e.article.id, e.event.start))
    about = f" about {topic!r}" if topic else ""
    if not unique:
        text = f"No indexed article has a dated event{about}."
        if topic:
            text += " Try `summary " + topic + "` for what the articles say without dates."
        return Reply("timeline", False, text, title=f"timeline{': ' + topic if topic else ''}")
    total = len(unique)
    shown = unique[-MAX_EVENTS:]
    table = []
    for e in shown:
        a = e.article
        table.append([
            when(e),
            e.event.precision,
            e.event.surface,
            e.sentence if len(e.sentence) <= 220 else e.sentence[:219] + "…",
            f"{a.outlet or a.title}, {a.published or 'undated'}" + (" (inferred)" if a.published_inferred else "")
            + f" [{a.id}]",
        ])
    yearless = sum(e.event.precision in YEARLESS for e in unique)
    head = f"{total} dated event(s){about}, oldest first."
    if yearless:
        head += f" {yearless} in undated articles give no year and are listed last, as written."
    if total > len(shown):
        head += f" Showing the latest {len(shown)}."
    if matched:
        head += " Matched: " + ", ".join(matched) + "."
    head += (
        " Dates written relative to an article (“Friday”, “last week”) are resolved against its"
        " publication date."
    )
    return Reply(
        "timeline",
        True,
        head,
        title=f"timeline{': ' + topic if topic else ''}",
        columns=["when", "precision", "as written", "event", "source"],
        table=table,
        citations=cite.dedupe([cite.from_article(e.article, e.sentence) for e in shown]),
        data={
            "topic": topic or None,
            "events": [
                {"date": e.event.date, "precision": e.event.precision, "surface": e.event.surface,
                 "article_id": e.article.id, "sentence": e.sentence}
                for e in shown
            ],
        },
    )
