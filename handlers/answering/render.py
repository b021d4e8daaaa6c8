"""How found facts are shown: figure and sentence lines, citations and the nearest facts.

Answers quote their sources, never rewrite them: a figure is shown exactly as the article
writes it, every line names its source, and when nothing answers the reply offers the
best-covering sentences instead of a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from corpus.models import ArticleSummary, Figure, FigureHit, SentenceHit

from ..context import Context
from ..types import Citation
from .matching import ranked_sentences
from .query import Query


def value_text(f: Figure) -> str:
    """The value exactly as the article writes it: "between 40,000 and 60,000", "£1.3bn",
    "one million", "roughly 90km". Numbers in an answer are the source's, never digits we
    computed from its words; normalised values stay in the reply's data, for ordering,
    "same measure" tests and charts. A vague amount is quoted ("“dozens”") so it reads as
    the source's wording, not a figure."""
    surface = f.surface.strip()
    if f.qualifier == "vague_magnitude" or not any(ch.isdigit() for ch in surface):
        return f"“{surface}”"
    return surface


def figure_citation(h: FigureHit) -> Citation:
    a = h.article
    return Citation(a.id, a.title, a.outlet, a.published, a.url, h.sentence)


def source_label(a: ArticleSummary) -> str:
    bits = [b for b in (a.outlet, a.published) if b]
    return f"[{a.id}] " + (", ".join(bits) if bits else a.title)


def figure_line(h: FigureHit) -> str:
    """One evidence line: value, what it counts, who claims it, where and when."""
    f = h.figure
    what = f" {f.thing}" if f.thing else ""
    scope = f" ({f.time_scope})" if f.time_scope else ""
    who = f" — according to {f.claimant}" if f.claimant else ""
    return f"{value_text(f)}{what}{scope}{who} · {source_label(h.article)}"


def figure_record(h: FigureHit) -> dict:
    f = h.figure
    return {
        "surface": f.surface, "low": f.low, "high": f.high, "qualifier": f.qualifier, "unit": f.unit,
        "thing": f.thing, "kind": f.kind, "thing_head": f.thing_head, "event": f.event, "party": f.party,
        "claimant": f.claimant, "time_scope": f.time_scope,
        "article_id": h.article.id, "outlet": h.article.outlet, "published": h.article.published,
        "sentence": h.sentence,
    }


def sentence_citation(h: SentenceHit) -> Citation:
    return Citation(h.article_id, h.title, h.outlet, h.published, h.url, h.text)


@dataclass(slots=True)
class Closest:
    """What to offer instead when the corpus does not answer: facts near the question."""

    citations: list[Citation] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


async def closest_facts(
    ctx: Context, query: Query, *, figures: Sequence[FigureHit] = (), limit: int = 3
) -> Closest:
    """The best-covering sentences (and any near-miss figures) for a question we cannot answer."""
    out = Closest()
    for h in list(figures)[:limit]:
        out.lines.append(figure_line(h))
        out.citations.append(figure_citation(h))
    ranked = await ranked_sentences(ctx, query, limit=40)
    for r in [r for r in ranked if r.coverage >= 0.3][:limit]:
        out.citations.append(sentence_citation(r.hit))
        out.lines.append(f"{source_label_hit(r.hit)}: “{r.hit.text}”")
    return out


def source_label_hit(h: SentenceHit) -> str:
    bits = [b for b in (h.outlet, h.published) if b]
    return f"[{h.article_id}] " + (", ".join(bits) if bits else h.title)


def quoted(text: str, limit: int = 300) -> str:
    """A sentence shortened for a one-line lead; cut on a word boundary, marked with …"""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"
