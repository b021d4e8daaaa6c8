"""The corpus's own vocabulary, cached per corpus generation.

Questions arrive with typos and are weighed by rarity, and both need to know which words
the corpus uses and how often. Sampling the store is costly on a large corpus, so the
vocabulary is built from a sample of sentences and rebuilt only when the corpus changes
(and, while articles keep arriving, at most once a minute).
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from corpus.language import norm

from ..context import Context, per_generation
from .words import tokens

#: The least weight a word has: in a corpus of a few sentences the formula goes negative,
#: and a negative weight would turn a missing word into a gain.
MIN_IDF = 0.1


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
        return cls(surface, df, max(1, len(sample)), name_words, thing_words, by_len)

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
        return max(MIN_IDF, math.log((self.sentences + 1) / (n + 0.5)))

    @property
    def median_idf(self) -> float:
        return max(MIN_IDF, math.log((self.sentences + 1) / 3.5))

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


_SAMPLE = 20_000


async def vocabulary(ctx: Context) -> Vocabulary:
    """The corpus vocabulary (:func:`handlers.context.per_generation`: on a large corpus the
    previous one answers while the next is built in the background, its counting done off
    the event loop)."""

    async def build() -> Vocabulary:
        store = ctx.corpus.reader  # bulk reads: not on the connection members are served by
        sample = await store.sample_sentence_texts(_SAMPLE)
        names = await store.entity_name_list()
        things = await store.figure_things(3000)
        return await asyncio.to_thread(Vocabulary.build, sample, names, things)

    return await per_generation(ctx, "vocabulary", build)
