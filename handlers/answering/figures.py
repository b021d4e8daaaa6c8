"""What a stored figure counts and what event it belongs to.

A figure answers a question when it counts the same thing ("troops" for "soldiers", by the
language layer's noun groups) and its event fits the question's verb ("supplied" for
"sent"). These tests read the figure's structured fields and the language data, never
free string similarity, so plurals, synonyms and event words agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from corpus.language import event_class, event_key, event_words, lexicon, norm, noun_groups, thing_events
from corpus.measure import SameName, comparable, events_of
from corpus.models import Figure, FigureHit

from .words import content_words, words_match

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


# --------------------------------------------------------------------------- events


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


def dedupe_figures(hits: Iterable[FigureHit]) -> list[FigureHit]:
    seen: set[tuple[int, str, float | None, float | None]] = set()
    out = []
    for h in hits:
        key = (h.article.id, h.sentence, h.figure.low, h.figure.high)
        if key not in seen:
            seen.add(key)
            out.append(h)
    return out
