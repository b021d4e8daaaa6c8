"""Whether two figures are on the same measure: the one test every command uses.

``compare`` groups figures by it, ``source`` and ``ask`` say "sources differ" only when two
figures pass it and their values differ, and the digest calls a figure "changed" through
it. Keeping it in one place means two commands can never disagree on whether "14 Leopard 2
tanks" (per Olaf Scholz) and "14 tanks" (per the German government) count the same thing.

Two figures are on the same measure when

* they are of the same kind (a count, an amount of money, a rate per day…) in the same
  unit family;
* they count the same thing: the same head noun ("seat", "tank") by its language key, and
  no distinguishing names in one that the other contradicts ("Leopard tanks" vs "Abrams
  tanks");
* their events agree where both say one ("won" seats vs "lost" seats are different
  measures; "a loss of 3,000 jobs" and "lost 3,000 jobs" are one);
* their parties agree where both name one ("Labour" vs "Conservatives"), through the
  corpus's alias groups when the caller passes them;
* their time scopes do not name different years.

Nothing here knows a story: the vocabulary comes from the language layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS, event_key, norm, tokens
from corpus.models import Figure

__all__ = ["party_key", "same_measure", "same_party", "thing_key", "thing_words"]

#: Optional corpus-wide name test (the alias index): whether two names are one entity.
SameName = Callable[[str, str], bool]

_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_NUMBERISH = re.compile(r"^[\d.,%-]+$")


def thing_words(thing: str | None) -> frozenset[str]:
    """Language keys of the content words of a counted thing ("Leopard 2 tanks" -> leopard, tank)."""
    if not thing:
        return frozenset()
    return frozenset(
        norm(t) for t in tokens(thing) if t.lower() not in STOP_WORDS and not _NUMBERISH.match(t) and len(t) > 1
    )


def thing_key(thing: str | None) -> str:
    """A stable key for a counted thing, for grouping identical figures."""
    return " ".join(sorted(thing_words(thing)))


def _names(thing: str | None, party: str | None) -> frozenset[str]:
    """Capitalised words of a thing that name something (not its party, not a sentence start)."""
    if not thing:
        return frozenset()
    party_words = {norm(w) for w in tokens(party or "")}
    out = set()
    for i, t in enumerate(tokens(thing)):
        if t[:1].isupper() and t.lower() not in STOP_WORDS and not (i == 0 and t[1:].islower() and len(tokens(thing)) == 1):
            k = norm(t)
            if k not in party_words and not gazetteer.demonym(t) and not gazetteer.country_forms(t):
                out.add(k)
    return frozenset(out)


def party_key(party: str | None) -> str:
    """A comparable key for a party: countries by their canonical name, others by their words."""
    if not party:
        return ""
    forms = gazetteer.country_forms(party)
    if forms:
        return norm(forms[0])
    country = gazetteer.demonym(party)
    if country:
        return norm(country)
    words = [norm(t) for t in tokens(party) if t.lower() not in ("the", "a", "an")]
    return " ".join(words)


def same_party(a: str | None, b: str | None, same_name: SameName | None = None) -> bool:
    """Whether two parties are the same; a missing party is compatible with any."""
    if not a or not b:
        return True
    ka, kb = party_key(a), party_key(b)
    if ka == kb:
        return True
    if same_name is not None and same_name(a, b):
        return True
    # "Conservatives" vs "the Conservative party": one's words inside the other's
    wa, wb = set(ka.split()), set(kb.split())
    return bool(wa) and bool(wb) and (wa <= wb or wb <= wa)


def _events(f: Figure) -> frozenset[str]:
    return frozenset(event_key(e) for e in (f.event or "").split())


def same_measure(a: Figure, b: Figure, same_name: SameName | None = None) -> bool:
    """Whether ``a`` and ``b`` measure the same thing, so that different values disagree."""
    if a.kind != b.kind or (a.unit or "") != (b.unit or ""):
        return False
    if a.thing_head and b.thing_head:
        if a.thing_head != b.thing_head:
            return False
    else:
        wa, wb = thing_words(a.thing), thing_words(b.thing)
        if wa or wb:
            if not (wa & wb):
                return False
        elif not (a.event and b.event):
            return False  # nothing says what either counts
    names_a, names_b = _names(a.thing, a.party), _names(b.thing, b.party)
    if names_a and names_b and not (names_a & names_b):
        return False
    ea, eb = _events(a), _events(b)
    if ea and eb and not (ea & eb):
        return False
    if not same_party(a.party, b.party, same_name):
        return False
    ya = set(_YEAR.findall(a.time_scope or ""))
    yb = set(_YEAR.findall(b.time_scope or ""))
    return not (ya and yb and not (ya & yb))
