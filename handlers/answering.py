"""Shared machinery of ``ask`` and ``source``: reading a question, matching it to facts.

Both commands must answer only from what an indexed sentence says, so everything here is
about *finding* and *ranking* stored facts — never composing new ones. Questions arrive
with typos and name variants, so query words are corrected against the corpus's own
vocabulary before full-text search; search terms are chosen by rarity so that an OR query
stays cheap on a large corpus; and candidates are re-ranked in Python with a weighted
word coverage that tolerates inflection ("withdraw"/"withdrawn", "Germany"/"German").
"""

from __future__ import annotations

import math
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from corpus.extract import gazetteer
from corpus.extract.numbers import NumberMention, numbers_in
from corpus.language import (
    STOP_WORDS,
    event_class,
    event_key,
    event_words,
    is_word,
    lexicon,
    norm,
    noun_groups,
    paraphrases,
    phrase_spans,
    thing_events,
)
from corpus.language import tokens as language_tokens
from corpus.measure import SameName, comparable, events_of, party_key, same_party
from corpus.measure import countries_in as measure_countries_in
from corpus.models import ArticleSummary, Figure, FigureHit, SentenceHit

from .context import Context
from .lookup import EntityMatch, NameIndex, name_index
from .types import Citation

# --------------------------------------------------------------------------- words

_POSSESSIVE = re.compile(r"[’']s$")

#: Words that shape a question or a claim without being evidence that a sentence answers
#: it, beyond the stop words every part of briefbot drops (:data:`STOP_WORDS`).
QUESTION_NOISE = frozenset(
    """far long big large old approximately exactly roughly number numbers total figure figures
    know tell told said says according happen happened happens yes""".split()
)


def tokens(text: str) -> list[str]:
    """Words of a text as the language layer splits them, without possessives ("Russia's" → "Russia")."""
    return list(_tokens(text))


@lru_cache(maxsize=16384)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(_POSSESSIVE.sub("", t) for t in language_tokens(text))


def _is_stop(low: str) -> bool:
    """A stop word, contractions included ("don't", "they'd" are one token here)."""
    if low in STOP_WORDS:
        return True
    head, apostrophe, tail = low.replace("’", "'").partition("'")
    return bool(apostrophe) and (tail == "t" or (head in STOP_WORDS and "'" + tail in STOP_WORDS))


#: Second halves of hyphenated words that carry no topic of their own ("Munich-style").
_AFFIX_WORDS = frozenset("style like based related backed owned made linked led type wide long old year".split())


def content_words(text: str) -> list[str]:
    """The words that carry meaning, in order, without stop and question words."""
    out = []
    for t in tokens(text):
        low = t.lower()
        if _is_stop(low) or low in QUESTION_NOISE or len(low) < 2:
            continue
        out.append(t)
    return out


def words_match(a: str, b: str) -> bool:
    """Whether two stems are the same word give or take inflection or a typo."""
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5 and a[:3] == b[:3]:
        return fuzz.ratio(a, b) >= 85
    return False


def country_forms(word: str, *, metonyms: bool = True) -> tuple[str, ...]:
    """Every way a sentence may name the country ``word`` names (name, variants, demonyms,
    capital): a question says "Germany", a sentence "German". Empty for other words.

    ``metonyms=False`` leaves out a capital or seat of government asked about by name:
    "the population of Kyiv" is about the city, not Ukraine.
    """
    forms = gazetteer.country_forms(word)
    if not forms:
        return ()
    if not metonyms and gazetteer.demonym(word) is None:
        place = gazetteer.place(word)
        if place is None or place[0] != forms[0]:
            return ()
    return tuple(f for f in forms if not f.lower().startswith("the "))


def _country_fts(word: str, forms: tuple[str, ...]) -> tuple[str, ...]:
    """The few spellings of a country worth a full-text search: the word asked, the name,
    and one-word forms (every variant would swamp an OR query)."""
    keep = [word, *forms[:1], *(f for f in forms[1:] if " " not in f)]
    return tuple(dict.fromkeys(keep))[:8]


# --------------------------------------------------------------------------- vocabulary


@dataclass(slots=True)
class Vocabulary:
    """Word frequencies of the corpus (from a sample of sentences) plus entity and figure words.

    Used for two things: correcting words a person mistyped, and weighting words by rarity
    (a sentence that shares "Soledar" with a question says more than one sharing "war").
    """

    surface: Counter  # lower-case word -> occurrences in the sample
    sentence_df: Counter  # stem -> sample sentences containing it
    sentences: int
    names: frozenset[str]
    things: frozenset[str]
    by_len: dict[int, list[str]]
    built_at: float = 0.0

    @classmethod
    def build(cls, sample: Sequence[str], names: Iterable[str], things: Iterable[str]) -> Vocabulary:
        surface: Counter = Counter()
        df: Counter = Counter()
        for text in sample:
            toks = [t.lower() for t in tokens(text)]
            surface.update(toks)
            df.update({norm(t) for t in toks})
        name_words = frozenset(w.lower() for n in names for w in tokens(n))
        thing_words = frozenset(w.lower() for t in things for w in tokens(t))
        by_len: dict[int, list[str]] = {}
        for w in set(surface) | name_words | thing_words:
            if w.isalpha() and len(w) >= 3:
                by_len.setdefault(len(w), []).append(w)
        return cls(surface, df, max(1, len(sample)), name_words, thing_words, by_len, time.monotonic())

    def knows(self, word: str) -> bool:
        w = word.lower()
        return w in self.surface or w in self.names or w in self.things

    def df(self, word: str) -> float:
        """Share of sentences containing the word (0 when the sample never saw it)."""
        return self.sentence_df.get(norm(word), 0) / self.sentences

    def idf(self, word: str, *, unseen: float | None = None) -> float:
        """Rarity weight; ``unseen`` overrides the weight of words the sample never saw."""
        n = self.sentence_df.get(norm(word), 0)
        if n == 0 and unseen is not None:
            return unseen
        return math.log((self.sentences + 1) / (n + 0.5))

    @property
    def median_idf(self) -> float:
        return math.log((self.sentences + 1) / 3.5)

    def candidates(self, word: str, *, names_only: bool = False) -> list[str]:
        """Known words within typo distance of ``word``, most frequent first.

        ``names_only`` limits the choice to words of entity names and figure things: a
        capitalised word nobody wrote is a name we lack ("Lionel"), not a misspelt "line".
        """
        w = word.lower()
        max_dist = 1 if len(w) <= 8 else 2
        pool = [c for n in range(len(w) - max_dist, len(w) + max_dist + 1) for c in self.by_len.get(n, ())]
        if names_only:
            pool = [c for c in pool if c in self.names or c in self.things]
        hits = process.extract(w, pool, scorer=DamerauLevenshtein.distance, score_cutoff=max_dist, limit=12)
        ranked = sorted(
            hits,
            key=lambda h: (h[1], h[0][0] != w[0], -(self.surface.get(h[0], 0) + 5 * (h[0] in self.names))),
        )
        return [h[0] for h in ranked]


#: After this long a big corpus's vocabulary is rebuilt even while articles keep arriving.
_VOCAB_MAX_AGE = 60.0
_SAMPLE = 20_000


async def vocabulary(ctx: Context) -> Vocabulary:
    """The corpus vocabulary, rebuilt when the corpus has changed.

    A large corpus changes generation with every article of an ingest; its sampled
    frequencies barely move, so while the sample is full the rebuild waits a minute.
    """
    corpus = ctx.corpus
    cached = getattr(corpus, "_ask_vocabulary", None)
    if cached is not None:
        generation, vocab = cached
        if generation == corpus.generation:
            return vocab
        if vocab.sentences >= _SAMPLE and time.monotonic() - vocab.built_at < _VOCAB_MAX_AGE:
            return vocab
    sample = await corpus.store.sample_sentence_texts(_SAMPLE)
    names = [row[0] for row in await corpus.store.entity_names()]
    things = await corpus.store.figure_things(3000)
    vocab = Vocabulary.build(sample, names, things)
    corpus._ask_vocabulary = (corpus.generation, vocab)
    return vocab


# --------------------------------------------------------------------------- queries


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
    keep += sorted((a for a in alts if " " not in a), key=len)[:4]
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
    return tuple(sorted(names | extra, key=len, reverse=True))


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


# --------------------------------------------------------------------------- matching


@dataclass(slots=True)
class TextIndex:
    """A sentence's word keys and lower-cased text, computed once for many term checks.

    ``stems`` are the :func:`norm` keys the search index has; ``events`` the
    :func:`event_key` keys, so "deaths" asked meets "died" written.
    """

    lower: str
    stems: frozenset[str]
    events: frozenset[str] = frozenset()
    seq: tuple[str, ...] = ()  # the keys in order, for phrases

    @classmethod
    def of(cls, text: str) -> TextIndex:
        return _text_index(text)

    def has(self, alt: str) -> bool:
        a = alt.lower().replace("’", "'")
        if " " in a and "." not in a and "-" not in a and a.replace(" ", "").replace("'", "").isalpha():
            return self._has_phrase(tuple(norm(w) for w in tokens(a)))
        if a == "%":
            return "%" in self.lower or "per cent" in self.lower or "percent" in self.lower
        if " " in a or "." in a or "-" in a:
            return re.search(rf"(?<![\w-]){re.escape(a)}(?![\w-])", self.lower) is not None
        s = norm(a)
        if s in self.stems or event_key(a) in self.events:
            return True
        if len(s) >= 4 and any(t.endswith(s) and t[: len(t) - len(s)] in _PREFIXES for t in self.stems):
            return True  # "valued" in "undervalued", "elected" in "re-elected"
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


@lru_cache(maxsize=8192)
def _text_index(text: str) -> TextIndex:
    """Sentences recur across requests (the same figures answer many questions): index once."""
    low = text.lower().replace("’", "'")
    words = tokens(low)
    seq = tuple(norm(t) for t in words)
    return TextIndex(low, frozenset(seq), frozenset(event_key(t) for t in words), seq)


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


# --------------------------------------------------------------------------- numbers

#: A digit glued to a word is part of a name ("F-16", "M88s", "COVID-19"), not a quantity.
_GLUED = re.compile(r"[\w.-]$")
#: The capitalised word right before a number, which may name a product ("Leopard 2").
_WORD_BEFORE = re.compile(r"(?<![\w-])([A-Z][\w-]*)\s$")


def _part_of_a_name(text: str, start: int) -> bool:
    """Whether the number at ``start`` belongs to a name: glued to a word, or following a
    product a domain pack lists ("Leopard 2 tanks", "Challenger 2")."""
    before = text[:start]
    if _GLUED.search(before):
        return True
    m = _WORD_BEFORE.search(before)
    return m is not None and gazetteer.is_product(m.group(1))


def number_mentions(text: str) -> list[NumberMention]:
    """The quantities written in a question, claim or sentence ("14", "40,000", "5.5 billion",
    "three hundred thousand", "nine in ten"), with where each is written."""
    return [n for n in numbers_in(text) if n.spelled or n.ratio or not _part_of_a_name(text, n.start)]


def numbers_of(text: str) -> list[float]:
    """The values of :func:`number_mentions`."""
    return [n.value for n in number_mentions(text)]


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


# --------------------------------------------------------------------------- figures


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


def window(sentence: str, surface: str, before: int = 4, after: int = 7) -> list[str]:
    """The words around a number in its sentence: what it counts, when ``thing`` is missing."""
    i = sentence.find(surface)
    if i < 0:
        return tokens(sentence)
    left = tokens(sentence[:i])[-before:]
    right = tokens(sentence[i + len(surface):])[:after]
    return left + right


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


#: Nouns that count the same things ("troops" answers a question about "soldiers"): language data.
NOUN_GROUPS = list(noun_groups())
#: The groups as language keys, for testing a word by :func:`norm`.
NOUN_GROUP_KEYS = [lexicon(g) for g in NOUN_GROUPS]
_CANONICAL_NOUN = {k: norm(sorted(g)[0]) for g, keys in zip(NOUN_GROUPS, NOUN_GROUP_KEYS) for k in keys}


def noun_group(word: str) -> frozenset[str]:
    """The words of the noun group ``word`` belongs to in any inflection (empty when none)."""
    s = norm(word)
    return next((g for g, keys in zip(NOUN_GROUPS, NOUN_GROUP_KEYS) if s in keys), frozenset())


def canonical_stem(word: str) -> str:
    """The key of a word, the same for every noun of its group ("troops", "soldier")."""
    s = norm(word)
    return _CANONICAL_NOUN.get(s, s)


def nationalities(words: Iterable[str]) -> set[str]:
    """Countries named by adjective, name or capital in some words ("German troops" -> Germany)."""
    out = set()
    for w in words:
        if w.lower() in STOP_WORDS and not w.isupper():
            continue  # "us" the pronoun is not the US
        forms = gazetteer.country_forms(w)
        if forms:
            out.add(forms[0])
    return out


def thing_similarity(a: str | None, b: str | None) -> float:
    """How alike two ``thing`` descriptions are (0–100), on language keys so plurals agree:
    the share of the shorter description's words the other one has."""
    if not a or not b:
        return 0.0
    ka = {canonical_stem(w) for w in content_words(a)}
    kb = {canonical_stem(w) for w in content_words(b)}
    if not ka or not kb:
        return 0.0
    # Keys are compared as words, not as strings: "abram tank" and "battl tank" share a
    # noun, not two thirds of their letters. A word's typo still counts (words_match).
    small, large = sorted((ka, kb), key=len)
    shared = sum(1 for x in small if x in large or any(words_match(x, y) for y in large))
    return 100.0 * shared / len(small)


# --------------------------------------------------------------------------- events and parties


def event_keys(words: Iterable[str]) -> frozenset[str]:
    """The event classes of some words, as :func:`corpus.measure.events_of` reads a figure's:
    "supplied" and "sent" both give ``send``, "deaths" and "killed" both ``kill``."""
    return frozenset(event_class(event_key(w)) for w in words)


def known_event(cls: str) -> bool:
    """Whether an event class is one the language layer groups, so that another known class
    contradicts it ("sent" tanks are not tanks "asked for"); an unknown verb says nothing."""
    return len(event_words(cls)) > 1


def result_events(word: str) -> frozenset[str]:
    """The events a counted noun is the result of ("casualties": kill, wound, lose)."""
    return thing_events(norm(word))


def figure_events(f: Figure) -> frozenset[str]:
    """A figure's event classes with those its counted noun itself names ("casualties" counts
    people killed or wounded)."""
    return events_of(f) | thing_events(f.thing_head or "")


def same_measure_hits(a: FigureHit, b: FigureHit, same_name: SameName | None = None) -> bool:
    """Whether two stored figures disagree when their values differ (:func:`corpus.measure.comparable`)."""
    return comparable(a.figure, b.figure, same_name)


def name_test(index: NameIndex) -> SameName:
    """Whether two names are one entity by the corpus's alias groups."""

    def same(a: str, b: str) -> bool:
        ca = index.by_norm.get(_name_key(a))
        return ca is not None and ca == index.by_norm.get(_name_key(b))

    return same


def _name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("’", "'").strip(" .,'\"“”")).lower()


def countries_in(name: str | None, *, metonyms: bool = True) -> frozenset[str]:
    """The countries a party names (:func:`corpus.measure.countries_in`).

    ``metonyms=False`` is for names a person asks about: "Kyiv" asked is the city, while a
    figure's party "Kyiv" (the extractor resolves capitals) stands for its government."""
    return measure_countries_in(name, lambda g: country_forms(g, metonyms=metonyms))


def party_fits(asked: Iterable[str], party: str | None, same_name: SameName | None = None) -> bool | None:
    """How a figure's party fits the parties a question or claim names: True when it is one
    of them, False when it is plainly another (another country, or another named party such
    as "Conservatives" for "Labour"), None when it cannot tell (no party, a party written as
    a common noun such as "the firm", or a person asked and a country given: "Putin" and
    "Russia")."""
    asked = [a for a in asked if a]
    if not party or not asked or not any(t[:1].isupper() for t in tokens(party)):
        return None  # "the firm", "the party": whose it is, the sentence before says
    fc = countries_in(party)
    comparable = False
    for a in asked:
        ac = countries_in(a, metonyms=False)
        if ac and fc:
            if ac & fc:
                return True
            comparable = True
        elif not ac and not fc:
            if same_party(a, party, same_name) and party_key(party):
                return True
            comparable = True
    return False if comparable else None


#: Entity types that say where something happened, not whose figure it is.
_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})


def parties_named(query: Query, *, skip: Iterable[str] = ()) -> list[str]:
    """Whose figure a question or claim asks about: the people, organisations and countries
    it names ("Labour", "Putin", "Germany", "Russian"), not the places ("Soledar", "Kyiv")."""
    skip_low = {s.lower() for s in skip}
    out: list[str] = []
    for e in query.entities:
        words = {w.lower() for w in tokens(e.matched)}
        if words <= skip_low:
            continue
        if e.label in _PLACE_LABELS and not countries_in(e.matched, metonyms=False):
            continue
        out.append(e.matched)
    for w in content_words(query.corrected):
        if w.lower() not in skip_low and countries_in(w, metonyms=False) and w not in out:
            out.append(w)
    return out


def dedupe_figures(hits: Iterable[FigureHit]) -> list[FigureHit]:
    seen: set[tuple[int, str, float | None, float | None]] = set()
    out = []
    for h in hits:
        key = (h.article.id, h.sentence, h.figure.low, h.figure.high)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out


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


def names_in(text: str, index: NameIndex, labels: Sequence[str] = ("PERSON",)) -> list[EntityMatch]:
    """Entities of the given types named in a sentence (exact names only, no fuzzy guesses)."""
    words = [w.strip(".,'’-") for w in re.findall(r"[\w’'.-]+", text)]
    found: dict[str, EntityMatch] = {}
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            if not gram[:1].isupper():
                continue
            canonical = index.by_norm.get(re.sub(r"\s+", " ", gram.replace("’", "'")).lower())
            if canonical is None or canonical in found or index.labels.get(canonical) not in labels:
                continue
            found[canonical] = EntityMatch(
                canonical, index.labels[canonical], tuple(sorted(index.groups[canonical])), gram, 100.0
            )
    return list(found.values())
