"""The shape of a question: what kind it is and its parts.

What kind of question it is decides where the answer is looked for, so every question is
first read by word rules alone (no store access): "how many/much/far" and "what is the
number of" ask for a figure, "what did X say" for a quote, "who said" for a speaker, "who
is" for a person's role, "when" for a date, and anything else for the best sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from corpus.extract.claims import ClaimParse
from corpus.extract.quotes import SPEECH_LEMMAS
from corpus.language import kind_word, lexicon, norm

from ..answering import tokens

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
#: "what did X say …": the reporting verb is found word by word against the one speech
#: vocabulary the quote extractor reads attributions with (``SPEECH_LEMMAS``), not a list here.
_QUOTE = re.compile(_LEAD_IN + r"what\s+(?:did|does|do|has|have|had)\s+(?P<body>.+?)\s*[?.!]*$", re.I | re.S)
#: Verbs a question may ask what someone said with, beyond the extractor's reporting verbs.
_ASKED_SPEECH = lexicon(SPEECH_LEMMAS | {"think", "propose"})
_SAID_ABOUT = re.compile(r"^(?:about|on|regarding|of|concerning)\s+(?P<topic>.+)$", re.I | re.S)


def _quote_parts(body: str) -> tuple[str, str] | None:
    """(who, what about) of "what did <who> <reporting verb> [about <topic> | <clause>]", or
    None when no word after the first is a reporting verb ("what did Tesco sell")."""
    words = body.split()
    for i in range(1, len(words)):
        if norm(words[i].strip(",;:")) in _ASKED_SPEECH:
            who, rest = " ".join(words[:i]), " ".join(words[i + 1 :])
            if m := _SAID_ABOUT.match(rest):
                return who, m["topic"]
            # "what did Kaz Hirai say the PSP is", "… say he would do now that Kilroy-Silk has
            # quit": the clause said is the topic; "what did they urge to …" has none
            clause = re.sub(r"^that\s+", "", rest, flags=re.I)
            return who, "" if re.match(r"to\b", clause, re.I) else _said_clause(clause or None)
    return None


_QUOTES_OF = re.compile(
    _LEAD_IN + r"(?:quotes?|statements?|remarks?)\s+(?:from|by|of)\s+(?P<who>.+?)"
    r"(?:\s+(?:about|on|regarding)\s+(?P<topic>.+?))?\s*[?.!]*$",
    re.I | re.S,
)
_WHO_SAID = re.compile(_LEAD_IN + r"who\s+(?P<verb>[a-z]+)\s+(?P<what>.+?)\s*[?.!]*$", re.I | re.S)
_WHO_IS = re.compile(_LEAD_IN + r"who(?:'s|’s|\s+is|\s+was|\s+are|\s+were)\s+(?P<who>.+?)\s*[?.!]*$", re.I | re.S)
_WHEN = re.compile(
    _LEAD_IN + r"(?:when|on\s+what\s+(?:date|day)|what\s+(?:date|day)|which\s+(?:date|day))\b(?P<rest>.*)$",
    re.I | re.S,
)


#: "how much per share", "how much a share": a value per unit of something (not per period).
_PER_UNIT = re.compile(
    r"\bhow\s+much\s+(?:\w+\s+)?(?:per|a)\s+(?P<unit>(?!day|week|month|year|hour)[a-z]+)\b"
    r"|\b(?:per|a)\s+(?P<unit2>share)\b",
    re.I,
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
    if (m := _QUOTE.match(q)) and (parts := _quote_parts(m["body"])):
        return Shape("quote", who=parts[0], topic=parts[1])
    if m := _QUOTES_OF.match(q):
        return Shape("quote", who=m["who"], topic=m["topic"] or "")
    if (m := _WHO_SAID.match(q)) and m["verb"].lower() not in _AUX and norm(m["verb"]) in _ASKED_SPEECH:
        # "who said / warned / called …" — not "who is", "who has", "who sent"
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
