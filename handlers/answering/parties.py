"""Who a text names and whose a figure is.

A figure answers only for the party it belongs to: "German troops" do not answer a
question about Russian soldiers. Parties are compared as countries (by name, demonym or
capital) or as named entities (by the corpus's alias groups), and a party the text cannot
place (a common noun, a person against a country) is left undecided rather than rejected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS
from corpus.measure import SameName, party_key, same_party
from corpus.measure import countries_in as measure_countries_in

from ..lookup import EntityMatch, NameIndex
from .query import Query
from .words import content_words, country_forms, tokens


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


def name_test(index: NameIndex) -> SameName:
    """Whether two names are one entity by the corpus's alias groups."""

    def same(a: str, b: str) -> bool:
        ca = index.exact(a)
        return ca is not None and ca == index.exact(b)

    return same


@lru_cache(maxsize=16384)
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


def names_in(text: str, index: NameIndex, labels: Sequence[str] = ("PERSON",)) -> list[EntityMatch]:
    """Entities of the given types named in a sentence (exact names only, no fuzzy guesses)."""
    words = [w.strip(".,'’-") for w in re.findall(r"[\w’'.-]+", text)]
    found: dict[str, EntityMatch] = {}
    for n in (4, 3, 2, 1):
        for i in range(len(words) - n + 1):
            gram = " ".join(words[i : i + n])
            if not gram[:1].isupper():
                continue
            canonical = index.exact(gram)
            if canonical is None or canonical in found or index.labels.get(canonical) not in labels:
                continue
            found[canonical] = EntityMatch(
                canonical, index.labels[canonical], tuple(sorted(index.groups[canonical])), gram, 100.0
            )
    return list(found.values())
