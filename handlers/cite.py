"""Building citations: the one way a reply points at its source sentence."""

from __future__ import annotations

from corpus.models import ArticleSummary, SentenceHit

from .types import Citation


def from_hit(hit: SentenceHit) -> Citation:
    return Citation(hit.article_id, hit.title, hit.outlet, hit.published, hit.url, hit.text)


def from_article(article: ArticleSummary, sentence: str) -> Citation:
    return Citation(article.id, article.title, article.outlet, article.published, article.url, sentence)


def dedupe(citations: list[Citation]) -> list[Citation]:
    """Drop repeated (article, sentence) pairs, keeping first-seen order."""
    seen: set[tuple[int, str]] = set()
    out = []
    for c in citations:
        key = (c.article_id, c.sentence)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def article_line(a: ArticleSummary) -> str:
    """``[3] Title — Outlet, 2023-05-12`` with an inferred date marked as such."""
    date = a.published or "undated"
    if a.published and a.published_inferred:
        date += " (inferred)"
    outlet = a.outlet or "unknown outlet"
    return f"[{a.id}] {a.title} — {outlet}, {date}"
