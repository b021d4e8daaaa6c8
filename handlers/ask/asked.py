"""What a quantity question asks for, read into structure.

"How many Russian soldiers died in Soledar" asks for a count of soldiers (or of a noun of
their group), of the event "die", with Russia as the party; "how much per share" asks for
money. :class:`_Asked` holds that reading, so that fetching and scoring figures test
fields instead of re-reading the question's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS, is_word, kind_word, lexicon, norm

from ..answering import (
    Query,
    content_words,
    countries_in,
    event_keys,
    known_event,
    nationalities,
    noun_group,
    numbers_of,
    parties_named,
    result_events,
    tokens,
)
from .shape import _HOW_KINDS, Shape

#: The kinds a kind word asks for: "what percentage" may be answered by a level or a change.
_KIND_FAMILY = {"percent": ("percent", "change"), "population": ("population", "count")}
#: "How much" asks for an amount of some measured kind, never a bare count.
_MUCH_KINDS = ("money", "percent", "change", "mass", "volume", "area", "power", "speed", "temperature", "distance")
#: Words that date or place a question rather than say what happened ("on Thursday").
_SCENE_WORDS = lexicon(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december day week month year today yesterday time end start beginning
    worldwide total""".split()
)
#: Words that ask for a percentage without being what is counted ("what stake does X own").
_PERCENT_NOUNS = frozenset({"stake", "share", "proportion", "percentage"})


@dataclass(slots=True)
class _Asked:
    """What a quantity question asks for, as structure: the counted noun, the events, the
    kinds of figure, and whose figure it is."""

    head: str | None
    head_alts: tuple[str, ...]  # the head and its noun group, as words
    head_keys: frozenset[str]  # the same as language keys (``Figure.thing_head``)
    head_events: frozenset[str]  # events the head itself names ("deaths", "casualties")
    modifiers: list[str]
    events: frozenset[str]  # event keys of the question's verbs and eventive words
    known_events: frozenset[str]  # those the event groups know, which another event contradicts
    kinds: tuple[str, ...]  # figure kinds that may answer (empty: any countable kind)
    names: frozenset[str]  # keys of the makes or groups the question names ("Leopard" tanks)
    countries: set[str]  # countries the question names as whose figure it is
    parties: list[str]  # every name the question gives as a possible party


def _asked_kinds(shape: Shape, head: str | None, words: list[str]) -> tuple[str, ...]:
    """The kinds of figure that may answer: "how far" a distance, "what percentage" a share,
    "how much did it cost" money, "how many years" a duration; empty for a plain count."""
    if shape.how in _HOW_KINDS:
        return _HOW_KINDS[shape.how]
    if shape.how in ("big", "large"):
        # "how big is the stake / the settlement / the majority": any size, not a time or an age
        return ("percent", "money", "count", "population", "area", "distance", "mass", "volume", "change")
    if shape.measure:
        kind = kind_word(shape.measure)
        if kind:
            return _KIND_FAMILY.get(kind, (kind,))
    if shape.how == "much" and shape.per_unit:
        return ("money",)  # "how much per share": a price per unit, never a share of something
    if shape.how == "much":
        # "How much did profits rise": a change answers as well as the amount it reached.
        kinds = {kind_word(w) for w in words} & {"money", "percent"}
        if kinds:
            return tuple(dict.fromkeys([*sorted(kinds), "change"]))
        return _MUCH_KINDS
    kind = kind_word(head) if head else None
    if kind in ("money", "distance", "duration", "age"):
        return (kind,)  # "how many dollars", "how many miles", "how many years"
    return ()


def _singular_name(word: str) -> str:
    """"PSPs" -> "PSP", "Z5s" -> "Z5": the name without its plural ending."""
    return re.sub(r"(?<=[A-Z0-9])s$", "", word)


def is_product_name(word: str) -> bool:
    """A counted noun that is a name ("PSPs", "iPhones"), not an English word, country or people."""
    bare = _singular_name(word)
    if countries_in(bare) or gazetteer.demonym(bare) or not any(c.isupper() for c in word):
        return False
    if bare.isupper() and 2 <= len(bare) <= 5:
        return True  # an acronym ("DS", "PSP") is a name even where it spells a word
    return not is_word(word) and not is_word(bare)


def _read_question(shape: Shape, query: Query) -> _Asked:
    corrected_target = [query.corrections.get(w, w) for w in shape.target]
    head = None
    for w in reversed(corrected_target):
        if w.lower() not in STOP_WORDS:
            head = w
            break
    modifiers = [w for w in corrected_target if w is not head and w.lower() not in STOP_WORDS]
    if head and (
        (kind_word(head) == "money" and (head.lower() == shape.measure or shape.how == "much"))
        or (kind_word(head) == "percent" and head.lower() == shape.measure and shape.measure in _PERCENT_NOUNS)
    ):
        # "what was the price of the bid", "how much cash": the kind is asked, the rest says of what
        head = None
    rest_words = content_words(" ".join(query.corrections.get(w, w) for w in tokens(shape.rest)))
    # Names are written capitalised: a lower-case word a fuzzy name match swallowed ("win" in
    # "Conservatives win") is still the question's verb.
    entity_words = {
        w.lower() for t in query.terms if t.entity for w in tokens(t.label) if w[:1].isupper() or not is_word(w)
    }
    # "casualties", "deaths", "arrests": a head that names what events produce.
    head_events = frozenset()
    if head:
        head_events = result_events(head) | {k for k in event_keys([head]) if known_event(k)}
    verbs = [
        w for w in rest_words
        if w.lower() not in entity_words and not nationalities([w]) and not numbers_of(w)
        and norm(w) not in _SCENE_WORDS and not kind_word(w)
    ]
    events = set(event_keys(verbs))
    # A modifier may be an event ("wounded soldiers"); a name ("Leopard tanks") is not.
    events |= {k for k in event_keys(m for m in modifiers if not m[:1].isupper()) if known_event(k)}
    group = noun_group(head) if head else frozenset()
    named_head = bool(head) and is_product_name(head)
    if named_head:
        # "how many PSPs": a product counted by its name is counted in units, consoles, copies
        group = noun_group("unit") | {head.lower()}
    head_alts = tuple(sorted(group | {head.lower()})) if group else ((head.lower(),) if head else ())
    # Whose figure: the people, organisations and countries named ("Russian soldiers" included,
    # "Leopard tanks" not), never the places ("how far is Soledar").
    parties = parties_named(query, skip=[w for w in corrected_target if not countries_in(w, metonyms=False)])
    countries = {c for p in parties for c in countries_in(p, metonyms=False)}
    return _Asked(
        head=head,
        head_alts=head_alts,
        head_keys=frozenset(norm(a) for a in head_alts),
        head_events=head_events,
        modifiers=modifiers,
        events=frozenset(events),
        known_events=frozenset(k for k in events if known_event(k)),
        kinds=_asked_kinds(shape, head, corrected_target + rest_words),
        names=frozenset(
            norm(m) for m in modifiers if m[:1].isupper() and not countries_in(m) and not gazetteer.demonym(m)
        ) | ({norm(head), norm(_singular_name(head))} if named_head and head else set()),
        countries=countries,
        parties=parties,
    )
