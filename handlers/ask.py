"""``ask``: a question in plain words, answered only from what indexed articles say.

What kind of question it is decides where the answer is looked for: figures for "how
many/much/far", quotes for "what did X say", descriptions of a person for "who is", dated
events for "when", and the best-covering sentences otherwise.

The answer policy (tested in ``tests/handlers/test_ask.py`` and the question set):

* The first line is the answer, at most 200 characters (``handlers.types.lead_line``
  shortens any longer one and the whole line follows): the value with what it counts and
  who says so, or the speaker with a clipped quote, then the source. The evidence follows.
* Numbers are the source's: a figure is shown as written ("between 40,000 and 60,000",
  "£1.3bn", "“dozens”"); anything computed is labelled as such.
* A figure answers when it counts what is asked (its counted noun, a noun of the same
  group, or the unit asked for), its event fits the question's verb, its kind fits ("how
  far" a distance, "how much" money or a change) and its party does not conflict with the
  one asked about. A party's own figure leads one it shares with another party.
* "Sources differ" only when two figures are on the same measure
  (:func:`corpus.measure.comparable`) and their values differ; equal values on one measure
  are one agreeing answer naming every source ("14 tanks — according to the German
  government and Olaf Scholz"). Two values in one sentence (a total and its part, a start
  and an end) are never a disagreement.
* A quote answers "what did X say about Y" when it is by X and it, its sentence or the
  lines around it are about Y.
* When nothing passes, the reply says the articles do not state it (``answered: false``)
  and offers the nearest facts instead of guessing.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from corpus.extract import gazetteer
from corpus.extract.claims import ClaimParse
from corpus.extract.dates import date_label
from corpus.language import (
    STOP_WORDS,
    event_words,
    is_role,
    is_word,
    kind_word,
    lexicon,
    norm,
    result_nouns,
    role_in,
    role_words,
    same_role,
    thing_events,
)
from corpus.measure import events_of, same_measure, same_party, thing_key, thing_names
from corpus.models import EventHit, Figure, FigureHit, QuoteHit, SentenceHit

from .answering import (
    Query,
    RankedSentence,
    Term,
    TextIndex,
    _entity_alts,
    analyse,
    closest_facts,
    content_words,
    countries_in,
    coverage,
    dedupe_figures,
    event_keys,
    figure_citation,
    figure_events,
    figure_line,
    figure_record,
    known_event,
    name_test,
    names_in,
    nationalities,
    noun_group,
    numbers_of,
    parties_named,
    party_fits,
    quoted,
    ranked_sentences,
    result_events,
    same_measure_hits,
    sentence_citation,
    sentence_contexts,
    source_label,
    source_label_hit,
    tokens,
    vocabulary,
    window,
)
from .cite import dedupe
from .context import Context
from .lookup import EntityMatch, name_index
from .registry import Arg, command
from .types import Citation, Reply, Request
from .who import roles_in as who_roles_in

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- question shapes

_LEAD_IN = r"^\s*(?:(?:and|so|but|ok|okay|please|tell me|do you know)[,\s]+)*"
_HOW = re.compile(_LEAD_IN + r"(?:by\s+)?how\s+(many|much|far|long|big|large|old|often)\b(?P<rest>.*)$", re.I | re.S)
_WHAT_MEASURE = re.compile(
    _LEAD_IN + r"(?:what|which)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)?\s+(?:the\s+|a\s+)?"
    r"(?P<word>number|amount|total|percentage|percent|share|proportion|population|death\s+toll|toll|"
    r"distance|cost|size|casualty\s+count|casualty\s+figure|casualty\s+toll)\b(?P<rest>.*)$",
    re.I | re.S,
)
_WHAT_THE = re.compile(
    _LEAD_IN + r"(?:what|which)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?:the\s+|a\s+)?(?P<word>[a-z]+)\b(?P<rest>.*)$"
    # "what stake does the group own", "what price did they pay": the word names the kind
    r"|" + _LEAD_IN.replace("^", "") + r"(?:what|which)\s+(?P<word2>[a-z]+)\s+(?:does|do|did|is|was|has|have|had|will)\b"
    r"(?P<rest2>.*)$",
    re.I | re.S,
)
_QUOTE = re.compile(
    _LEAD_IN + r"what\s+(?:did|does|do|has|have|had)\s+(?P<who>.+?)\s+"
    r"(?:say|said|tell|told|claim|claimed|write|wrote|warn|warned|think|thought|announce|announced|"
    r"threaten|threatened|promise|promised|vow|vowed|demand|demanded|urge|urged|admit|admitted|"
    r"deny|denied|accuse|accused|propose|proposed|reveal|revealed)\b"
    r"(?:\s+(?:about|on|regarding|of|concerning)\s+(?P<topic>.+?)"
    # "what did Kaz Hirai say the PSP is", "… say he would do now that Kilroy-Silk has quit":
    # the clause said is the topic
    r"|\s+(?:that\s+)?(?P<clause>(?!to\b)\w.+?))?\s*[?.!]*$",
    re.I | re.S,
)
_QUOTES_OF = re.compile(
    _LEAD_IN + r"(?:quotes?|statements?|remarks?)\s+(?:from|by|of)\s+(?P<who>.+?)"
    r"(?:\s+(?:about|on|regarding)\s+(?P<topic>.+?))?\s*[?.!]*$",
    re.I | re.S,
)
_WHO_SAID = re.compile(
    _LEAD_IN + r"who\s+(?:said|says|wrote|called|warned|claimed|described|declared|stated)\s+(?P<what>.+?)\s*[?.!]*$",
    re.I | re.S,
)
_WHO_IS = re.compile(_LEAD_IN + r"who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?P<who>.+?)\s*[?.!]*$", re.I | re.S)
_WHEN = re.compile(
    _LEAD_IN + r"(?:when|on\s+what\s+(?:date|day)|what\s+(?:date|day)|which\s+(?:date|day))\b(?P<rest>.*)$",
    re.I | re.S,
)

_AUX = frozenset(
    """is are was were has have had did does do will would could can should might may been being shall
    that which who whom""".split()
)
_PREP = frozenset(
    """in of from to at by for since during on per with into against after before over under between among
    across near around about""".split()
)

#: What kind of figure (``corpus.models.KINDS``) a "how far/long/old/often" question asks for.
_HOW_KINDS: dict[str, tuple[str, ...]] = {
    "far": ("distance",),
    "long": ("duration",),
    "old": ("age", "duration"),  # "a 70-year-old" may be read as a duration
    "often": ("rate",),
}
#: The kinds a kind word asks for: "what percentage" may be answered by a level or a change.
_KIND_FAMILY = {"percent": ("percent", "change"), "population": ("population", "count")}
#: "How much" asks for an amount of some measured kind, never a bare count.
_MUCH_KINDS = ("money", "percent", "change", "mass", "volume", "area", "power", "speed", "temperature", "distance")
#: Kinds a "how many" question may not be answered with unless it names their unit.
_NOT_COUNTS = frozenset({"money", "percent", "change"})
#: Words that date or place a question rather than say what happened ("on Thursday").
_SCENE_WORDS = lexicon(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december day week month year today yesterday time end start beginning
    worldwide total""".split()
)
#: How much the question's own words beyond the counted noun and the names ("buyback",
#: "launch", "majority") weigh in picking a figure's sentence.
PREDICATE_WEIGHT = 1.0
#: Words that ask for a percentage without being what is counted ("what stake does X own").
_PERCENT_NOUNS = frozenset({"stake", "share", "proportion", "percentage"})
_GENERIC_HEADS = lexicon("person thing number one time")
_DAILY = re.compile(r"\b(each|every|per|a)\s+day\b|\bdaily\b", re.I)

_SPEECH = re.compile(
    r"\b(said|says|told|tells|warned|claimed|claims|believes|believed|admitted|complained|acknowledged|wrote|"
    r"writes|called|urged|asked|accused|insisted|according to|stressed|added|noted|argued|vowed|insists)\b",
    re.I,
)


@dataclass(slots=True)
class Shape:
    """What kind of question it is and its parts."""

    kind: str  # quantity | quote | who_said | who | when | general
    how: str | None = None  # many/much/far/long for quantity questions
    target: list[str] = field(default_factory=list)  # the counted noun phrase
    rest: str = ""  # the words after the target
    who: str = ""
    topic: str = ""
    measure: str = ""  # the word a "what is the …" question names: "percentage", "population"
    per_unit: str | None = None  # "how much per share": the unit a value is per


def _split_target(rest: str) -> tuple[list[str], str]:
    words = tokens(rest)
    target: list[str] = []
    for i, w in enumerate(words):
        low = w.lower()
        ends = low in _AUX or low in _PREP
        # Without a tagger: a determiner or a past-tense verb after the noun ends the noun
        # phrase ("how many countries signed the convention"); before it, it is an adjective
        # ("how many wounded soldiers").
        if target and (low in ("the", "a", "an", "this", "that", "its", "their", "his", "her")
                       or (low.endswith("ed") and len(low) > 4 and not w[:1].isupper())):
            ends = True
        if ends:
            return target, " ".join(words[i:])
        target.append(w)
    return target, ""


#: "is Glazer's stake in …", "was the settlement": the subject of a "how big/large" question.
_COPULA_SUBJECT = re.compile(
    r"^\s*(?:is|are|was|were|will\s+be)\s+(?:the\s+|a\s+)?"
    r"(?:(?P<owner>(?:[A-Z][\w.-]*\s+){0,3}[A-Z][\w.-]*)['’]s?\s+)?"
    r"(?P<phrase>[^?]*?)(?P<tail>\s+(?:in|of|for|at|on)\s+[^?]*)?\??\s*$",
    re.S,
)


#: Words of a reported clause that only stand for the speaker or the saying ("say he would
#: do …"), not for what was said about.
_CLAUSE_FILLER = lexicon("he she they it we i you would will could should do does did doing done is are was were be now")


def _said_clause(clause: str | None) -> str:
    """The topic of "what did X say <clause>": the clause without its filler words."""
    if not clause:
        return ""
    # "tell the jury about Arthur Andersen": what it was about, not whom it was told
    clause = re.split(r"\b(?:about|regarding|concerning)\b", clause, flags=re.I)[-1]
    return " ".join(w for w in tokens(clause) if norm(w) not in _CLAUSE_FILLER)


def _counted_from_parse(shape: Shape, parse: ClaimParse) -> Shape:
    """The parse knows where the counted noun ends ("how many members sit on the panel":
    members, not "members sit"); the word rules only guess it."""
    if not parse.counted or parse.counted not in shape.target:
        return shape
    cut = shape.target.index(parse.counted) + 1
    if cut == len(shape.target):
        return shape
    rest = " ".join([*shape.target[cut:], shape.rest]).strip()
    return replace(shape, target=shape.target[:cut], rest=rest)


def shape_of(question: str) -> Shape:
    q = question.strip()
    if m := _QUOTE.match(q):
        return Shape("quote", who=m["who"], topic=m["topic"] or _said_clause(m["clause"]))
    if m := _QUOTES_OF.match(q):
        return Shape("quote", who=m["who"], topic=m["topic"] or "")
    if m := _WHO_SAID.match(q):
        return Shape("who_said", topic=m["what"])
    if m := _HOW.match(q):
        how = m.group(1).lower()
        rest_text = m["rest"]
        if how == "much":
            # "how much a share / per share …": the unit the value is per is not what is counted
            rest_text = re.sub(r"^\s*(?:per|a|an)\s+[a-z]+\b", "", rest_text, count=1, flags=re.I) \
                if _PER_UNIT.search(q) else rest_text
        per = _PER_UNIT.search(q) if how == "much" else None
        per_unit = (per["unit"] or per["unit2"]).lower() if per else None
        target, rest = _split_target(rest_text) if how in ("many", "much") else ([], rest_text)
        if how in ("big", "large") and (c := _COPULA_SUBJECT.match(m["rest"])):
            # "how big is Glazer's stake in Manchester United": the subject is what is measured,
            # its owner and the rest say whose and where
            target, after = _split_target(c["phrase"])
            rest = " ".join(x for x in (c["owner"] or "", after, c["tail"] or "") if x)
        return Shape("quantity", how=how, target=target, rest=rest, per_unit=per_unit)
    if m := _WHAT_MEASURE.match(q):
        word = m["word"].lower()
        rest = m["rest"]
        if word in ("number", "amount", "total", "percentage", "percent", "share", "proportion"):
            rest = re.sub(r"^\s*of\s+", "", rest)
            target, rest = _split_target(rest)
            how = "many" if word in ("number", "total") else "much"
            return Shape("quantity", how=how, target=target or [word], rest=rest, measure=word)
        return Shape("quantity", how="many", target=word.split(), rest=rest, measure=word)
    if (m := _WHAT_THE.match(q)) and (w := m["word"] or m["word2"]).lower() not in _HOW_KINDS and kind_word(w):
        # "what was the turnout", "what is the price of …": a word that asks for a kind of figure.
        word = w.lower()
        how = "much" if kind_word(word) in ("money", "percent") else "many"
        return Shape("quantity", how=how, target=[w], rest=m["rest"] or m["rest2"] or "", measure=word)
    if m := _WHEN.match(q):
        return Shape("when", rest=m["rest"])
    if m := _WHO_IS.match(q):
        return Shape("who", who=m["who"])
    return Shape("general")


# --------------------------------------------------------------------------- helpers


def _plain(question: str) -> str:
    q = question.strip().rstrip("?!. ")
    return q[:1].lower() + q[1:] if q[:1].isupper() and not q[1:2].isupper() else q


def _not_stated(question: str, what: str | None = None) -> str:
    body = what or _plain(question)
    body = re.sub(r"^(?:what|which)(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?=the\s)", "", body, flags=re.I)
    if body.lower().startswith("the "):
        return f"No indexed article states {body}."
    if re.match(r"(how|what|when|who|which|where|why|whether)\b", body, re.I):
        return f"No indexed article states {body}."
    return f"No indexed article states an answer to “{question.strip()}”."


def _correction_note(query: Query) -> str:
    if not query.corrections:
        return ""
    pairs = ", ".join(f"“{a}” as “{b}”" for a, b in query.corrections.items())
    return f"(Read {pairs}.)"


def _base_data(question: str, kind: str, query: Query | None) -> dict:
    data = {"question": question, "kind": kind}
    if query is not None:
        data["corrected"] = query.corrected
        data["corrections"] = dict(query.corrections)
        data["entities"] = [e.canonical for e in query.entities]
    return data


def _unanswered(question: str, kind: str, query: Query, closest, *, what: str | None = None, extra: str = "") -> Reply:
    lines = [_not_stated(question, what)]
    if extra:
        lines.append(extra)
    note = _correction_note(query)
    if note:
        lines.append(note)
    if closest.lines:
        lines.append("Closest facts in the corpus:")
        lines += [f"• {line}" for line in closest.lines]
    data = _base_data(question, kind, query)
    data["closest"] = [c.sentence for c in closest.citations]
    return Reply(
        "ask", False, "\n".join(lines), title="Not in the corpus", citations=dedupe(closest.citations), data=data
    )


def _has_any(idx: TextIndex, alts: tuple[str, ...]) -> bool:
    return any(idx.has(a) for a in alts)


# --------------------------------------------------------------------------- quantity


@dataclass(slots=True)
class _Assessed:
    hit: FigureHit
    score: float
    role: str  # answer | related | fallback | scope (| pending:<role>)
    daily: bool
    event: str  # how the figure's event fits the question's: match | weak | free | unknown | partial


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


def _event_fit(f: Figure, asked: _Asked, win_events: frozenset[str], sent_events: frozenset[str]) -> str:
    """How a figure's event fits the question's: ``match`` (the same event), ``partial`` (the
    asked event among others: "killed or wounded" for "died"), ``other`` (a different known
    event: "sent" tanks for "asked for"), ``weak`` (the figure names no known event but its
    sentence has the asked one), ``unknown`` (no sign either way) or ``free`` (the question
    names no event)."""
    if not asked.events:
        return "free"
    own = events_of(f)
    known_own = {k for k in own if known_event(k)}
    if (own | thing_events(f.thing_head or "")) & asked.events:
        return "partial" if known_own - asked.events else "match"
    beside = win_events & asked.events
    if beside:
        # The sentence says the asked event beside the number: the extractor chose another
        # verb ("announced plans to send 14 tanks"), or one of several ("killed, injured or
        # captured 5,000", read as injured and captured: a wider measure).
        return "partial" if known_own and any(known_event(k) for k in beside) else "match"
    if known_own and asked.known_events:
        return "other"
    if asked.known_events and sent_events & asked.known_events:
        return "weak"
    return "unknown" if asked.known_events else "free"


async def _neighbours_mention(ctx: Context, h: FigureHit, terms: list[Term]) -> bool:
    """Whether the sentences beside a figure's sentence name what its own sentence leaves
    implicit ("the salt-mining town" is Soledar two words later)."""
    sentences = await ctx.corpus.store.sentences(h.article.id)
    for i, s in enumerate(sentences):
        if s.text == h.sentence:
            # Two back: a pronoun-led sentence ("they may have recruited") names its subject earlier.
            around = " ".join(x.text for x in sentences[max(0, i - 2): i + 2])
            return coverage(terms, around)[0] >= 0.999
    return False


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
        ),
        countries=countries,
        parties=parties,
    )


async def answer_quantity(ctx: Context, question: str, shape: Shape) -> Reply:
    query = await analyse(ctx, question)
    asked = _read_question(shape, query)
    log.debug("ask reads %r as %s; names %s", question, asked, [(e.matched, e.label) for e in query.entities])
    head, modifiers = asked.head, asked.modifiers
    target_low = {query.corrections.get(w, w).lower() for w in shape.target}
    # Entities the figure's sentence must name: those outside the counted noun phrase.
    constraint_terms = [
        t for t in query.terms
        if t.entity and not t.generic and not ({w.lower() for w in tokens(t.label)} <= target_low)
    ]
    predicate_terms = [t for t in query.terms if not t.entity and t.label.lower() not in target_low]
    asks_daily = bool(_DAILY.search(question))
    per_unit = shape.per_unit
    factual = bool(_FACTUAL.search(question))
    same_name = name_test(await name_index(ctx))
    # The question names organisations only ("Euronext", "the LSE"): a figure a country is
    # said to give is another party's.
    named = [e for e in query.entities if any(same_party(p, e.matched) for p in asked.parties)]
    only_orgs = bool(named) and not asked.countries and all(e.label not in ("PERSON", "GPE", "LOC") for e in named)

    store = ctx.corpus.store
    head_alts = asked.head_alts
    others = [a for t in constraint_terms for a in t.alts] + [m for m in modifiers if not nationalities([m])]
    candidates: list[FigureHit] = []
    if head:
        if others:
            candidates += await store.match_figures([head_alts], [others], limit=80)
            candidates += await store.match_figures([], [head_alts, others], limit=50)
        candidates += await store.match_figures([head_alts], limit=80, recent=bool(others))
        candidates += await store.figures_by_head(sorted(asked.head_keys), limit=200)
        # A figure that says what it counts only in its sentence ("Turnout was 60%").
        candidates += await store.match_figures([], [head_alts], kinds=asked.kinds, limit=50)
    if asked.head_events:
        # "how many deaths": whatever was counted dying (people, soldiers, children).
        event_alts = sorted({w for cls in asked.head_events for w in event_words(cls)})
        candidates += await store.match_figures([], [event_alts] + ([others] if others else []), limit=80)
    if asked.known_events:
        # Counts of what the asked events produce ("casualties" for "how many died").
        results = [k for k in result_nouns() if thing_events(k) & asked.known_events]
        candidates += await store.figures_by_head(results, limit=100)
    if asked.kinds:
        rare = others + modifiers
        # "how much did oil prices rise", "how much is Euronext ready to raise": the question's
        # own words find figures whose sentence leaves the names to its neighbours.
        vocab_terms = sorted(predicate_terms, key=lambda t: -t.weight)[:4]
        said = [a for t in vocab_terms for a in t.alts]
        if said and not rare and not head:
            candidates += await store.match_figures([], [said], kinds=asked.kinds, limit=80)
        if rare:
            candidates += await store.match_figures([], [rare], kinds=asked.kinds, limit=80)
        elif not head and not said:
            candidates += await store.figures_by_kind(asked.kinds, limit=120)
    candidates = dedupe_figures(candidates)

    assessed: list[_Assessed] = []
    for h in candidates:
        f = h.figure
        if asked.kinds and f.kind not in asked.kinds:
            continue
        thing_idx = TextIndex.of(f.thing or "")
        win_words = window(h.sentence, f.surface)
        win_idx = TextIndex.of(" ".join(win_words))
        near_idx = TextIndex.of(" ".join(window(h.sentence, f.surface, before=9, after=9)))
        sent_idx = TextIndex.of(" ".join(x for x in (h.sentence, f.claimant, f.party) if x))
        counted = tokens(f.thing) if f.thing else window(h.sentence, f.surface, before=1, after=4)
        fit = party_fits(asked.parties, f.party, same_name)
        if fit is None and only_orgs and f.party and countries_in(f.party):
            fit = False  # "the German group's £1.5bn" does not answer a question about Euronext
        if fit is None and asked.countries:
            fig_nations = set(countries_in(f.party)) if f.party else nationalities(counted)
            if fig_nations and not (asked.countries & fig_nations):
                fit = False  # "German troops" do not answer a question about Russian soldiers
        if fit is False:
            continue
        names = thing_names(f)
        if asked.names and names and not (asked.names & names):
            continue  # "Challenger 2 tanks" do not answer a question about Leopard tanks
        # A measured figure ("15 years", "20 km") counts its unit, whatever noun stands near it.
        unit_words = {norm(w) for w in tokens(f"{f.unit or ''} {f.unit_original or ''}")}
        names_unit = bool(head) and norm(head) in unit_words
        if not asked.kinds and f.kind in _NOT_COUNTS and not names_unit:
            continue  # "35% more refugees" is not a number of refugees
        measured = bool(f.unit) and f.unit != "%" and not names_unit
        fe = figure_events(f)
        score = 0.0
        head_in_thing = bool(head) and (f.thing_head in asked.head_keys or _has_any(thing_idx, head_alts))
        head_in_window = bool(head) and not f.thing and not measured and _has_any(win_idx, head_alts)
        head_by_event = bool(asked.head_events) and len(asked.head_events & fe) >= min(2, len(asked.head_events))
        generic_head = bool(head) and norm(head) in _GENERIC_HEADS and not f.thing_head and bool(fe & asked.events)
        # "how many days …": "four days" counts the very unit asked for
        head_ok = head_in_thing or head_in_window or head_by_event or generic_head or names_unit
        if head_in_thing or names_unit:
            score += 3
        elif head_in_window or head_by_event:
            score += 2
        for m in modifiers:
            if thing_idx.has(m):
                score += 1.5
            elif win_idx.has(m):
                score += 1.0
            elif sent_idx.has(m):
                score += 0.3
        cov_e = 1.0
        if constraint_terms:
            cov_e, hit_e, _ = coverage(constraint_terms, sent_idx)
            score += 2 * cov_e
            score += sum(0.8 for t in hit_e if _has_any(near_idx, t.alts))
        if fit:
            score += 1.0
            if len(countries_in(f.party)) <= 1:
                score += 1.5  # Germany's own figure before one Germany shares with the US
        pred_cov = coverage(predicate_terms, sent_idx)[0] if predicate_terms else 0.0
        score += PREDICATE_WEIGHT * pred_cov
        if f.thing and predicate_terms:
            score += 0.5 * coverage(predicate_terms, thing_idx)[0]  # "Ukrainians displaced"
        if asked.kinds:
            score += 2
        event = _event_fit(f, asked, event_keys(win_words), event_keys(tokens(h.sentence)))
        daily = f.kind == "rate" or bool(_DAILY.search(" ".join(win_words))) or bool(
            f.time_scope and _DAILY.search(f.time_scope))
        if head and not head_ok:
            # Without the counted noun only a count of an event the question asks about may
            # stand in, as another measure: "casualties" beside "soldiers who died".
            eventive = bool(thing_events(f.thing_head or "")) and (fit or not asked.parties)
            role = "related" if eventive and fe & asked.known_events else "none"
        elif event in ("match", "weak", "free"):
            role = "answer"
            score += {"match": 2.0, "weak": 1.0, "free": 0.0}[event]
            if event == "match" and f.kind == "change":
                score += 1.0  # "how much did profits rise": the rise itself
        elif event == "partial":
            role = "related"
        elif event == "unknown":
            role = "fallback"
        else:
            role = "none"
        if role == "answer" and event == "free" and daily and not asks_daily:
            role = "scope"  # a number per day does not say how many there are
        if role == "none":
            continue
        if factual and _hypothetical_figure(h):
            role = "related"  # "could face a fine of £2m if …" is not the fine given
        if constraint_terms and cov_e < 0.999:
            role = "pending:" + role
        if daily != asks_daily:
            score -= 1.5
        if per_unit:
            # "how much per share": "530 pence-a-share", "100 dlr per share offer", "90.50 dlrs a share"
            after = h.sentence[h.sentence.find(f.surface):][: len(f.surface) + 24].lower()
            if re.search(rf"(?:\bper|\ba|-a|-per)[\s-]+(?:[A-Z]\w*\s+)?{re.escape(per_unit)}", after, re.I):
                score += 4.0
            else:
                # a total ("£1.35bn") is not a price per share
                role = role.replace("answer", "related").replace("fallback", "related")
        if f.qualifier == "vague_magnitude":
            score -= 1.5  # "dozens" says less than "14"
        score -= 0.02 * h.score  # bm25: lower is better
        assessed.append(_Assessed(h, score, role, daily, event))
        log.debug("ask candidate %s %r score=%.2f role=%s event=%s", f.surface, f.thing, score, role, event)

    # Entities named only in a neighbouring sentence still count, checked for the best few.
    pending = sorted((a for a in assessed if a.role.startswith("pending:")), key=lambda a: -a.score)[:6]
    asked_nations = nationalities(a for t in constraint_terms for a in t.alts)
    for a in pending:
        own = nationalities(tokens(a.hit.sentence))
        if asked_nations and own and not (own & asked_nations):
            continue  # "a British decision to send 14 tanks" is not the US sending them
        if await _neighbours_mention(ctx, a.hit, constraint_terms):
            a.role = a.role.split(":", 1)[1]
    answers = sorted((a for a in assessed if a.role == "answer"), key=lambda a: -a.score)
    if not answers:
        # Figures whose event says nothing either way answer when nothing better does
        # ("eight vehicles known as M88s" for "how many M88s will the US send").
        answers = sorted((a for a in assessed if a.role == "fallback"), key=lambda a: -a.score)
    others_rel = sorted((a for a in assessed if a.role == "related"), key=lambda a: -a.score)
    if head:
        # "men" asked: figures counting men beat figures counting soldiers, its near-synonym.
        exact = [a for a in answers if _counts_exactly(a.hit, head)]
        if exact:
            answers = exact + [a for a in answers if a not in exact and a.event == "match"]
    if not asked.known_events and predicate_terms:
        # No known event ("how many men were detained"): the question's verb must be there.
        with_pred = [a for a in answers if coverage(predicate_terms, TextIndex.of(a.hit.sentence))[0] > 0]
        answers = with_pred or answers

    if not answers:
        near = [a.hit for a in sorted(assessed, key=lambda a: -a.score)]
        closest = await closest_facts(ctx, query, figures=near[:3])
        return _unanswered(question, "quantity", query, closest)

    top = answers[0]
    in_scope = [a for a in answers if a.daily == top.daily]
    # Two values in one sentence are a total and its part, or a start and an end ("from 5,000
    # to about 24,000"), not two sources that differ.
    same_thing = [
        a for a in in_scope
        if a is top or (same_measure_hits(top.hit, a.hit, same_name) and not _same_sentence(top.hit, a.hit))
    ]
    # The same value on the same measure is an agreement even where a generic count and a
    # make's could not disagree: "14 tanks" (the German government) and "14 Leopard 2 tanks"
    # (Olaf Scholz) are one answer from two sources.
    value = (top.hit.figure.low, top.hit.figure.high, top.hit.figure.unit)
    for a in in_scope:
        f = a.hit.figure
        if a in same_thing or (f.low, f.high, f.unit) != value or _same_sentence(top.hit, a.hit):
            continue
        if asked.countries and not f.party:
            own = _claimant_country(a.hit)
            if (own and own not in asked.countries) or not set(asked.countries) <= nationalities(tokens(a.hit.sentence)):
                continue  # "British Prime Minister Rishi Sunak … 14 Challenger 2 tanks" is not Germany's
        if all(same_measure(m.hit.figure, f, same_name) for m in same_thing):  # with every member
            same_thing.append(a)
    different_thing = [a for a in in_scope if a not in same_thing]
    other_scope = [a for a in answers if a.daily != top.daily]
    other_scope += sorted((a for a in assessed if a.role == "scope" and a.daily != top.daily), key=lambda a: -a.score)
    groups = _group(same_thing, same_measure=True)
    lines: list[str] = []
    # The first line is the answer even when sources differ: the best-supported value, then
    # the others on the same measure.
    lines.append(_group_line(groups[0]) + (" — sources differ:" if len(groups) > 1 else ""))
    lines += [f"• {_group_line(g)}" for g in groups[1:6]]
    sections = [
        ("Other figures that may answer it:", _group(different_thing)),
        ("Per-day figures:" if not top.daily else "Totals:", _group(other_scope)),
        ("Other measures (not the same thing):", _group(others_rel)),
    ]
    shown: list[_Assessed] = [a for g in groups[:6] for a in g[:4]]  # every source of an agreement is cited
    for head_line, grouped in sections:
        if grouped:
            lines.append(head_line)
            lines += [f"• {_group_line(g)}" for g in grouped[:5]]
            shown += [g[0] for g in grouped[:5]]
    note = _correction_note(query)
    if note:
        lines.append(note)
    citations = dedupe([figure_citation(a.hit) for a in shown])
    table = [
        [a.hit.figure.surface, a.hit.figure.thing or "", a.hit.figure.claimant or "", source_label(a.hit.article),
         "answer" if a in answers else "other measure"]
        for a in shown
    ]
    data = _base_data(question, "quantity", query)
    data["figures"] = [figure_record(a.hit) for a in answers[:12]]
    data["related_figures"] = [figure_record(a.hit) for a in others_rel[:12]]
    return Reply(
        "ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
        columns=["figure", "what", "claimant", "source", "kind"], table=table, citations=citations, data=data,
    )


def _counts_exactly(h: FigureHit, head: str) -> bool:
    s = norm(head)
    if h.figure.thing_head == s:
        return True
    words = tokens(h.figure.thing) if h.figure.thing else window(h.sentence, h.figure.surface, before=0, after=4)
    return any(norm(w) == s for w in words)


#: "how much per share", "how much a share": a value per unit of something (not per period).
_PER_UNIT = re.compile(
    r"\bhow\s+much\s+(?:\w+\s+)?(?:per|a)\s+(?P<unit>(?!day|week|month|year|hour)[a-z]+)\b"
    r"|\b(?:per|a)\s+(?P<unit2>share)\b",
    re.I,
)


def _claimant_country(h: FigureHit) -> str | None:
    """The country a sentence gives its claimant ("German Chancellor Olaf Scholz" -> Germany),
    read from the words just before the claimant's name."""
    claimant = h.figure.claimant
    at = h.sentence.find(claimant) if claimant else -1
    if at <= 0:
        return None
    found = nationalities(tokens(h.sentence[:at])[-4:])
    return next(iter(found)) if len(found) == 1 else None


def _same_sentence(a: FigureHit, b: FigureHit) -> bool:
    return a.article.id == b.article.id and a.sentence == b.sentence


def _group(items: list[_Assessed], *, same_measure: bool = False) -> list[list[_Assessed]]:
    """Figures with one value, however many sources give it: on one measure (``same_measure``)
    equal values are an agreement whatever words each source counts them in ("14 Leopard 2
    tanks" per Olaf Scholz, "14 tanks" per the German government); elsewhere one group per
    value and thing."""
    out: dict[tuple, list[_Assessed]] = {}
    for a in items:
        f = a.hit.figure
        key = (f.low, f.high, f.unit) if same_measure else (f.low, f.high, thing_key(f.thing))
        out.setdefault(key, []).append(a)
    return list(out.values())


def _group_line(group: list[_Assessed]) -> str:
    """The group's best-worded figure, with every source that gives it: "14 Leopard 2 tanks —
    according to Olaf Scholz and the German government · [4] RFE/RL"."""
    lead = group[0]
    line = figure_line(lead.hit)
    claimants = list(dict.fromkeys(a.hit.figure.claimant for a in group if a.hit.figure.claimant))
    if len(claimants) > 1:
        named = ", ".join(claimants[:-1]) + f" and {claimants[-1]}"
        line = line.replace(f"according to {lead.hit.figure.claimant}", f"according to {named}", 1)
    more = len({a.hit.article.id for a in group}) - 1
    return line + (f" (also in {more} more article{'s' if more > 1 else ''})" if more > 0 else "")


# --------------------------------------------------------------------------- quotes


def _speaker(index, text: str) -> EntityMatch | None:
    matches = index.match(text, limit=3)
    people = [m for m in matches if m.label == "PERSON"]
    if people:
        return people[0]
    if matches:
        return matches[0]
    return index.best(text, cutoff=85.0)


def _quote_line(q: QuoteHit) -> str:
    who = q.quote.speaker or "unattributed"
    role = f" ({q.quote.speaker_role})" if q.quote.speaker_role else ""
    return f"{who}{role}: “{quoted(q.quote.text, 400)}” · {source_label(q.article)}"


def _quote_citation(q: QuoteHit) -> Citation:
    a = q.article
    return Citation(a.id, a.title, a.outlet, a.published, a.url, q.sentence)


async def _quote_context(ctx: Context, h: QuoteHit, cache: dict[int, list[SentenceHit]]) -> str:
    """The article's title and the sentences just around a quote: what the quote is about."""
    aid = h.article.id
    if aid not in cache:
        cache[aid] = await ctx.corpus.store.sentences(aid)
    sents = cache[aid]
    i = next((k for k, s in enumerate(sents) if s.start <= h.quote.start < s.end + 2), None)
    around = sents[max(0, i - 2) : i + 2] if i is not None else []
    return " ".join([h.article.title, *(s.text for s in around)])


async def answer_quote(ctx: Context, question: str, shape: Shape) -> Reply | None:
    index = await name_index(ctx)
    query = await analyse(ctx, question)
    who_query = await analyse(ctx, shape.who, base=query)
    speaker = _speaker(index, who_query.corrected)
    if speaker is None:
        return None
    alts = list(_entity_alts(speaker))
    topic_q = await analyse(ctx, shape.topic, base=query) if shape.topic.strip() else None
    store = ctx.corpus.store
    hits: list[QuoteHit] = []
    if topic_q and topic_q.terms:
        hits += await store.match_quotes(alts, [a for t in topic_q.terms for a in t.alts], limit=40)
    hits += await store.quotes_by_speakers(sorted(set(speaker.names) | {speaker.canonical}), limit=150)
    if not shape.topic:
        hits += await store.match_quotes(alts, limit=60)
    seen: set[int] = set()
    ranked: list[tuple[float, QuoteHit]] = []
    article_sentences: dict[int, list[SentenceHit]] = {}
    for h in hits:
        if h.id in seen:
            continue
        seen.add(h.id)
        if h.quote.speaker and not any(TextIndex.of(h.quote.speaker).has(a) for a in alts):
            continue
        if topic_q and topic_q.terms:
            in_quote = coverage(topic_q.terms, h.quote.text)[0]
            in_sentence = coverage(topic_q.terms, h.sentence)[0]
            in_title = coverage(topic_q.terms, h.article.title)[0]
            score = max(in_quote, 0.8 * in_sentence, 0.4 * in_title)
            if score < 0.8:
                # A quote answers "what did X say about Y" when the lines around it are about
                # Y: "Rio Ferdinand said of the bid: …" names Glazer a sentence earlier.
                context = await _quote_context(ctx, h, article_sentences)
                score = max(score, 0.65 * coverage(topic_q.terms, context)[0])
        else:
            score = 1.0
        if len(h.quote.text.split()) < 3:
            score -= 0.15  # a scare-quoted word says little about what was said
        ranked.append((score, h))
    ranked.sort(key=lambda x: (-x[0], -(int((x[1].article.published or "0").replace("-", "") or 0))))
    # Half of a two-word topic ("march" of "march on Moscow") is not the topic.
    floor = 0.6 if topic_q and len(topic_q.terms) > 1 else 0.5
    good = [h for s, h in ranked if s >= floor]
    name = max(speaker.names, key=len) if speaker.label == "PERSON" else speaker.matched
    data = _base_data(question, "quote", query)
    data["speaker"] = speaker.canonical
    if good:
        top = good[:6]
        first = top[0]
        who = first.quote.speaker or name
        lines = [f"{who} said: “{quoted(first.quote.text, 400)}” · {source_label(first.article)}"]
        if len(top) > 1:
            lines.append("Also:")
            lines += [f"• {_quote_line(q)}" for q in top[1:]]
        data["quotes"] = [
            {"text": q.quote.text, "speaker": q.quote.speaker, "role": q.quote.speaker_role,
             "article_id": q.article.id, "published": q.article.published, "sentence": q.sentence}
            for q in top
        ]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([_quote_citation(q) for q in top]), data=data)
    # No direct quote: reported speech that names the speaker and the topic still answers.
    groups = [alts] + ([[a for t in topic_q.terms for a in t.alts]] if topic_q and topic_q.terms else [])
    sentences = await store.match_sentences(groups, limit=30)
    reported = [
        s for s in sentences
        if _SPEECH.search(s.text) and topic_q and coverage(topic_q.terms, s.text)[0] >= floor
    ]
    if reported and topic_q:
        reported.sort(key=lambda s: -coverage(topic_q.terms, s.text)[0])
        top_s = reported[:4]
        lead = top_s[0]
        lines = [f"No direct quote of {name} on that, but: “{quoted(lead.text)}” · {source_label_hit(lead)}"]
        lines += [f"• “{quoted(s.text)}” · {source_label_hit(s)}" for s in top_s[1:]]
        data["sentences"] = [s.text for s in top_s]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([sentence_citation(s) for s in top_s]), data=data)
    closest = await closest_facts(ctx, query)
    for _, h in ranked[:2]:
        closest.lines.insert(0, _quote_line(h))
        closest.citations.insert(0, _quote_citation(h))
    what = f"what {name} said" + (f" about {shape.topic.strip().rstrip('?.!')}" if shape.topic else "")
    return _unanswered(question, "quote", query, closest, what=what)


async def answer_who_said(ctx: Context, question: str, shape: Shape) -> Reply | None:
    what = shape.topic.strip().strip("“”\"'")
    query = await analyse(ctx, what)
    if not query.terms:
        return None
    vocab = await vocabulary(ctx)
    groups = query.fts_groups(vocab)
    hits = await ctx.corpus.store.match_quotes([], groups, limit=40)
    probe = what.lower()
    scored = []
    for h in hits:
        text = h.quote.text.lower()
        score = max(fuzz.partial_ratio(probe, text) if len(probe) <= len(text) else fuzz.ratio(probe, text),
                    coverage(query.terms, h.quote.text)[0] * 100)
        scored.append((score, h))
    scored.sort(key=lambda x: -x[0])
    good = [h for s, h in scored if s >= 75 and h.quote.speaker]
    data = _base_data(question, "who_said", query)
    if good:
        top = good[:5]
        lines = [f"{top[0].quote.speaker}: “{quoted(top[0].quote.text, 400)}” · {source_label(top[0].article)}"]
        lines += [f"• {_quote_line(q)}" for q in top[1:]]
        data["quotes"] = [{"text": q.quote.text, "speaker": q.quote.speaker, "article_id": q.article.id} for q in top]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([_quote_citation(q) for q in top]), data=data)
    return None


# --------------------------------------------------------------------------- who is

def _is_role_word(word: str) -> bool:
    """A word of the one role vocabulary (``corpus/language/roles.json``), or an organisation
    word a role description may end on ("the head of the agency")."""
    return is_role(word) or word.lower() in _ROLE_CONTEXT


#: Nouns that close a role description without being a role ("a ministry official").
_ROLE_CONTEXT = frozenset("agency ministry group company army administration service council opposition".split())


_CONNECTOR = re.compile(
    r"\b(?:according to|said|says|told|tells|by|with|from|as|when|that|while|after|before|including|whom|who|"
    r"which|where|and|but|is|was|has|had|have|like)\b",
    re.I,
)
_DETERMINER = re.compile(r"^(?:its|his|her|their|our)\s+", re.I)


def _has_role(text: str) -> bool:
    return any(_is_role_word(w) for w in tokens(text))


def _clean_role(text: str) -> str:
    parts = _CONNECTOR.split(text)
    role = parts[-1].strip(" ,;:–—-")
    return _DETERMINER.sub("", role).strip()


_TITLE_LINKS = frozenset({"of", "the", "for", "and", "to", "de", "on"})


def _title_run(segment: str) -> str:
    """The title words right before a name ("Wagner Group chief" in "it doesn't know Wagner
    Group chief"): capitalised words, role nouns and the small words that join them."""
    run: list[str] = []
    for w in reversed(segment.split()):
        if w[:1].isupper() or _is_role_word(w) or w.lower() in _TITLE_LINKS or "-" in w:
            run.append(w)
        else:
            break
    while run and run[-1].lower() in _TITLE_LINKS - {"the"}:
        run.pop()
    return " ".join(reversed(run))


def role_near(text: str, start: int, end: int) -> str | None:
    """The words a sentence uses to say who a named person is, if it says.

    Handles the two newswire shapes: a title run before the name ("Wagner chief Yevgeny
    Prigozhin", "the Ukrainian commander of ground forces, Colonel General Oleksandr
    Syrskyi") and an apposition after it ("Sergei Shoigu, the Russian defence minister,").
    """
    after = text[end:]
    m = re.match(
        r"\s*,\s*((?:the|a|an|its|his|her|their)\s+[^,;:()“”\"]{2,100}?|[A-Z][^,;:()“”\"]{2,100}?)"
        r"\s*(?=,|;|\.|\)|$|\s+(?:said|says|told|added|wrote|warned|has|had|is|was)\b)",
        after,
    )
    if m:
        role = _clean_role(m.group(1))
        if role and _has_role(role) and len(role.split()) <= 12:
            return role
    before = text[:start].rstrip()
    if not before:
        return None
    segments = re.split(r"[,;:(“”\"—–]", before)
    if not before.endswith(","):
        role = _title_run(_clean_role(segments[-1]))
        words = role.split()
        if role and _has_role(role) and len(words) <= 9:
            if len(segments) >= 2 and all(w[:1].isupper() for w in words):
                prev = _clean_role(segments[-2])
                if prev and _has_role(prev) and len(prev.split()) <= 9:
                    role = f"{prev}, {role}"
            return role
        return None
    if len(segments) >= 2:
        prev = _clean_role(segments[-2])
        if prev and _has_role(prev) and len(prev.split()) <= 9:
            return prev
    return None


def _find_name(text: str, names: list[str]) -> tuple[int, int] | None:
    for n in names:
        m = re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)
        if m:
            return m.start(), m.end()
    return None


def _roles_in(hits: list[SentenceHit], names: list[str]) -> list[tuple[str, SentenceHit]]:
    out = []
    for h in hits:
        span = _find_name(h.text, names)
        if span is None:
            continue
        role = role_near(h.text, *span)
        if role:
            out.append((role, h))
        else:  # the who command's reader ("LSE chief executive Clara Furse")
            out += [(r, h) for r in who_roles_in(h.text, names, "PERSON")]
    return out


def _same_description(a: str, b: str) -> bool:
    """Two descriptions of a person name one role: worded alike, or naming the same job
    ("ex-chief financial officer", "WorldCom financial chief")."""
    if fuzz.token_set_ratio(a.lower(), b.lower()) >= 90:
        return True
    ra, rb = (role_in(re.sub(r"(?i)\b(?:ex|former|then|acting)-", "", x)) for x in (a, b))
    return bool(ra and rb and " " in ra + rb and same_role(ra, rb))


def _distinct_roles(found: list[tuple[str, SentenceHit]]) -> list[tuple[str, list[SentenceHit]]]:
    """Descriptions of a person, grouped by the role they name, the most often given first."""
    groups: list[tuple[str, list[SentenceHit]]] = []
    for role, h in found:
        for i, (r, hs) in enumerate(groups):
            if _same_description(r, role):
                hs.append(h)
                if len(role) > len(r):
                    groups[i] = (role, hs)
                break
        else:
            groups.append((role, [h]))
    groups.sort(key=lambda g: -len(g[1]))
    return groups


#: Single role words, to find the sentences that describe a person (one vocabulary: roles.json).
_ROLE_WORDS = frozenset(w for w in role_words() if " " not in w and "." not in w)


async def answer_who(ctx: Context, question: str, shape: Shape) -> Reply | None:
    index = await name_index(ctx)
    query = await analyse(ctx, question)
    who_query = await analyse(ctx, shape.who, base=query)
    store = ctx.corpus.store
    matches = index.match(who_query.corrected, limit=3)
    who_words = [w for w in content_words(who_query.corrected)]
    asks_role = any(_is_role_word(w) and not w[:1].isupper() for w in who_words)
    person = None
    for m in matches:
        if asks_role and m.label != "PERSON":
            continue  # "the head of Wagner": Wagner is context, the answer is a person
        # The match must be (nearly) the whole of what is asked about, not one word of a role.
        if len(tokens(m.matched)) >= max(1, len(who_words) - 1):
            person = m
            break
    data = _base_data(question, "who", query)
    if person is not None:
        names = sorted({n for n in person.names if len(n) >= 3} | {person.canonical}, key=len, reverse=True)
        alts = list(_entity_alts(person))
        role_alts = sorted({w for w in _ROLE_WORDS})
        hits = await store.match_sentences([alts, role_alts], limit=80, recent=True)
        hits += await store.match_sentences([alts], limit=30)
        seen: set[int] = set()
        hits = [h for h in hits if not (h.sentence_id in seen or seen.add(h.sentence_id))]
        surnames = names + [n.split()[-1] for n in names if " " in n and person.label == "PERSON"]
        roles = _distinct_roles(_roles_in(hits, surnames))
        for q in await store.quotes_by_speakers(sorted(set(person.names) | {person.canonical}), limit=30):
            r = q.quote.speaker_role
            if r and r.lower() in q.sentence.lower():
                sentence = SentenceHit(0, q.article.id, 0, 0, 0, q.sentence, q.article.title, q.article.outlet,
                                       q.article.published, q.article.url, 0.0)
                if not any(fuzz.token_set_ratio(r.lower(), x.lower()) >= 90 for x, _ in roles):
                    roles.append((r, [sentence]))
        full = max(person.names, key=len) if person.label == "PERSON" else person.matched
        data["entity"] = person.canonical
        if roles:
            lines = [f"{full} — {roles[0][0]} · {source_label_hit(roles[0][1][0])}"]
            if len(roles) > 1:
                lines.append("Also described as:")
                lines += [f"• {r} · {source_label_hit(hs[0])}" for r, hs in roles[1:4]]
            data["roles"] = [r for r, _ in roles[:4]]
            cites = [sentence_citation(hs[0]) for _, hs in roles[:4]]
            return Reply(
                "ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data
            )
        if hits:
            top = hits[:4]
            lines = [f"No indexed article describes {full}'s role; they are mentioned here:"]
            lines += [f"• “{quoted(h.text)}” · {source_label_hit(h)}" for h in top]
            data["sentences"] = [h.text for h in top]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=dedupe([sentence_citation(h) for h in top]), data=data)
        return None
    # "Who is the head of Wagner?": find the people a role description fits.
    if not _has_role(shape.who):
        return None
    role_words = [w for w in who_words if _is_role_word(w)]
    role_alts: set[str] = set(w.lower() for w in role_words)
    for w in role_words:
        role_alts |= {r for r in _ROLE_WORDS if same_role(w, r)}
    context_terms = [t for t in who_query.terms if t.label.lower() not in role_alts]
    if not context_terms:
        return None
    groups = [list(t.alts) for t in context_terms if not t.generic] + [sorted(role_alts)]
    hits = await store.match_sentences(groups, limit=60)
    people: Counter = Counter()
    evidence: dict[str, tuple[str, SentenceHit]] = {}
    asked = {e.canonical for e in who_query.entities}
    for h in hits:
        for m in names_in(h.text, index):
            if m.canonical in asked:
                continue
            span = _find_name(h.text, sorted(m.names, key=len, reverse=True))
            if span is None:
                continue
            role = role_near(h.text, *span)
            if not role:
                continue
            ridx = TextIndex.of(role)
            if not any(ridx.has(a) for a in role_alts):
                continue
            if coverage(context_terms, TextIndex.of(role))[0] < 0.5 and coverage(context_terms, h.text)[0] < 0.999:
                continue
            people[m.canonical] += 1
            evidence.setdefault(m.canonical, (role, h))
    if not people:
        return None
    best = [c for c, _ in people.most_common(3)]
    lines = []
    cites = []
    for c in best:
        role, h = evidence[c]
        name = _find_name(h.text, sorted(index.groups.get(c, [c]), key=len, reverse=True))
        shown = h.text[name[0]:name[1]] if name else c
        lines.append(f"{shown} — {role} · {source_label_hit(h)}")
        cites.append(sentence_citation(h))
    data["people"] = best
    return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data)


# --------------------------------------------------------------------------- when


async def answer_when(ctx: Context, question: str, shape: Shape) -> Reply:
    full_query = await analyse(ctx, question)
    query = await analyse(ctx, shape.rest, base=full_query) if shape.rest.strip() else full_query
    ranked = await ranked_sentences(ctx, query, limit=80)
    strong = [
        r for r in ranked
        if r.coverage >= 0.6 and not any(t.entity and not t.generic for t in r.missed)
    ]
    data = _base_data(question, "when", full_query)
    if strong:
        article_ids = sorted({r.hit.article_id for r in strong[:15]})
        events = await ctx.corpus.store.events(article_ids=article_ids, limit=2000)
        by_sentence: dict[tuple[int, int], list[EventHit]] = {}
        for e in events:
            by_sentence.setdefault((e.article.id, e.event.sentence_start), []).append(e)
        dated: list[tuple[RankedSentence, list[EventHit]]] = []
        for r in strong:
            evs = by_sentence.get((r.hit.article_id, r.hit.start))
            if evs:
                dated.append((r, evs))
        if dated:
            best_cov = dated[0][0].coverage
            top = [(r, evs) for r, evs in dated if r.coverage >= best_cov - 0.1][:5]
            dates: dict[str, list[tuple[RankedSentence, EventHit]]] = {}
            for r, evs in top:
                ev = sorted(evs, key=lambda e: ("day", "week", "month", "year").index(e.event.precision)
                            if e.event.precision in ("day", "week", "month", "year") else 9)[0]
                dates.setdefault(ev.event.date, []).append((r, ev))
            first_r, first_ev = next(iter(dates.values()))[0]
            lines = [
                f"{first_ev.event.surface} ({date_label(first_ev.event.date, first_ev.event.precision)})"
                f" — “{quoted(first_r.hit.text)}”"
                f" · {source_label_hit(first_r.hit)}"
            ]
            if len(dates) > 1:
                lines.append("Sources give other dates:")
                for d, items in list(dates.items())[1:]:
                    r, ev = items[0]
                    lines.append(
                        f"• {ev.event.surface} ({date_label(d, ev.event.precision)}) — “{quoted(r.hit.text)}”"
                        f" · {source_label_hit(r.hit)}"
                    )
            note = _correction_note(full_query)
            if note:
                lines.append(note)
            data["events"] = [
                {"date": d, "surface": items[0][1].event.surface, "precision": items[0][1].event.precision,
                 "article_id": items[0][0].hit.article_id, "sentence": items[0][0].hit.text}
                for d, items in dates.items()
            ]
            cites = [sentence_citation(r.hit) for r, _ in top]
            return Reply(
                "ask", True, "\n".join(lines), title=f"Q: {question.strip()}", citations=dedupe(cites), data=data
            )
        undated = [(r, m) for r in strong[:10] if r.coverage >= 0.75 and (m := _WRITTEN_DATE.search(r.hit.text))]
        if undated:
            r, m = undated[0]
            lines = [f"{m.group(0)} — “{quoted(r.hit.text)}” · {source_label_hit(r.hit)}"]
            if not r.hit.published:
                lines.append("(The article is undated, so the year is not known from it.)")
            for r2, m2 in undated[1:4]:
                if m2.group(0) != m.group(0):
                    lines.append(f"• {m2.group(0)} — “{quoted(r2.hit.text)}” · {source_label_hit(r2.hit)}")
            data["events"] = [{"date": None, "surface": m2.group(0), "precision": None,
                               "article_id": r2.hit.article_id, "sentence": r2.hit.text} for r2, m2 in undated[:4]]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=dedupe([sentence_citation(r2.hit) for r2, _ in undated[:4]]), data=data)
        reported = [
            r for r in strong[:5]
            if r.coverage >= 0.75 and r.hit.published and _SPEECH_QUESTION.search(question)
        ]
        if reported:
            r = reported[0]
            lines = [
                f"No date is given in the text; it was reported on {r.hit.published}: “{quoted(r.hit.text)}”"
                f" · {source_label_hit(r.hit)}"
            ]
            data["events"] = [{"date": r.hit.published, "surface": None, "precision": "reported",
                               "article_id": r.hit.article_id, "sentence": r.hit.text}]
            return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                         citations=[sentence_citation(r.hit)], data=data)
    closest = await closest_facts(ctx, query)
    return _unanswered(question, "when", full_query, closest, what=_plain(question))


#: "When did X say ...": a statement is dated by the report that carries it.
_SPEECH_QUESTION = re.compile(r"\b(say|said|tell|told|announce|announced|warn|warned|call|called|write|wrote)\b", re.I)


_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
#: A calendar date as written ("January 25", "25 January 2023", "in March 2022", "Feb. 24, 2022").
_WRITTEN_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.)\s+\d{{1,2}}(?:,\s+\d{{4}})?\b"
    rf"|\b\d{{1,2}}\s+(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:in|since|by|until)\s+(?:(?:early|late|mid-?)\s*)?(?:{_MONTHS})(?:\s+\d{{4}})?\b"
    rf"|\b(?:in|since)\s+(?:19|20)\d{{2}}\b"
)


# --------------------------------------------------------------------------- anything else

_ANSWER_COVERAGE = 0.7


#: A sentence that says what could happen if something does ("could face a jail sentence of
#: 85 years if convicted") does not answer a question about what did happen.
_HYPOTHETICAL = re.compile(r"\b(?:could|would|might|may)\b[^.]*\bif\b|\bif\b[^.]*\b(?:could|would|might|may)\b", re.I)
_FACTUAL = re.compile(r"^\s*(?:what|which|who|where|how)\b[^?]*?\b(?:was|were|did|has|have|had)\b", re.I)


def _hypothetical_figure(h: FigureHit) -> bool:
    """A figure that a modal verb just before it makes conditional ("could face a fine of £2m
    if …"); a figure in a factual clause of a conditional sentence ("… attacks like that which
    killed seven people") is not."""
    if not re.search(r"\bif\b", h.sentence, re.I):
        return False
    before = window(h.sentence, h.figure.surface, before=6, after=0)
    return any(w.lower() in ("could", "would", "might", "may") for w in before)


async def answer_general(ctx: Context, question: str, kind: str = "general") -> Reply:
    query = await analyse(ctx, question)
    ranked = await ranked_sentences(ctx, query, limit=60)
    data = _base_data(question, kind, query)
    # Names and words the sentence leaves to its neighbours ("has a 6,932 majority" after
    # "… contest the Derbyshire seat of Erewash") count at part weight.
    contexts = await sentence_contexts(ctx, [r.hit for r in ranked[:40]])
    rescored = []
    for r in ranked:
        cov, matched, missed = coverage(query.terms, r.hit.text, contexts.get(r.hit.sentence_id))
        rescored.append(RankedSentence(r.hit, max(cov, r.coverage), r.similarity, matched, missed))
    rescored.sort(key=lambda r: (-r.score, r.hit.score))
    factual = bool(_FACTUAL.search(question))
    good = [
        r for r in rescored
        if r.coverage >= _ANSWER_COVERAGE and not any(t.entity and not t.generic for t in r.missed)
        and any(not t.generic for t in r.matched)
        and not (factual and _HYPOTHETICAL.search(r.hit.text))
    ]
    if not good:
        closest = await closest_facts(ctx, query)
        return _unanswered(question, kind, query, closest)
    top: list[RankedSentence] = []
    per_article: Counter = Counter()
    for r in good:
        if per_article[r.hit.article_id] >= 2:
            continue
        per_article[r.hit.article_id] += 1
        top.append(r)
        if len(top) >= 4:
            break
    lines = [f"“{quoted(top[0].hit.text, 400)}” · {source_label_hit(top[0].hit)}"]
    if len(top) > 1:
        lines.append("Also:")
        lines += [f"• “{quoted(r.hit.text)}” · {source_label_hit(r.hit)}" for r in top[1:]]
    note = _correction_note(query)
    if note:
        lines.append(note)
    data["sentences"] = [r.hit.text for r in top]
    return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                 citations=dedupe([sentence_citation(r.hit) for r in top]), data=data)


@command(
    "ask",
    "Ask a question; the answer comes only from indexed articles, with the sentences it rests on.",
    args=(Arg("question", "your question, e.g. how many tanks is the US sending?"),),
    example="ask how many tanks is the US sending?",
)
async def ask_command(ctx: Context, req: Request) -> Reply:
    question = str(req.args["question"]).strip()[:500]
    # "whats", "whos": contractions typed without the apostrophe
    question = re.sub(r"\b(what|who|where|when|how)s\b", r"\1's", question, flags=re.I)
    shape = shape_of(question)
    if shape.kind == "quantity" and shape.target:
        shape = _counted_from_parse(shape, await ctx.corpus.parse_claim(question))
    reply: Reply | None = None
    if shape.kind == "quantity":
        reply = await answer_quantity(ctx, question, shape)
    elif shape.kind == "quote":
        reply = await answer_quote(ctx, question, shape)
    elif shape.kind == "who_said":
        reply = await answer_who_said(ctx, question, shape)
    elif shape.kind == "who":
        reply = await answer_who(ctx, question, shape)
    elif shape.kind == "when":
        reply = await answer_when(ctx, question, shape)
    if reply is None:
        reply = await answer_general(ctx, question, shape.kind)
    return reply
