"""``ask`` when something happened: the dated events of the sentences that say it.

The sentences that best cover the question are looked up among the extracted dated events;
when none carries one, a date written in the sentence answers, and a statement ("when did X
say …") is dated by the report that carries it.
"""

from __future__ import annotations

import re

from corpus.extract.dates import date_label
from corpus.models import EventHit

from ..answering import (
    RankedSentence,
    analyse,
    closest_facts,
    quoted,
    ranked_sentences,
    sentence_citation,
    source_label_hit,
)
from ..cite import dedupe
from ..context import Context
from ..types import Reply
from .reply import _base_data, _correction_note, _plain, _unanswered
from .shape import Shape


async def answer_when(ctx: Context, question: str, shape: Shape) -> Reply:
    full_query = await analyse(ctx, question)
    query = await analyse(ctx, shape.rest, base=full_query) if shape.rest.strip() else full_query
    ranked = await ranked_sentences(ctx, query, limit=80)
    strong = [
        r for r in ranked
        if r.coverage >= 0.6 and not any(t.entity and not t.generic for t in r.missed)
    ]
    data = _base_data(question, "when", full_query)
    if strong:
        article_ids = sorted({r.hit.article_id for r in strong[:15]})
        events = await ctx.corpus.store.events(article_ids=article_ids, limit=2000)
        by_sentence: dict[tuple[int, int], list[EventHit]] = {}
        for e in events:
            by_sentence.setdefault((e.article.id, e.event.sentence_start), []).append(e)
        dated: list[tuple[RankedSentence, list[EventHit]]] = []
        for r in strong:
            evs = by_sentence.get((r.hit.article_id, r.hit.start))
            if evs:
                dated.append((r, evs))
        if dated:
            best_cov = dated[0][0].coverage
            top = [(r, evs) for r, evs in dated if r.coverage >= best_cov - 0.1][:5]
            dates: dict[str, list[tuple[RankedSentence, EventHit]]] = {}
            for r, evs in top:
                ev = sorted(evs, key=lambda e: ("day", "week", "month", "year").index(e.event.precision)
                            if e.event.precision in ("day", "week", "month", "year") else 9)[0]
                dates.setdefault(ev.event.date, []).append((r, ev))
            first_r, first_ev = next(iter(dates.values()))[0]
            lines = [
                f"{first_ev.event.surface} ({date_label(first_ev.event.date, first_ev.event.precision)})"
                f" — “{quoted(first_r.hit.text)}”"
                f" · {source_label_hit(first_r.hit)}"
            ]
            if len(dates) > 1:
                lines.append("Sources give other dates:")
                for d, items in list(dates.items())[1:]:
                    r, ev = items[0]
                    lines.append(
                        f"• {ev.event.surface} ({date_label(d, ev.event.precision)}) — “{quoted(r.hit.text)}”"
                        f" · {source_label_hit(r.hit)}"
                    )
            note = _correction_note(full_query)
            if note:
                lines.append(note)
            data["events"] = [
                {"date": d, "surface": items[0][1].event.surface, "precision": items[0][1].event.precision,
                 "article_id": items[0][0].hit.article_id, "sentence": items[0][0].hit.text}
                for d, items in dates.items()
            ]
            cites = [sentence_citation(r.hit) for r, _ in top]
            return Reply(
                "ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data
            )
        undated = [(r, m) for r in strong[:10] if r.coverage >= 0.75 and (m := _WRITTEN_DATE.search(r.hit.text))]
        if undated:
            r, m = undated[0]
            lines = [f"{m.group(0)} — “{quoted(r.hit.text)}” · {source_label_hit(r.hit)}"]
            if not r.hit.published:
                lines.append("(The article is undated, so the year is not known from it.)")
            for r2, m2 in undated[1:4]:
                if m2.group(0) != m.group(0):
                    lines.append(f"• {m2.group(0)} — “{quoted(r2.hit.text)}” · {source_label_hit(r2.hit)}")
            data["events"] = [{"date": None, "surface": m2.group(0), "precision": None,
                               "article_id": r2.hit.article_id, "sentence": r2.hit.text} for r2, m2 in undated[:4]]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=dedupe([sentence_citation(r2.hit) for r2, _ in undated[:4]]), data=data)
        reported = [
            r for r in strong[:5]
            if r.coverage >= 0.75 and r.hit.published and _SPEECH_QUESTION.search(question)
        ]
        if reported:
            r = reported[0]
            lines = [
                f"No date is given in the text; it was reported on {r.hit.published}: “{quoted(r.hit.text)}”"
                f" · {source_label_hit(r.hit)}"
            ]
            data["events"] = [{"date": r.hit.published, "surface": None, "precision": "reported",
                               "article_id": r.hit.article_id, "sentence": r.hit.text}]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=[sentence_citation(r.hit)], data=data)
    closest = await closest_facts(ctx, query)
    return _unanswered(question, "when", full_query, closest, what=_plain(question))


#: "When did X say ...": a statement is dated by the report that carries it.
_SPEECH_QUESTION = re.compile(r"\b(say|said|tell|told|announce|announced|warn|warned|call|called|write|wrote)\b", re.I)


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: A calendar date as written ("January 25", "25 January 2023", "in March 2022", "Feb. 24, 2022").
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)\s+\d{{1,2}}(?:,\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:in|since|by|until)\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:in|since)\s+(?:19|20)\d{{2}}\b"
)
