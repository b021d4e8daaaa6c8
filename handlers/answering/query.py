"""Reading a question or claim: typo correction, entity matching and weighted search terms.

A :class:`Query` is what every answering step works from: the text with its typos fixed,
the names it mentions, and one :class:`Term` per thing a matching sentence should contain,
weighted by rarity. Terms also carry the few spellings worth a full-text search, so that
an OR query over a name's every alias does not swamp a large corpus.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from corpus.language import is_word, longest_first, paraphrases, phrase_spans

from ..context import Context
from ..lookup import EntityMatch, name_index
from .numbers import numbers_of
from .vocabulary import Vocabulary, vocabulary
from .words import _AFFIX_WORDS, _country_fts, _is_stop, content_words, country_forms, tokens


@dataclass(slots=True)
class Term:
    """One thing a matching sentence should contain: any of ``alts`` (stems or phrases)."""

    label: str
    alts: tuple[str, ...]
    weight: float
    entity: bool = False
    generic: bool = False  # an entity so common (Ukraine, Russia) that every article implies it
    fts: tuple[str, ...] = ()  # the alternatives worth a full-text search (default: alts)


@dataclass(slots=True)
class Query:
    """A question or claim after typo correction and entity matching."""

    text: str
    corrected: str
    corrections: dict[str, str]
    entities: list[EntityMatch]
    terms: list[Term]
    numbers: list[float]
    ranked: dict = field(default_factory=dict)  # ranked_sentences results, by article filter

    def fts_groups(self, vocab: Vocabulary, *, max_terms: int = 6) -> list[str]:
        """The rarest words and names, for one OR-ed FTS query.

        Very common words are left to the re-ranking: an OR over "Ukraine" would make
        SQLite score a third of all sentences.
        """
        ranked = sorted(self.terms, key=lambda t: -t.weight)
        out: list[str] = []
        used = 0
        for t in ranked:
            if used >= max_terms:
                break
            common = (t.generic if t.entity else vocab.df(t.label) > 0.03)
            if common and used >= 2:
                continue
            if re.search(r"\d[.,]\d", t.label):
                continue  # "5.5" is two very common tokens to FTS; the re-ranking checks it
            used += 1
            alts = list(t.fts or t.alts)
            # A spelling far more common than the word asked ("U.S." for "America") would make
            # the search score a fifth of the corpus; the re-ranking still accepts it.
            out.extend(a for i, a in enumerate(alts) if a not in out and (i == 0 or " " in a or vocab.df(a) <= 0.03))
        return out[: max_terms * 3]


def _plausible_entity(e: EntityMatch, vocab: Vocabulary) -> bool:
    """Whether a name match is a name and not ordinary words that resemble one.

    "stock market" fuzzily resembles "Capital Markets" and "market" is a common word: a
    lower-case run of common words is only a name when it is written exactly as one.
    """
    words = tokens(e.matched)
    if any(w[:1].isupper() for w in words):
        return True
    if e.score >= 100 and not any(is_word(w) for w in words):
        return True  # "euronext", "gencorp": no English word, so a name typed in lower case
    common = all(vocab.df(w) > 0.002 for w in words)
    return not common or (e.score >= 100 and len(words) > 1)


def _fts_alts(e: EntityMatch, alts: tuple[str, ...]) -> tuple[str, ...]:
    """A few spellings for full-text search: the words asked, the canonical name, surnames
    and short forms; every alias of a big group would swamp the query."""
    keep = [e.matched, e.canonical]
    if e.label == "PERSON":
        keep += [n.split()[-1] for n in e.names if " " in n]
    keep += sorted((a for a in alts if " " not in a), key=lambda a: (len(a), a))[:4]
    return tuple(dict.fromkeys(k for k in keep if k))[:6]


def _entity_alts(m: EntityMatch) -> tuple[str, ...]:
    names = {n for n in m.names if len(n) >= 2}
    names.add(m.canonical)
    names.add(m.matched)  # the words asked: "American" in a group named "America"
    if m.label == "PERSON":
        names |= {n.split()[-1] for n in list(names) if " " in n}
    extra: set[str] = set()
    for n in names:
        extra.update(country_forms(n, metonyms=False))
    return tuple(sorted(names | extra, key=longest_first))


async def analyse(ctx: Context, text: str, *, skip: Iterable[str] = (), base: Query | None = None) -> Query:
    """Correct typos, find the entities, and weigh the words of a question or claim.

    ``base`` is the analysis of a whole question that ``text`` is part of ("Bakhmut" in
    "what did Prigozhin say about Bakhmut"): its corrections and names are reused instead of
    matching names again, the costliest step on a large corpus.
    """
    vocab = await vocabulary(ctx)
    skip_set = {s.lower() for s in skip}
    # "US"/"UK" in capitals are countries, not the pronoun every stop list drops.
    text = re.sub(r"\bUS\b", "U.S.", re.sub(r"\bUK\b", "U.K.", text))
    if base is not None:
        corrected = text
        for wrong, right in base.corrections.items():
            corrected = re.sub(rf"\b{re.escape(wrong)}\b", right, corrected)
        low = corrected.lower()
        entities = [e for e in base.entities if e.matched.lower() in low and e.matched.lower() not in skip_set]
        corrections = {w: r for w, r in base.corrections.items() if re.search(rf"\b{re.escape(w)}\b", text)}
        return _weigh(text, corrected, corrections, entities, vocab, skip_set)
    index = await name_index(ctx)
    raw = tokens(text)
    # Mistyped words: unknown to the sampled vocabulary and to the full-text index.
    unknown = [
        w for w in raw
        if len(w) >= 4 and w.isalpha() and not _is_stop(w.lower()) and not vocab.knows(w)
        and not is_word(w)  # "deceived" is English, not a typo of "received"
    ]
    exists = await ctx.corpus.store.existing_terms(unknown) if unknown else set()
    corrections: dict[str, str] = {}
    for i, w in enumerate(raw):
        if w not in unknown or w in exists or w in corrections:
            continue
        cands = vocab.candidates(w, names_only=w[:1].isupper() and i > 0)
        if cands:
            fixed = cands[0]
            corrections[w] = fixed.capitalize() if w[:1].isupper() else fixed
    corrected = text
    for wrong, right in corrections.items():
        corrected = re.sub(rf"\b{re.escape(wrong)}\b", right, corrected)
    entities = [
        e for e in index.match(corrected, limit=6)
        if e.matched.lower() not in skip_set and _plausible_entity(e, vocab)
    ]
    return _weigh(text, corrected, corrections, entities, vocab, skip_set)


def _weigh(
    text: str, corrected: str, corrections: dict[str, str], entities: list[EntityMatch], vocab: Vocabulary,
    skip_set: set[str],
) -> Query:
    terms: list[Term] = []
    covered: set[str] = set()
    for e in entities:
        alts = _entity_alts(e)
        df = max((vocab.df(a) for a in alts if " " not in a), default=0.0)
        generic = df > 0.08
        weight = vocab.idf(e.matched.split()[-1], unseen=vocab.median_idf + 1)
        terms.append(Term(e.matched, alts, max(weight, 1.0), entity=True, generic=generic, fts=_fts_alts(e, alts)))
        covered.update(w.lower() for w in tokens(e.matched))
    words = tokens(corrected)
    for start, end in phrase_spans(words):
        # "turned down", "step down": a phrase that means one thing is one term.
        phrase = " ".join(words[start:end])
        low = phrase.lower()
        if any(w.lower() in covered or w.lower() in skip_set for w in words[start:end]):
            continue
        covered.update(w.lower() for w in words[start:end])
        weight = max(vocab.idf(w, unseen=vocab.median_idf) for w in words[start:end] if not _is_stop(w.lower()))\
            if any(not _is_stop(w.lower()) for w in words[start:end]) else vocab.median_idf
        terms.append(Term(phrase, (low, *paraphrases(phrase)), weight))
    for w in content_words(corrected):
        low = w.lower()
        if low in covered or low in skip_set:
            continue
        covered.add(low)
        forms = country_forms(w)
        alts = (w,) + forms + paraphrases(w)
        if "-" in w:
            # "Munich-style" matches "Munich agreement-like": the parts count on their own.
            alts += tuple(
                p for p in w.split("-")
                if (p[:1].isupper() or len(p) >= 5) and p.lower() not in _AFFIX_WORDS and not _is_stop(p.lower())
            )
        fts = _country_fts(w, forms) if forms else ()
        terms.append(Term(w, tuple(dict.fromkeys(alts)), vocab.idf(w, unseen=vocab.median_idf), fts=fts))
    return Query(text, corrected, corrections, entities, terms, numbers_of(corrected))
