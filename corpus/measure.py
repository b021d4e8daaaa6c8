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
  measures; "a loss of 3,000 jobs" and "lost 3,000 jobs" are one; "killed" and "dead" are
  one, "killed" and "killed or wounded" are not) — or one counts what the other's events
  produce ("casualties" and "soldiers killed or wounded", through ``measures.json``);
* their parties agree where both name one ("Labour" vs "Conservatives"), through the
  corpus's alias groups when the caller passes them;
* their time scopes do not name different years.

Nothing here knows a story: the vocabulary comes from the language layer.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS, event_class, event_key, norm, thing_events, tokens
from corpus.models import Figure

__all__ = ["thing_names", "comparable", "countries_in", "events_of", "figure_weight", "measure_label", "party_key", "same_measure", "same_party", "thing_key", "thing_words"]

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


def thing_names(f: Figure) -> frozenset[str]:
    """Keys of the capitalised words of a figure's thing that name a make or a group
    ("Abrams" in "Abrams tanks"), without countries, demonyms and the figure's party."""
    return _names(f.thing, f.party)


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


def comparable(a: Figure, b: Figure, same_name: SameName | None = None) -> bool:
    """Whether two figures' values can be set against each other, so that different values
    are a disagreement: on the same measure, and, for two counts of one noun, both or neither
    naming a make or model — "dozens of battle tanks" may count more than "14 Leopard 2 tanks",
    so it is neither a confirmation nor a contradiction of it."""
    if not same_measure(a, b, same_name):
        return False
    if a.thing_head and b.thing_head:
        return bool(_names(a.thing, a.party)) == bool(_names(b.thing, b.party))
    return True


def countries_in(name: str | None, forms: Callable[[str], tuple[str, ...]] = gazetteer.country_forms) -> frozenset[str]:
    """The countries a name speaks for, by their canonical names: "Russia", "Russian", "the
    German government", "German-led" -> Germany; "the United States and Germany" -> both.

    ``forms`` reads one word or phrase as a country (default: the gazetteer's country forms,
    capitals included); a caller may narrow it, e.g. to leave out capitals asked by name."""
    if not name:
        return frozenset()
    whole = forms(name)
    if whole:
        return frozenset({whole[0]})
    words = [part for t in tokens(name) for part in t.split("-") if part]
    out: set[str] = set()
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            gram = " ".join(words[i : i + n])
            if len(gram) > 2 and gram[:1].isupper() and (found := forms(gram)):
                out.add(found[0])
                i += n
                break
        else:
            i += 1
    return frozenset(out)


def party_key(party: str | None) -> str:
    """A comparable key for a party: countries by their canonical name, others by their words."""
    if not party:
        return ""
    countries = countries_in(party)
    if not countries and (country := gazetteer.demonym(party)):
        countries = frozenset({country})
    if countries:
        return "+".join(sorted(norm(c) for c in countries))
    words = [part for t in tokens(party) for part in t.split("-") if part]
    return " ".join(norm(t) for t in words if t.lower() not in ("the", "a", "an"))


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


def events_of(f: Figure) -> frozenset[str]:
    """The figure's event classes: "killed" and "dead" are one, "sent" and "pledged" are one."""
    return frozenset(event_class(event_key(e)) for e in (f.event or "").split())


def _result_of(a: Figure, b: Figure) -> bool:
    """Whether ``a`` counts what ``b``'s events produce: "casualties" and "soldiers killed or
    wounded" are one thing; a count of the dead alone is not a count of casualties."""
    produced = thing_events(a.thing_head or "")
    if not produced:
        return False
    shared = produced & events_of(b)
    return len(shared) >= min(2, len(produced))


def same_measure(a: Figure, b: Figure, same_name: SameName | None = None) -> bool:
    """Whether ``a`` and ``b`` measure the same thing, so that different values disagree."""
    if a.kind != b.kind or (a.unit or "") != (b.unit or ""):
        return False
    through_result = False
    if a.thing_head and b.thing_head:
        if a.thing_head != b.thing_head:
            if not (_result_of(a, b) or _result_of(b, a)):
                return False
            through_result = True
    else:
        wa, wb = thing_words(a.thing), thing_words(b.thing)
        if wa and wb:
            if not (wa & wb):
                return False
        elif not (a.event and b.event and a.party and b.party):
            # one says nothing of what it counts: only the same event by the same party
            # ("Deutsche Boerse offered £1.3bn for the LSE" / "… offered £1.35bn") is enough
            return False
    names_a, names_b = _names(a.thing, a.party), _names(b.thing, b.party)
    if names_a and names_b and not (names_a & names_b):
        return False
    ea, eb = events_of(a), events_of(b)
    if ea and eb and ea != eb and not through_result:
        return False  # seats won vs seats lost; killed vs killed or wounded
    if not (a.thing and b.thing) and not (ea and ea == eb and a.party and b.party):
        return False
    if not same_party(a.party, b.party, same_name):
        return False
    ya = set(_YEAR.findall(a.time_scope or ""))
    yb = set(_YEAR.findall(b.time_scope or ""))
    return not (ya and yb and not (ya & yb))


_KIND_NAMES = {
    "money": "amount of money",
    "percent": "percentage",
    "change": "change",
    "rate": "rate",
    "population": "population",
    "distance": "distance",
    "area": "area",
    "duration": "duration",
    "age": "age",
}


def measure_label(f: Figure, sentence: str = "") -> str:
    """A short name for what a figure measures, in the article's own words.

    "soldiers killed or wounded", "tanks — sent", "profits — rise (change)", "soldiers — losing
    (per day)": the counted thing as written, the event as the sentence writes it when the
    thing does not already say it, and the kind when it is not a plain count.
    """
    thing = (f.thing or "").strip()
    if thing.lower().startswith(("the ", "a ", "an ")):
        thing = thing.split(" ", 1)[1]
    label = thing or _KIND_NAMES.get(f.kind, f.kind)
    events = events_of(f)
    if events and not any(event_class(event_key(w)) in events for w in tokens(thing)):
        verb = next((w for w in tokens(sentence) if event_class(event_key(w)) in events), None)
        if verb:
            label += f" — {verb.lower()}"
    if f.kind == "rate":
        label += " (per period)"
    elif f.kind == "change":
        label += " (change)"
    elif thing and f.kind in _KIND_NAMES and f.kind not in ("age",):
        label += f" ({_KIND_NAMES[f.kind]})"
    return label


#: How much a kind of figure tells a reader, before anything about the story is known: a count,
#: an amount or a change is news; a duration or an age is usually background.
_KIND_WEIGHT = {"count": 1.0, "money": 1.0, "change": 1.0, "rate": 1.0, "population": 0.8, "percent": 0.8,
                "distance": 0.5, "area": 0.5, "mass": 0.5, "volume": 0.5, "duration": 0.3, "age": 0.1}


def figure_weight(f: Figure) -> float:
    """How likely a reader is to ask about a figure: its kind, and whether the article says
    what it counts, what happened, whose it is and who says so."""
    weight = _KIND_WEIGHT.get(f.kind, 0.5)
    structure = (0.4 if f.thing_head else 0.0) + (0.2 if f.event else 0.0) + (0.2 if f.party else 0.0)
    structure += 0.2 if f.claimant else 0.0
    return weight * (0.5 + structure)
