"""Finding the people, places and organisations a question is about, typos and all.

Questions arrive as free text ("what did Prigozin say about Bakhmut?"). This module
matches word n-grams of the question against every entity name in the corpus — exactly
first, then with rapidfuzz for spelling variants — and maps each hit to its alias group,
so "Zelenskiy", "Zelenskyy" and "President Zelensky" all reach the same person.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rapidfuzz import fuzz, process

from corpus.language import STOP_WORDS, is_role

from .context import Context, per_generation

_WORD = re.compile(r"[\w’'.-]+", re.UNICODE)
_KEY_WORD = re.compile(r"\w+", re.UNICODE)
#: A name is a few words; the words of a longer text after these are not looked up one by one.
MAX_NAME_WORDS = 6


def _length_window(length: int, cutoff: float) -> tuple[int, int]:
    """Lengths a string can have and still reach ``cutoff`` (a ratio, 0-100) against one of
    ``length`` characters: the ratio is at most 2·min/(min+max)."""
    share = cutoff / 100
    return int(length * share / (2 - share)), int(length * (2 - share) / share) + 1


#: Words of a question that are never a name on their own: the stop words, and the words
#: people use to ask for figures, quotes and commands.
_QUERY_WORDS = frozenset(
    """far said says tell yes latest recent killed wounded dead soldiers people troops figures figure
    number numbers quote quotes compare summary summarize source sources article articles timeline news
    report reports claim claims""".split()
)


def _not_a_name(word: str, *, first: bool) -> bool:
    """Whether one word of a question cannot be a name by itself. A stop word capitalised
    inside a question may be one ("what did May say")."""
    low = word.lower()
    if low in _QUERY_WORDS:
        return True
    if word == low and is_role(low):
        return True  # "who is the head of Wagner": "head" is the role asked about, not "Indian Head"
    return low in STOP_WORDS and (first or not word[:1].isupper())


def _norm(name: str) -> str:
    return " ".join(name.replace("’", "'").strip(" .,'\"“”").split()).lower()


@dataclass(slots=True, frozen=True)
class EntityMatch:
    """An alias group a piece of the question refers to."""

    canonical: str
    label: str
    names: tuple[str, ...]  # every surface form of the group
    matched: str  # the words of the question that matched
    score: float  # 100 = exact


class NameIndex:
    """Every entity name of the corpus, grouped by alias group, ready for matching."""

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        groups: dict[str, list[str]] = {}
        self.labels: dict[str, str] = {}
        self.by_norm: dict[str, str] = {}
        for name, canonical, label in rows:
            groups.setdefault(canonical, []).append(name)
            self.labels[canonical] = label
            self.by_norm.setdefault(_norm(name), canonical)
        # A person is often asked about by surname alone; a name written that way in the
        # articles keeps its own group ("Thatcher" is not whichever Thatcher came first).
        for name, canonical, label in rows:
            if label == "PERSON" and " " in name:
                self.by_norm.setdefault(_norm(name.split()[-1]), canonical)
        # Tuples of strings, not lists: the garbage collector stops tracking them, and an
        # index of 40k groups would otherwise lengthen every full collection.
        self.groups: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in groups.items()}
        self.keys = tuple(self.by_norm)
        # Fuzzy candidates are blocked by first letter and length: a ratio of 84 or more is
        # impossible between strings whose lengths differ by a third, and a typo in the
        # first letter of a name is rare. This keeps a lookup fast at 100k names.
        self._blocks: dict[tuple[str, int], list[str]] = {}
        self._by_initial: dict[str, list[str]] = {}
        # The same blocking by word, for a name asked about by one of its words or a misspelt
        # one: "Prigozin" reaches "yevgeny prigozhin" through the block of "prigozhin".
        self._word_blocks: dict[tuple[str, int], list[str]] = {}
        for k in self.keys:
            if k:
                self._blocks.setdefault((k[0], len(k)), []).append(k)
                self._by_initial.setdefault(k[0], []).append(k)
                for w in set(_KEY_WORD.findall(k)):
                    self._word_blocks.setdefault((w[0], len(w)), []).append(k)

    def keys_starting(self, initial: str) -> list[str]:
        """Every name key with this first letter (the usual block for fuzzy suggestions)."""
        return self._by_initial.get(initial, [])

    def _fuzzy_candidates(self, key: str, cutoff: float, blocks: dict | None = None) -> list[str]:
        blocks = self._blocks if blocks is None else blocks
        lo, hi = _length_window(len(key), cutoff)
        out: list[str] = []
        for n in range(lo, hi + 1):
            out.extend(blocks.get((key[0], n), ()))
        return out

    def _word_candidates(self, key: str, cutoff: float) -> list[str]:
        """Names with a word close in first letter and length to a word of ``key``."""
        # in the order typed, not a set's: which words are looked up must not change per process
        words = [w for w in dict.fromkeys(_KEY_WORD.findall(key)) if len(w) >= 3] or _KEY_WORD.findall(key)
        found: dict[str, None] = {}
        for w in words[:MAX_NAME_WORDS]:
            found.update(dict.fromkeys(self._fuzzy_candidates(w, cutoff, self._word_blocks)))
        return list(found)

    def match(self, text: str, *, limit: int = 3, cutoff: float = 84.0) -> list[EntityMatch]:
        words = [w.strip(".,'’-") for w in _WORD.findall(text)]
        words = [w for w in words if w]
        found: dict[str, EntityMatch] = {}
        used: set[int] = set()
        for n in (4, 3, 2, 1):
            for i in range(len(words) - n + 1):
                if any(j in used for j in range(i, i + n)):
                    continue
                gram = " ".join(words[i : i + n])
                key = _norm(gram)
                if n == 1 and (len(key) < 3 or _not_a_name(gram, first=i == 0)):
                    continue
                canonical = self.by_norm.get(key)
                score = 100.0
                if canonical is None and len(key) >= 4 and not all(
                    _not_a_name(w, first=True) for w in words[i : i + n]
                ):
                    hit = process.extractOne(
                        key, self._fuzzy_candidates(key, cutoff), scorer=fuzz.ratio, score_cutoff=cutoff
                    )
                    if hit is not None:
                        canonical, score = self.by_norm[hit[0]], hit[1]
                if canonical is None:
                    continue
                used.update(range(i, i + n))
                prev = found.get(canonical)
                if prev is None or score > prev.score:
                    found[canonical] = EntityMatch(
                        canonical, self.labels[canonical], tuple(sorted(self.groups[canonical])), gram, score
                    )
        return sorted(found.values(), key=lambda m: -m.score)[:limit]

    def exact(self, name: str) -> str | None:
        """The group a name spells exactly (case, spacing and apostrophes aside), or None."""
        return self.by_norm.get(_norm(name))

    def best(self, name: str, *, cutoff: float = 75.0) -> EntityMatch | None:
        """The group a name (not a whole question) refers to, fuzzily."""
        key = _norm(name)
        canonical = self.by_norm.get(key)
        score = 100.0
        if canonical is None:
            # Scored against the names sharing a (blocked) word with it, not all of them: a
            # WRatio scan of 48k names took 20-50 ms of CPU per lookup at 21k articles.
            hits = best_matches(key, self._word_candidates(key, cutoff), cutoff=cutoff)
            if not hits:
                return None
            canonical, score = self.by_norm[hits[0][0]], hits[0][1]
        return EntityMatch(canonical, self.labels[canonical], tuple(sorted(self.groups[canonical])), name, score)


#: Candidates scored per call into rapidfuzz: a call holds Python's interpreter lock from
#: start to end, and 14k WRatio scores (a long hostile input) held it 30 ms at a time while a
#: busy bot's event loop waited; 2,000 hold it a few milliseconds.
_CHUNK = 2000


def best_matches(
    query: str, choices: Sequence[str] | Mapping[Any, str], *, scorer: Callable[..., float] = fuzz.WRatio,
    limit: int = 1, cutoff: float = 0.0,
) -> list[tuple[str, float, Any]]:
    """What ``process.extract(query, choices, scorer=…, limit=…, score_cutoff=…)`` returns —
    (choice, score, index or key), best first, equals in the order of ``choices`` — scored
    :data:`_CHUNK` choices per call, with the cutoff raised to the ``limit``-th best score so
    far, so that no call holds the interpreter lock for long however many choices there are."""
    keys = list(choices) if isinstance(choices, Mapping) else None
    values = list(choices.values()) if isinstance(choices, Mapping) else choices
    found: list[tuple[float, int, tuple[str, float, Any]]] = []  # (-score, order seen, hit)
    for i in range(0, len(values), _CHUNK):
        floor = cutoff if len(found) < limit else -found[limit - 1][0]
        for choice, score, j in process.extract(query, values[i : i + _CHUNK], scorer=scorer, limit=limit,
                                                score_cutoff=floor):
            found.append((-score, i + j, (choice, score, i + j if keys is None else keys[i + j])))
        found.sort(key=lambda f: (f[0], f[1]))
        del found[limit:]
        if len(found) == limit and -found[-1][0] >= 100:
            break
    return [hit for _, _, hit in found]


async def name_index(ctx: Context) -> NameIndex:
    """The corpus's name index, rebuilt only when the corpus has changed."""

    async def build() -> NameIndex:
        rows = await ctx.corpus.reader.entity_names()
        return await asyncio.to_thread(NameIndex, rows)  # 45k names: seconds of CPU, off the loop

    return await per_generation(ctx, "name_index", build)
