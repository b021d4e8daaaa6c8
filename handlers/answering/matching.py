"""Matching a query to sentences: term coverage and the ranking of full-text candidates.

Full-text search finds candidates by the rarest words; whether a sentence answers is then
decided in Python by weighted coverage on language keys, so inflections, events
("deaths"/"died"), phrases and typos still match. A sentence's neighbours and title may
supply a term at part credit, since a sentence often leaves its subject to them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from corpus.language import event_key, norm
from corpus.models import SentenceHit

from ..context import Context
from .query import Query, Term
from .vocabulary import vocabulary
from .words import tokens, words_match


@dataclass(slots=True)
class TextIndex:
    """A sentence's word keys and lower-cased text, computed once for many term checks.

    ``stems`` are the :func:`norm` keys the search index has; ``events`` the
    :func:`event_key` keys, so "deaths" asked meets "died" written.
    """

    lower: str
    # The key sets are dicts of keys to None, not frozensets: a dict holding only strings is
    # left out of the garbage collector's walks, a frozenset never is. With the 8,192 cached
    # sentences held as frozensets, a full collection after 600 mixed requests at 20k
    # articles took 80 ms; as dicts, 47 ms.
    stems: dict[str, None]
    events: dict[str, None] = field(default_factory=dict)
    seq: tuple[str, ...] = ()  # the keys in order, for phrases
    unprefixed: dict[str, None] = field(default_factory=dict)  # "valued" of "undervalued", "elected" of "re-elected"

    @classmethod
    def of(cls, text: str) -> TextIndex:
        return _text_index(text)

    @classmethod
    def of_document(cls, text: str) -> TextIndex:
        """A whole article's index, not kept: the sentence cache is for texts that recur."""
        return _text_index.__wrapped__(text)

    def has(self, alt: str) -> bool:
        form, key = _alt_form(alt)
        if form == "phrase":
            return self._has_phrase(key)
        if form == "percent":
            return "%" in self.lower or "per cent" in self.lower or "percent" in self.lower
        if form == "literal":
            return key.search(self.lower) is not None
        s, event = key
        if s in self.stems or event in self.events:
            return True
        if len(s) >= 4 and s in self.unprefixed:
            return True
        return len(s) >= 5 and any(words_match(s, t) for t in self.stems if t[:3] == s[:3])

    def _has_phrase(self, keys: tuple[str, ...]) -> bool:
        """A phrase in any inflection, with at most one word inside it ("turned it down")."""
        n = len(keys)
        if not n or keys[0] not in self.stems:
            return False
        seq = self.seq
        for i, k in enumerate(seq):
            if k != keys[0]:
                continue
            if tuple(seq[i : i + n]) == keys:
                return True
            if n == 2 and i + 2 < len(seq) and seq[i + 2] == keys[1]:
                return True
        return False


#: Prefixes that leave a word's topic as it was ("undervalued" is about value).
_PREFIXES = frozenset({"under", "over", "re", "re-", "un", "out", "co", "co-", "pre", "mis", "non", "non-"})
_PREFIXES_BY_INITIAL: dict[str, tuple[str, ...]] = {}
for _p in sorted(_PREFIXES):
    _PREFIXES_BY_INITIAL[_p[0]] = (*_PREFIXES_BY_INITIAL.get(_p[0], ()), _p)


@lru_cache(maxsize=8192)
def _text_index(text: str) -> TextIndex:
    """Sentences recur across requests (the same figures answer many questions): index once."""
    low = text.lower().replace("’", "'")
    words = tokens(low)
    seq = tuple(norm(t) for t in words)
    stems = dict.fromkeys(seq)
    unprefixed = dict.fromkeys(
        # a hyphenated word is kept whole by norm ("re-elected"): its rest is normed here
        norm(t[len(p) :]) if p.endswith("-") else t[len(p) :]
        for t in stems
        if len(t) >= 6
        for p in _PREFIXES_BY_INITIAL.get(t[0], ())
        if t.startswith(p) and len(t) - len(p) >= 4
    )
    return TextIndex(low, stems, dict.fromkeys(event_key(t) for t in words), seq, unprefixed)


@lru_cache(maxsize=4096)
def _alt_form(alt: str) -> tuple[str, object]:
    """How one alternative of a term is looked for, worked out once per alternative rather
    than once per sentence it is checked against: a phrase (its keys in order), "%", a
    literal with dots or hyphens ("F-16", "U.S."), or a word (its stem and event keys)."""
    a = alt.lower().replace("’", "'")
    if " " in a and "." not in a and "-" not in a and a.replace(" ", "").replace("'", "").isalpha():
        return "phrase", tuple(norm(w) for w in tokens(a))
    if a == "%":
        return "percent", None
    if " " in a or "." in a or "-" in a:
        return "literal", re.compile(rf"(?<![\w-]){re.escape(a)}(?![\w-])")
    return "word", (norm(a), event_key(a))


#: Credit for a term found only around a sentence (the sentence before or after, the title):
#: "the company urged shareholders to reject the tender" is GenCorp's, but less surely so.
CONTEXT_CREDIT = 0.5


def coverage(
    terms: Sequence[Term], text: str | TextIndex, context: TextIndex | None = None
) -> tuple[float, list[Term], list[Term]]:
    """Weighted share of the terms a text contains, with the matched and missed terms.

    With ``context``, a term the text lacks but its context has counts as matched at
    :data:`CONTEXT_CREDIT` of its weight.
    """
    idx = text if isinstance(text, TextIndex) else TextIndex.of(text)
    total = got = 0.0
    hit: list[Term] = []
    miss: list[Term] = []
    for t in terms:
        w = t.weight * (0.3 if t.generic else 1.0)
        total += w
        if any(idx.has(a) for a in t.alts):
            got += w
            hit.append(t)
        elif context is not None and any(context.has(a) for a in t.alts):
            got += w * CONTEXT_CREDIT
            hit.append(t)
        else:
            miss.append(t)
    return (got / total if total else 0.0), hit, miss


async def sentence_contexts(ctx: Context, hits: Sequence[SentenceHit]) -> dict[int, TextIndex]:
    """For each sentence, its neighbours and its article's title, as one index."""
    around = await ctx.corpus.store.neighbour_texts(h.sentence_id for h in hits)
    return {h.sentence_id: TextIndex.of(" ".join([h.title or "", *around.get(h.sentence_id, ())])) for h in hits}


@dataclass(slots=True)
class RankedSentence:
    hit: SentenceHit
    coverage: float
    similarity: float
    matched: list[Term]
    missed: list[Term]

    @property
    def score(self) -> float:
        return 0.7 * self.coverage + 0.3 * self.similarity / 100


async def ranked_sentences(
    ctx: Context, query: Query, *, limit: int = 60, article_ids: Sequence[int] | None = None
) -> list[RankedSentence]:
    """bm25 candidates for the rarest query words, re-ranked by weighted coverage."""
    key = tuple(article_ids) if article_ids is not None else None
    cached = query.ranked.get(key)
    if cached is not None and cached[0] >= limit:
        return cached[1]
    vocab = await vocabulary(ctx)
    groups = query.fts_groups(vocab)
    if not groups:
        return []
    hits = await ctx.corpus.store.match_sentences([groups], limit=limit, article_ids=article_ids)
    probe = " ".join(t.label for t in query.terms).lower()
    out = []
    seen: set[tuple[int, str]] = set()
    for h in hits:
        key = (h.article_id, h.text)
        if key in seen:
            continue
        seen.add(key)
        cov, matched, missed = coverage(query.terms, h.text)
        sim = fuzz.token_set_ratio(probe, h.text.lower())
        out.append(RankedSentence(h, cov, sim, matched, missed))
    out.sort(key=lambda r: (-r.score, r.hit.score))
    query.ranked[key] = (limit, out)
    return out
