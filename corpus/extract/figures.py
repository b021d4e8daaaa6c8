"""Figures (quantities) in a paragraph: what the number is, what it counts, who claims it.

The number itself is read lexically (``numbers.py``) because the statistical entity tagger
over-extends ranges and has no values; the parse is used for everything around the number:
what is counted (the noun the number modifies, a partitive "of" object, or the subject of the
clause for "grew by 21%"), the category (from the verbs and nouns governing it), the claimant
(the subject of the nearest reporting verb, or "according to ..."), and the time scope.

Pipeline components read: the tokenizer, ``tagger`` (``tag_``), ``attribute_ruler``
(``pos_``) and ``parser`` (``dep_``, ``head``, sentences).  The ``lemmatizer`` is not needed
(ingest disables it for speed): word forms are matched against the lexicons through a small
suffix-stripping table instead, and ``lemma_`` is used too when it is there.  The
``ner`` component is optional: when present, its DATE/TIME spans help reject dates and
clock times, and PERSON/ORG spans give claimants as named ("Joe Biden" rather than
"President Joe Biden").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from corpus.extract import gazetteer
from corpus.extract.numbers import (
    COMPOUND_UNITS,
    CURRENCY_PREFIXES,
    DIGIT_COUNT_WORDS,
    DOLLAR_COUNTRIES,
    SCALES,
    SMALL,
    TENS,
    UNITS,
    VAGUE_DETERMINERS,
    VAGUE_PLURALS,
    VAGUE_SCALE,
    Unit,
    digit_value,
    normalise,
    read_cardinal,
    read_unit,
    word_value,
)
from corpus.language import event_class, event_key, is_honorific, is_role, lexicon, norm
from corpus.models import Figure

if TYPE_CHECKING:  # spaCy is imported where a parse is made, not to read the database
    from spacy.tokens import Doc, Span, Token

__all__ = ["find_figures"]

# --------------------------------------------------------------------------- lexicons


def _words(text: str) -> frozenset[str]:
    """A lexicon written as one space-separated string, which keeps long word lists readable.

    It holds each word as written and its :func:`corpus.language.norm` key, so a token
    matches it in any inflection."""
    words = text.split()
    return frozenset(words) | lexicon(words)


# Words before a number that qualify it.  "between" and "from" are handled with ranges.
QUALIFIER_PHRASES: dict[tuple[str, ...], str] = {
    ("about",): "approx", ("around",): "approx", ("roughly",): "approx",
    ("approximately",): "approx", ("some",): "approx", ("nearly",): "approx",
    ("almost",): "approx", ("close", "to"): "approx", ("circa",): "approx",
    ("approx",): "approx", ("approx.",): "approx", ("c.",): "approx", ("~",): "approx",
    ("estimated",): "estimate",
    ("more", "than"): "more_than", ("over",): "more_than", ("above",): "more_than",
    ("in", "excess", "of"): "more_than", ("greater", "than"): "more_than",
    ("upwards", "of"): "more_than", ("well", "over"): "more_than", ("just", "over"): "more_than",
    ("north", "of"): "more_than", ("exceeding",): "more_than",
    ("at", "least"): "at_least", ("no", "fewer", "than"): "at_least",
    ("no", "less", "than"): "at_least", ("not", "less", "than"): "at_least",
    ("a", "minimum", "of"): "at_least",
    ("as", "many", "as"): "upper_bound", ("as", "much", "as"): "upper_bound",
    ("as", "high", "as"): "upper_bound", ("up", "to"): "upper_bound",
    ("at", "most"): "upper_bound", ("no", "more", "than"): "upper_bound",
    ("not", "more", "than"): "upper_bound", ("a", "maximum", "of"): "upper_bound",
    ("within",): "upper_bound",
    ("less", "than"): "less_than", ("fewer", "than"): "less_than", ("under",): "less_than",
    ("below",): "less_than", ("just", "under"): "less_than", ("just", "shy", "of"): "less_than",
}  # fmt: skip
MAX_QUALIFIER_WORDS = max(len(key) for key in QUALIFIER_PHRASES)
# "within" bounds a deadline or a radius, not a count; "over three weeks" is a period.
MEASURE_ONLY_QUALIFIERS = frozenset({("within",)})
NOT_FOR_DURATIONS = frozenset({("over",), ("above",), ("below",), ("under",)})

MONTHS = _words(
    "january february march april may june july august september october november december "
    "jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct "
    "oct. nov nov. dec dec."
)
WEEKDAYS = _words("monday tuesday wednesday thursday friday saturday sunday")
# Prepositions that make a four-digit number a year even before a plural noun ("in 2014 people").
YEAR_PREPS = _words("in since by of from until till before after during mid early late circa")
CLOCK_WORDS = _words("am pm a.m. p.m. a.m p.m gmt bst cet cest utc est edt pst pdt msk o'clock")
# Nouns that label rather than count: "page 5", "Article 5", "phase 2".
LABEL_NOUNS = _words(
    "page pages p. pp. article articles chapter section paragraph clause item line number no. "
    "nos. version v. phase stage level category class type grade tier room flight route highway "
    "exit gate platform season episode volume vol. part unit block building lot bus track "
    "channel model mark mk series batch round pier terminal seat row table figure fig. step "
    "resolution amendment protocol rule law act bill question box ward district zone sector "
    "division brigade regiment battalion corps squadron army fleet no #"
)
ANAPHORIC_DETERMINERS = _words("the these those both all its their his her our my your whose")
SPORT_WORDS = _words(
    "win victory defeat draw lead beat beating thrashing won drew scoreline beaten defeated trailing "
    "leading half-time full-time score scored match game"
)
CHANGE_LEMMAS = _words(
    "rise fall increase decrease grow climb drop decline jump surge slump cut raise reduce go "
    "soar plunge swell shrink double triple edge slip ease widen narrow expand boost lift lower "
    "change shift move fluctuate rebound recover slide tumble sink dip shoot balloon"
)
LEVEL_LEMMAS = _words("reach hit top total exceed surpass stand be number amount")
RANGE_HEAD_LEMMAS = _words("range vary varie")
TIMES_WORDS = frozenset({"times", "fold", "-fold"})
COMPOUND_NOUN_STOP = _words(
    "way time times fold sided off thirds third quarters quarter halves half star state party "
    "stroke faced storey story hand handed year-old"
)

GENERIC_ADJECTIVES = _words(
    "new own other additional more further advanced modern many several various some few total "
    "estimated individual large small huge massive big high low recent latest current possible "
    "different same whole entire full single extra only first last next previous overall "
    "average approximate about around roughly nearly almost such certain much highly"
)
# Nouns whose "of" complement is part of the counted thing ("75 cases of arbitrary detention").
CONTAINER_NOUNS = _words(
    "case allegation instance incident count act report barrel tonne ton unit piece round item type kind form"
)
# Nouns that only say "a quantity of": unwrap "the number of displaced people".
QUANTITY_NOUNS = _words("number total figure tally count amount toll level share")

# Verbs of people moving away, whose participles describe the people counted
# ("the number of people forcibly displaced").
DISPLACED_LEMMAS = _words("flee displace evacuate uproot deport emigrate relocate resettle")
POPULATION_LEMMAS = _words("population inhabitant")
# Verbs whose elliptical subject is people: "one million have fled Russia".
PEOPLE_VERBS = _words(
    "flee leave escape return evacuate emigrate cross arrive remain perish die surrender desert defect"
)
# Predicates appended to the counted noun when it is their subject ("soldiers killed or wounded").
SUBJECT_PREDICATES = _words(
    "kill wound injure dead die perish missing capture detain displace execute injured wounded killed"
)
PARTICIPLE_LEMMAS = SUBJECT_PREDICATES | DISPLACED_LEMMAS
SCALAR_VERB_LEMMAS = LEVEL_LEMMAS | CHANGE_LEMMAS

# Words that mark a time scope as a rate: "daily", "a day", "per week", "every month".
_RATE_RE = re.compile(
    r"\b(?:daily|weekly|monthly|annually|yearly|hourly|nightly|per|every|each|a\s+(?:day|week|month|year)|an\s+hour)\b",
    re.IGNORECASE,
)
# Dependency labels of the number on a change verb when it is the size of the change
# ("rose 12%", "fell by 5p") rather than the level reached ("rose to 5%").
_CHANGE_ARG_DEPS = frozenset({"npadvmod", "advmod", "attr"})
# Determiners and pronouns that cannot name a party.
_NO_PARTY = _words("it they he she we i you this that these those who which what there here one some all both each")

SAY_LEMMAS = _words(
    "say tell believe estimate assess report claim announce state note add confirm think "
    "suggest write tweet warn insist argue acknowledge admit reveal disclose calculate reckon "
    "allege declare indicate conclude find document expect predict project forecast quote "
    "cite testify brief"
)
EPISTEMIC_LEMMAS = _words("believe estimate assess think reckon calculate suspect guess project forecast")
CLAIM_NOUNS = _words(
    "call estimate assessment claim figure data count tally statement request pledge "
    "announcement promise offer estimation calculation demand appeal"
)
CAPTION_PUNCT = frozenset({"/", ":", "|", "(", ")", "[", "]"})
PERSONAL_PRONOUNS = _words("he she they it we i you this that")
RELATIVE_PRONOUNS = _words("who which that whom")

RATE_ADVERBS = _words("daily weekly monthly annually yearly hourly nightly")
TIME_NOUNS = _words(
    "day week month year hour minute night weekend morning evening afternoon decade century "
    "period quarter season spring summer autumn winter war invasion start beginning end "
    "conflict offensive fighting time days weeks months years"
)
ALWAYS_TIME_PREPS = _words("since during throughout")
TIME_PREPS = _words("in over within by through until for per")
RATE_DETERMINERS = _words("every each a per an")

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
CLAUSE_CLIMB_DEPS = frozenset({"xcomp", "advcl", "conj", "acl", "relcl"})
NOUN_POS = frozenset({"NOUN", "PROPN"})

_ABBREVIATION_END_RE = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")
_SAY_WORDS = (
    r"(?:says|said|believes|believe|estimates|estimated|assesses|assessed|reports|reported|"
    r"claims|claimed|announced|told|thinks|added|warned|wrote)"
)
# Claimants named in the previous paragraph's raw text (no parse there): "according to X",
# "X (also) said", "said X".  Names are runs of capitalised words.
_PREV_CLAIM_RE = re.compile(
    r"(?:according to|citing) (?P<source>(?:the |a |an )?[A-Z][\w’'.-]*(?: [\w’'.-]+){0,5}?)(?=[,.;]|$)"
    r"|(?P<subject>(?:[Tt]he )?(?:[A-Z][\w’'.-]*\s){1,5}(?:[a-z]+\s)?)(?:has\s|have\s|also\s)?" + _SAY_WORDS + r"\b"
    r"|\b" + _SAY_WORDS + r" (?P<inverted>(?:[A-Z][\w’'.-]+)(?: [A-Z][\w’'.-]+){0,2})"
)


_UPPER_RE = re.compile(r"[A-Z]")
_LOWER_RE = re.compile(r"[a-z]")
# Words that can open a number expression; every other token is skipped at once.
_STARTERS = frozenset([*SMALL, *TENS, *VAGUE_PLURALS, *DIGIT_COUNT_WORDS, "a", "an", "half", "several", "few", "many"])
# A paragraph with none of these cannot hold a figure: skip it before looking at tokens.
_MAYBE_NUMBER_RE = re.compile(
    r"\d|\b(?:"
    + "|".join(
        sorted(
            set(SMALL)
            | set(TENS)
            | set(VAGUE_PLURALS)
            | set(DIGIT_COUNT_WORDS)
            | {"dozen", "hundred", "thousand", "million", "billion"}
        )
    )
    + r")",
    re.IGNORECASE,
)

COPULAS = _words("be remain become stay")


@lru_cache(maxsize=65536)
def _word_forms(lower: str) -> frozenset[str]:
    """The ways a word may be listed in a lexicon: as written, and its key in the one
    language layer (irregular base form + Porter stem: "fled" -> "flee", "killed" -> "kill")."""
    return frozenset((lower, norm(lower)))


def _forms(tok: Token) -> frozenset[str]:
    return _word_forms(tok.lower_)


def _forms_of(tokens: list[Token]) -> set[str]:
    out: set[str] = set()
    for tok in tokens:
        out |= _forms(tok)
    return out


def _is(tok: Token, lexicon: frozenset[str]) -> bool:
    """Whether any form of the token is in the lexicon."""
    return not _forms(tok).isdisjoint(lexicon)


# --------------------------------------------------------------------------- candidates


@dataclass(slots=True)
class _Candidate:
    """A number expression found in the tokens, before its context is looked at."""

    start: int  # first token of the surface (qualifier and currency sign included)
    end: int  # exclusive
    first: int  # first token of the number itself
    core: list[int]  # tokens that carry the number(s) and the unit
    low: float | None
    high: float | None
    qualifier: str
    unit: Unit | None = None
    unit_original: str | None = None
    compound_noun: int | None = None  # "36-page": the noun after the hyphen
    age: bool = False  # "Mutu, 25, ...": an age in apposition to a name
    spelled: bool = False
    small_spelled: bool = False  # spelled and at most ten: "two battalions", "the two"
    bare_one: bool = False
    vague: bool = False
    is_range: bool = False


class _Context:
    """Per-paragraph lookups shared by the readers and the filters."""

    __slots__ = ("caps_sents", "date_tokens", "doc", "glued", "sent_of", "sents", "time_tokens", "words")

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.words: list[str] = []
        self.glued: list[bool] = []
        for tok in doc:
            self.words.append(tok.lower_)
            self.glued.append(not tok.whitespace_)
        self.sents: list[Span] = list(doc.sents)
        self.sent_of = [0] * len(doc)
        self.caps_sents: set[int] = set()  # headline-style sentences: capitals say nothing
        for index, sent in enumerate(self.sents):
            self.sent_of[sent.start : sent.end] = [index] * (sent.end - sent.start)
            text = sent.text
            upper = len(_UPPER_RE.findall(text))
            letters = upper + len(_LOWER_RE.findall(text))
            if letters >= 12 and upper / letters > 0.6:
                self.caps_sents.add(index)
        self.date_tokens: set[int] = set()
        self.time_tokens: set[int] = set()
        for ent in doc.ents:
            if ent.label_ == "DATE":
                self.date_tokens.update(range(ent.start, ent.end))
            elif ent.label_ == "TIME":
                self.time_tokens.update(range(ent.start, ent.end))


def _match_qualifier(words: list[str], end: int, floor: int) -> tuple[tuple[str, ...], int] | None:
    """Longest qualifier phrase ending just before ``end`` (and not before ``floor``)."""
    for size in range(min(MAX_QUALIFIER_WORDS, end - floor), 0, -1):
        key = tuple(words[end - size : end])
        if key in QUALIFIER_PHRASES:
            return key, end - size
    return None


def _read_unit_after(ctx: _Context, j: int, limit: int, value: float) -> tuple[Unit, str, int] | None:
    """Unit written after a number at ``j``: ("km", "per cent", "Canadian dlrs", ...)."""
    words = ctx.words
    j = _skip_space(ctx, j, limit)
    if j >= limit:
        return None
    if words[j] in DOLLAR_COUNTRIES and j + 1 < limit and words[j + 1] in ("dollars", "dlrs", "dollar", "dlr"):
        return Unit(DOLLAR_COUNTRIES[words[j]], 1.0, "money"), ctx.doc[j : j + 2].text, j + 2
    if words[j] == "hong" and j + 2 < limit and words[j + 1] == "kong" and words[j + 2] in ("dollars", "dlrs"):
        return Unit("HKD", 1.0, "money"), ctx.doc[j : j + 3].text, j + 3
    found = read_unit(words, j, limit)
    if found is None:
        return None
    unit, end = found
    if unit.code == "GBP" and words[j] in ("pounds", "pound") and end < limit and words[end] == "of":
        return None  # "five pounds of flour": weight, not sterling
    if unit.code == "DEM" and value < 1000:
        return None  # "marks" as currency only in amounts; otherwise "marks" is a plain noun
    if unit.dimension == "duration" and j > 0 and ctx.glued[j - 1] and words[j] in ("min", "sec"):
        return None
    return unit, ctx.doc[j:end].text, end


def _skip_space(ctx: _Context, j: int, limit: int) -> int:
    """The first token at or after ``j`` that is not a line break or run of spaces."""
    while j < limit and ctx.words[j].isspace():
        j += 1
    return j


def _skip_space_left(ctx: _Context, j: int, floor: int) -> int:
    """The last token at or before ``j`` that is not whitespace (``floor - 1`` if none)."""
    while j >= floor and ctx.words[j].isspace():
        j -= 1
    return j


def _scale_in(words: list[str], start: int, end: int) -> float | None:
    for w in words[start:end]:
        if w in SCALES and w not in ("k",):
            return SCALES[w]
    return None


def _read_vague(ctx: _Context, i: int, limit: int) -> _Candidate | None:
    """Vague amounts: "dozens", "hundreds of thousands", "several hundred", "three-digit number"."""
    words = ctx.words
    w = words[i]
    if w in VAGUE_PLURALS:
        if w in ("tens", "scores") and not (i + 1 < limit and words[i + 1] == "of"):
            return None
        low, high = VAGUE_PLURALS[w]
        j = i + 1
        while j + 1 < limit and words[j] == "of" and words[j + 1] in VAGUE_SCALE:
            scale = VAGUE_SCALE[words[j + 1]]
            low, high = low * scale, (high + 1) * scale - 1
            j += 2
        return _Candidate(i, j, i, list(range(i, j)), low, high, "vague_magnitude", vague=True, spelled=True)
    for det, (few, many) in VAGUE_DETERMINERS.items():
        size = len(det)
        if tuple(words[i : i + size]) != det or i + size >= limit:
            continue
        j = i + size
        scale_word = words[j]
        if scale_word == "hundred":
            scale = 100.0
        elif scale_word == "dozen":
            scale = 12.0
        elif scale_word in ("thousand", "million", "billion", "trillion"):
            scale = SCALES[scale_word]
        else:
            return None
        low, high = few * scale, (many + 1) * scale - 1
        j += 1
        while j < limit and words[j] in ("thousand", "million", "billion"):
            scale = SCALES[words[j]]
            low, high = low * scale, (high + 1) * scale - 1
            j += 1
        return _Candidate(i, j, i, list(range(i, j)), low, high, "vague_magnitude", vague=True, spelled=True)
    # "three-digit number", "double-digit", "six-figure sum"
    digits = DIGIT_COUNT_WORDS.get(w) or word_value(w)
    if digits is None:
        dv = digit_value(w)
        digits = int(dv) if dv is not None and dv == int(dv) else None
    if (
        digits
        and 0 < digits < 16
        and i + 2 < limit
        and words[i + 1] == "-"
        and ctx.glued[i]
        and ctx.glued[i + 1]
        and words[i + 2] in ("digit", "figure")
    ):
        j = i + 3
        if j < limit and words[j] == "number":
            j += 1
        low = 1.0 if digits == 1 else 10.0 ** (digits - 1)
        return _Candidate(i, j, i, list(range(i, j)), low, 10.0**digits - 1, "vague_magnitude", vague=True)
    return None


def _change_governed(ctx: _Context, from_index: int) -> bool:
    """Whether "from X to Y" describes a change ("rose from 300 to 969") rather than a range."""
    doc = ctx.doc
    tok = doc[from_index]
    head = tok.head
    for _ in range(3):
        if _is(head, RANGE_HEAD_LEMMAS):
            return False
        if _is(head, CHANGE_LEMMAS):
            return True
        if head.head is head:
            break
        head = head.head
    # Without a verb in reach, a bare "from X to Y" inside a clause about change reads as two
    # figures; as a span of possibilities it nearly always comes with "ranging"/"anywhere".
    window = ctx.words[max(0, from_index - 3) : from_index]
    return not any(w in ("ranging", "anywhere", "range", "varying") for w in window)


def _read_at(ctx: _Context, i: int, sent: Span) -> tuple[_Candidate | None, int]:
    """Read the number expression starting at token ``i``.

    Returns the candidate (or None when the tokens are numeric but not a figure, e.g. "2s")
    and the index to resume scanning from.
    """
    words = ctx.words
    doc = ctx.doc
    limit = sent.end
    vague = _read_vague(ctx, i, limit)
    if vague is not None:
        cand = vague
        j = cand.end
        if j + 1 < limit and words[j] == "of" and words[j + 1] in ("dollars", "euros", "pounds", "dlrs"):
            unit = UNITS[(words[j + 1],)]
            cand.unit, cand.unit_original, cand.end = unit, doc[j + 1].text, j + 2
        cand.spelled = not any(digit_value(words[k]) is not None for k in cand.core)
        return cand, cand.end
    card = read_cardinal(words, i, ctx.glued, limit)
    if card is None:
        return None, i + 1
    j = card.end
    cand = _Candidate(
        start=i,
        end=j,
        first=i,
        core=list(range(i, j)),
        low=card.value,
        high=card.value,
        qualifier="exact",
        spelled=card.spelled,
        bare_one=card.bare_one,
    )
    cand.small_spelled = card.spelled and card.value <= 10 and _scale_in(words, i, j) is None
    if card.pending_suffix is not None:
        unit = UNITS.get((card.pending_suffix,))
        if unit is None:
            return None, j  # "2s", "155mm", "10x", "19FortyFive": a name or a calibre
        cand.unit, cand.unit_original = unit, card.pending_suffix
    if j < limit and words[j] in TIMES_WORDS:
        return None, j + 1
    # hyphenated adjectives: "1,000-kilometer", "11-month-old", "36-page", "5,000-strong"
    if cand.unit is None and j + 1 < limit and words[j] == "-" and ctx.glued[j - 1] and ctx.glued[j]:
        nxt = words[j + 1]
        if nxt in COMPOUND_UNITS:
            cand.unit, cand.unit_original = COMPOUND_UNITS[nxt], doc[j + 1].text
            j += 2
            if j + 1 < limit and words[j] == "-" and words[j + 1] in ("old", "long") and ctx.glued[j]:
                j += 2
        elif read_cardinal(words, j + 1, ctx.glued, limit) is not None:
            pass  # a hyphen range, read below
        elif (
            doc[j + 1].is_alpha
            and not card.spelled
            and nxt not in COMPOUND_NOUN_STOP
            and (doc[j + 1].tag_ in ("NN", "NNS") or nxt == "strong")
        ):
            cand.compound_noun = j + 1
            j += 2
        else:
            return None, j + 2  # "two-state", "one-sided", "3-D"
        cand.end = j
        cand.core = list(range(i, j))
    # currency sign or code before the number: "$1.2bn", "£58,250", "US$5 million"
    start = i
    unit_from_prefix = False
    if i - 1 >= sent.start and words[i - 1] in CURRENCY_PREFIXES and cand.unit is None:
        unit_from_prefix = True
        code = CURRENCY_PREFIXES[words[i - 1]]
        cand.unit = Unit(code, 1.0, "money")
        cand.unit_original = doc[i - 1].text
        start = i - 1
    if cand.unit is None:
        found = _read_unit_after(ctx, j, limit, card.value)
        if found is not None:
            cand.unit, cand.unit_original, j = found
            cand.end = j
            cand.core = list(range(i, j))
    # qualifier before the number (or before its currency sign)
    qual = _match_qualifier(words, start, sent.start)
    qualifier_key: tuple[str, ...] | None = None
    if qual is not None:
        key, qstart = qual
        dimension = cand.unit.dimension if cand.unit else None
        usable = True
        if key in MEASURE_ONLY_QUALIFIERS and dimension not in ("duration", "distance"):
            usable = False
        if key in NOT_FOR_DURATIONS and dimension == "duration":
            usable = False
        if key == ("some",) and card.bare_one:
            usable = False
        if usable:
            qualifier_key = key
            cand.qualifier = QUALIFIER_PHRASES[key]
            start = qstart
    # ranges: "between 40,000 and 60,000", "three to six months", "40-60", "two or three"
    between = start - 1 >= sent.start and words[start - 1] == "between" and qualifier_key is None
    from_word = start - 1 >= sent.start and words[start - 1] == "from" and qualifier_key is None
    j = _skip_space(ctx, j, limit) if not cand.unit else j
    if j < limit:
        sep = words[j]
        is_sep = sep in ("-", "–", "—", "to", "or") or (sep == "and" and between)
        if is_sep and j + 1 < limit:
            k = _skip_space(ctx, j + 1, limit)
            second_prefix = None
            if words[k] in CURRENCY_PREFIXES:
                second_prefix = k
                k += 1
            for size in range(MAX_QUALIFIER_WORDS, 0, -1):  # "to about 24,000"
                if QUALIFIER_PHRASES.get(tuple(words[k : min(k + size, limit)])) == "approx":
                    k += size
                    break
            card2 = read_cardinal(words, k, ctx.glued, limit) if k < limit else None
            if card2 is not None and card2.pending_suffix is None:
                if from_word and _change_governed(ctx, start - 1):
                    return cand, j  # two figures: "risen from 300 to 969"
                if words[k].startswith("0") and len(words[k]) > 1:
                    return None, card2.end  # "2023-01-24"
                v1, v2 = card.value, card2.value
                scale2 = _scale_in(words, k, card2.end)
                if scale2 is not None and _scale_in(words, i, card.end) is None and v1 < 1000:
                    v1 *= scale2
                end2 = card2.end
                unit2 = None
                if cand.unit is None or cand.unit.dimension == "money":
                    found2 = _read_unit_after(ctx, end2, limit, v2)
                    if found2 is not None:
                        unit2 = found2
                        end2 = found2[2]
                if _is_year(v1, words[i]) and sep in ("-", "–", "to") and cand.unit is None and unit2 is None:
                    second = words[k]
                    if _is_year(v2, second) or (len(second) == 2 and second.isdigit()):
                        return None, end2  # "1932-33", "2022-2023"
                if sep in ("-", "–") and v1 <= 20 and v2 <= 20 and _sport_context(ctx, i, end2):
                    return None, end2  # a score: "a 3-1 win"
                suffix_unit = cand.unit is not None and not unit_from_prefix
                plausible = (
                    v2 > v1
                    and (sep != "or" or (v2 < 1000 and card.spelled == card2.spelled))
                    # "16% to 250,000": a unit on the first number must come back on the second
                    and not (suffix_unit and unit2 is None and second_prefix is None)
                    # "rose by 5 to 10" is a change, not a range; so is "1 to 600" in a list
                    and not (sep == "to" and start - 1 >= sent.start and words[start - 1] == "by")
                    and (sep not in ("to", "or") or between or v2 <= 100 * max(v1, 1))
                )
                if not plausible and sep in ("-", "–") and v2 <= v1 and cand.unit is None:
                    return None, end2  # "beaten 5-1", "losing 28-17": a score, not two figures
                if plausible:
                    if cand.unit is None and unit2 is not None:
                        cand.unit, cand.unit_original = unit2[0], unit2[1]
                    elif cand.unit is None and second_prefix is not None:
                        cand.unit = Unit(CURRENCY_PREFIXES[words[second_prefix]], 1.0, "money")
                        cand.unit_original = doc[second_prefix].text
                    cand.low, cand.high = v1, v2
                    cand.qualifier = "range"
                    cand.is_range = True
                    cand.small_spelled = False
                    cand.bare_one = False
                    cand.end = end2
                    cand.core = list(range(i, end2))
                    j = end2
                    if between:
                        start -= 1
    cand.start = start
    if (
        cand.unit is None
        and not cand.is_range
        and start == i
        and _is_age_apposition(ctx, i, cand.end, sent, card.value)
    ):
        cand.unit, cand.age = COMPOUND_UNITS["year"], True
    if qualifier_key == ("within",):
        cand.low = None  # "within three months": any time up to three months
    return cand, cand.end


def _is_age_apposition(ctx: _Context, start: int, end: int, sent: Span, value: float) -> bool:
    """ "Mutu, 25, sacked by Chelsea" or "a man aged 25": an age written as a bare number."""
    if not (1 <= value <= 120 and value == int(value)) or start - 1 < sent.start:
        return False
    if ctx.words[start - 1] == "aged":
        return True
    if start - 2 < sent.start:
        return False
    if ctx.words[start - 1] != "," or (end < sent.end and ctx.words[end] not in (",", ".", ";")):
        return False
    name = ctx.doc[start - 2]
    if not name.is_alpha or ctx.words[start - 2] in MONTHS:
        return False
    return name.ent_type_ == "PERSON" or (name.pos_ == "PROPN" and name.is_title)


def _is_year(value: float, text: str) -> bool:
    return 1000 <= value <= 2100 and value == int(value) and text.isdigit() and len(text) == 4


def _sport_context(ctx: _Context, start: int, end: int) -> bool:
    lo = max(0, start - 3)
    hi = min(len(ctx.words), end + 4)
    return any(w in SPORT_WORDS for w in ctx.words[lo:start] + ctx.words[end:hi])


# --------------------------------------------------------------------------- filters


def _excluded(ctx: _Context, cand: _Candidate, sent: Span, previous: _Candidate | None) -> bool:
    """Whether a numeric expression is not a figure: dates, years, clock times, model names."""
    doc = ctx.doc
    words = ctx.words
    f = cand.first
    first_text = words[f]
    sent_index = ctx.sent_of[f]
    caps = sent_index in ctx.caps_sents
    prev_index = _skip_space_left(ctx, f - 1, sent.start)
    prev = prev_index if prev_index >= sent.start else None
    next_index = _skip_space(ctx, cand.end, sent.end)
    nxt = next_index if next_index < sent.end else None
    qualified = cand.start != f
    if cand.bare_one and not cand.is_range and (cand.unit is None or cand.unit.code == "day"):
        return True  # "one of the places", "no one", "one major push", "one day"
    if cand.vague:
        return False
    value = cand.low if cand.low is not None else cand.high
    if value is None:
        return False
    if prev is not None and words[prev] == "per" and not qualified and cand.unit is None:
        return True  # "7.5 connections per 100 people": the denominator of a rate, not a count
    single = not cand.is_range
    if single and cand.unit is not None and _is_year(value, first_text) and words[cand.end - 1] in ("year", "season"):
        return True  # "the 1988 year", "fiscal 1987 year": a year, not 1988 years
    if single and cand.unit is None and _is_year(value, first_text):
        next_tag = doc[nxt].tag_ if nxt is not None else ""
        prev_word = words[prev] if prev is not None else ""
        if next_tag != "NNS" or prev_word in YEAR_PREPS or f in ctx.date_tokens and not qualified:
            return True
    if single and cand.unit is None and value == int(value) and 1 <= value <= 31 and not cand.spelled:
        if prev is not None and words[prev] in MONTHS and doc[prev].text[:1].isupper():
            return True
        if nxt is not None:
            after = nxt + 1 if words[nxt] == "of" and nxt + 1 < sent.end else nxt
            if words[after] in MONTHS and doc[after].text[:1].isupper():
                return True
    if nxt is not None and words[nxt] in CLOCK_WORDS and cand.unit is None:
        return True
    if nxt is not None and words[nxt] == "hrs" and len(first_text) == 4:
        return True
    if f in ctx.time_tokens and cand.unit is None and not cand.spelled:
        return True
    if first_text.startswith("0") and len(first_text) > 1 and first_text[1].isdigit():
        return True  # "020", "0800": identifiers and clock times
    scaled = _scale_in(words, f, cand.end) is not None or "," in first_text
    if prev is not None and not qualified and cand.unit is None and not scaled:
        p = doc[prev]
        ptext = words[prev]
        if ptext in ("-", "–") and not p.whitespace_ and prev - 1 >= sent.start:
            before = doc[prev - 1]
            if not before.whitespace_ and before.text[-1:].isalnum():
                return True  # "Su-25", "COVID-19" split in two
        if ptext in LABEL_NOUNS and not (ptext == "no" and p.text == "no"):
            return True
        if p.is_alpha and not caps and ptext not in MONTHS and ptext not in WEEKDAYS:
            proper = p.pos_ == "PROPN" or (p.is_upper and len(p.text) >= 2)
            titled_noun = p.pos_ == "NOUN" and p.is_title and prev != sent.start
            if (proper or titled_noun) and ptext not in CURRENCY_PREFIXES and not _is_qualifier_word(ptext):
                return True  # "Leopard 2", "Challenger 2", "CC BY-SA 4.0", "World War 2"
    if prev is not None and cand.start == f and digit_value(words[prev]) is not None and doc[prev].whitespace_:
        return True  # "020 7946 0958": a phone number or an identifier
    if nxt is not None and digit_value(words[nxt]) is not None and doc[cand.end - 1].whitespace_:
        return True
    if doc[f].tag_.startswith("VB") or (prev is not None and doc[prev].tag_ == "MD" and cand.spelled):
        return True  # "no one will five away Bakhmut": a typo for a verb
    if cand.spelled and doc[f].text[:1].isupper() and not caps and not _sentence_initial(ctx, f, sent):
        return True  # "Bucharest Nine", "World War Two", "Formula One"
    if cand.small_spelled and prev is not None and words[prev] in ANAPHORIC_DETERMINERS and cand.start == f:
        return True  # "the two were sharing a joke", "the two leaders"
    if prev is not None and words[prev] == "[" and nxt is not None and words[nxt] == "]":
        return True
    if (
        prev is not None
        and words[prev] == "in"
        and prev - 1 >= sent.start
        and read_cardinal(ctx.words, prev - 1, ctx.glued, sent.end) is not None
    ):
        return True  # "one in five": a ratio
    if nxt is not None and words[nxt] == "in" and nxt + 1 < sent.end and cand.bare_one is False:
        after = read_cardinal(ctx.words, nxt + 1, ctx.glued, sent.end)
        if after is not None and value < after.value and cand.unit is None and cand.spelled:
            return True
    # "1,000-kilometer (621-mile)": the same quantity converted
    return (
        previous is not None
        and cand.unit is not None
        and previous.unit is not None
        and previous.unit.dimension == cand.unit.dimension
        and cand.start - 1 >= sent.start
        and words[cand.start - 1] == "("
        and previous.end in (cand.start - 1, cand.start - 2)
    )


def _is_qualifier_word(word: str) -> bool:
    return any(word == key[-1] for key in QUALIFIER_PHRASES)


def _sentence_initial(ctx: _Context, i: int, sent: Span) -> bool:
    for k in range(sent.start, i):
        if not ctx.doc[k].is_punct:
            return False
    return True


# --------------------------------------------------------------------------- context


def _anchor(doc: Doc, cand: _Candidate) -> Token:
    """The token of the number phrase whose head lies outside it (its syntactic link out)."""
    inside = set(cand.core)
    surface = set(range(cand.start, cand.end))
    best: Token | None = None
    for k in cand.core:
        tok = doc[k]
        if tok.is_punct:
            continue
        if tok.head.i not in inside or tok.head is tok:
            # prefer a link leaving the whole surface; among equals, the last token
            leaves = tok.head.i not in surface
            if best is None or leaves or (best.head.i in surface):
                best = tok
    return best if best is not None else doc[cand.core[-1]]


def _render(tokens: list[Token]) -> str:
    """Join tokens, keeping the original spacing where they are adjacent."""
    tokens = sorted({t.i: t for t in tokens}.values(), key=lambda t: t.i)
    while tokens and tokens[0].is_punct:
        tokens.pop(0)
    while tokens and tokens[-1].is_punct:
        tokens.pop()
    parts: list[str] = []
    for index, tok in enumerate(tokens):
        parts.append(tok.text)
        if index + 1 < len(tokens):
            parts.append(tok.whitespace_ if tokens[index + 1].i == tok.i + 1 else " ")
    return " ".join("".join(parts).split())


def _noun_phrase(head: Token, exclude: set[int]) -> list[Token]:
    """The counted noun with the modifiers that say what it is ("Challenger 2 tanks").

    Determiners, possessives and evaluative adjectives ("its own", "highly advanced", "new")
    are dropped: they do not change what is counted.
    """
    picked: list[Token] = [head]
    for child in head.lefts:
        if child.i in exclude:
            continue
        dep = child.dep_
        if dep in ("compound", "nmod", "npadvmod"):
            picked.extend(t for t in child.subtree if t.i not in exclude)
        elif dep == "amod":
            if _is(child, GENERIC_ADJECTIVES):
                continue
            if any(g.dep_ == "advmod" and g.lower_ in GENERIC_ADJECTIVES for g in child.children):
                continue
            picked.extend(t for t in child.subtree if t.i not in exclude)
        elif dep == "nummod" and child.i > 0 and child.doc[child.i - 1].is_title:
            picked.append(child)  # the "2" of "Leopard 2 tanks" is part of the name
    for child in head.rights:
        if child.i in exclude:
            continue
        if child.dep_ == "acl" and _is(child, PARTICIPLE_LEMMAS) and child.tag_ == "VBN":
            picked.append(child)
            picked.extend(g for g in child.lefts if g.dep_ == "advmod")
        elif child.dep_ == "prep" and child.lower_ == "of" and _is(head, CONTAINER_NOUNS):
            picked.extend(t for t in child.subtree if t.i not in exclude)
    return picked


def _predicate_suffix(noun: Token) -> list[Token]:
    """What the counted noun is said to be or undergo: "killed or wounded", "dead"."""
    if noun.dep_ in SUBJECT_DEPS:
        verb = noun.head
        if verb.pos_ == "AUX" or _is(verb, COPULAS):
            for child in verb.children:
                if child.dep_ == "acomp" and _is(child, SUBJECT_PREDICATES):
                    return [child]
            return []
        if _is(verb, SUBJECT_PREDICATES) and verb.tag_.startswith("VB"):
            return _verb_chain(verb)
    for child in noun.rights:
        if child.dep_ == "acl" and child.tag_ == "VBG" and _is(child, SUBJECT_PREDICATES):
            return [child]
    return []


def _verb_chain(verb: Token) -> list[Token]:
    """A verb with its coordinated verbs: "killed, injured or captured"."""
    last = verb
    for child in verb.children:
        if child.dep_ == "conj" and child.pos_ in ("VERB", "ADJ") and child.i > last.i:
            last = child
    span = verb.doc[verb.i : last.i + 1]
    if all(t.pos_ in ("VERB", "ADJ", "CCONJ", "PUNCT") for t in span):
        return list(span)
    return [verb]


def _subject_of(verb: Token) -> Token | None:
    """The subject of a verb, climbing from "to reach"/"standing at" to the governing clause."""
    tok = verb
    for _ in range(4):
        for child in tok.children:
            if child.dep_ in SUBJECT_DEPS:
                return child
        if tok.dep_ not in CLAUSE_CLIMB_DEPS or tok.head is tok:
            return None
        parent = tok.head
        if parent.pos_ in NOUN_POS:
            return parent if tok.dep_ in ("acl", "relcl") else None
        tok = parent
    return None


def _unwrap_quantity_noun(noun: Token) -> tuple[Token, list[Token]]:
    """ "the number of displaced people" counts people.

    Also returns the participles that the parser hung on the quantity noun but that describe
    the people ("the number of people forcibly displaced").
    """
    if _is(noun, QUANTITY_NOUNS):
        for child in noun.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for grand in child.children:
                    if grand.dep_ == "pobj":
                        extra: list[Token] = []
                        for acl in noun.rights:
                            if acl.dep_ == "acl" and _is(acl, PARTICIPLE_LEMMAS):
                                extra.append(acl)
                                extra.extend(g for g in acl.lefts if g.dep_ == "advmod")
                        return grand, extra
    return noun, []


def _counted(noun: Token, exclude: set[int], with_predicate: bool = True) -> _Thing:
    """The thing a noun counts, unwrapped and with its casualty predicate."""
    noun, extra = _unwrap_quantity_noun(noun)
    picked = _noun_phrase(noun, exclude) + extra
    suffix = _predicate_suffix(noun) if with_predicate else []
    if suffix and suffix[0].i < max(t.i for t in picked):
        suffix = []
    tokens = picked + suffix
    return _Thing(_render(tokens), noun, _forms_of(tokens))


def _coordinated(verb: Token) -> list[Token]:
    """Verbs coordinated tightly with ``verb`` ("killed or wounded"), not a later clause
    ("are killing ..., and they eliminated ...")."""
    return [
        child
        for child in verb.children
        if child.dep_ == "conj"
        and child.pos_ in ("VERB", "ADJ")
        and 0 < child.i - verb.i <= 3
        and not any(g.dep_ in SUBJECT_DEPS for g in child.children)
    ]


def _of_object(tokens: list[Token], exclude: set[int]) -> Token | None:
    """The object of an "of" attached to the number ("31 of its tanks", "thousands of men")."""
    for tok in tokens:
        for child in tok.children:
            if child.dep_ == "prep" and child.lower_ == "of" and child.i not in exclude:
                for grand in child.children:
                    if grand.dep_ == "pobj" and grand.i not in exclude:
                        return grand
    return None


@dataclass(slots=True)
class _Thing:
    text: str | None
    head: Token | None  # the counted noun (or the verb of "people who fled")
    lemmas: set[str]
    local: bool = True  # False when borrowed from an earlier figure ("as many as 500,000")


def _modified_noun(anchor: Token, exclude: set[int]) -> Token | None:
    """The noun a measured number modifies ("155mm shells"), climbing over its unit token."""
    tok = anchor
    for _ in range(3):
        head = tok.head
        if head.i == tok.i:
            return None
        if head.i not in exclude:
            if head.pos_ == "NOUN" and tok.dep_ in ("compound", "amod", "nummod", "nmod"):
                return head
            return None
        tok = head
    return None


def _thing(ctx: _Context, cand: _Candidate, anchor: Token, last_thing: tuple[int, str, Token] | None) -> _Thing:
    """What the figure counts, by the parse around its anchor."""
    doc = ctx.doc
    exclude = set(range(cand.start, cand.end))
    dimension = cand.unit.dimension if cand.unit else None
    core_tokens = [doc[k] for k in cand.core]
    if cand.compound_noun is not None and dimension is None:
        noun_tok = doc[cand.compound_noun]
        if noun_tok.lower_ == "strong":
            head = anchor.head if anchor.head.pos_ in NOUN_POS else None
            if head is not None:
                return _Thing(_render(_noun_phrase(head, exclude)), head, set(_forms(head)))
            return _Thing(None, None, set())
        text = noun_tok.text if noun_tok.text.endswith("s") else noun_tok.text + "s"
        return _Thing(text, noun_tok, set(_forms(noun_tok)))
    if cand.age:
        return _Thing("age", None, set())
    if dimension == "duration":
        if (
            anchor.dep_ in ("amod", "compound", "nummod", "npadvmod")
            and anchor.head.pos_ in NOUN_POS
            and anchor.head.i not in exclude
        ):
            head = anchor.head
            return _Thing(_render(_noun_phrase(head, exclude)), head, set(_forms(head)))
        return _Thing(None, None, set())
    if dimension in ("distance", "speed", "temperature"):
        modified = _of_object(core_tokens, exclude) or _modified_noun(anchor, exclude)
        if modified is not None:  # "150mm of rain", "155mm shells", "3nm chips"
            return _Thing(_render(_noun_phrase(modified, exclude)), modified, set(_forms(modified)))
        return _Thing(None, None, set())
    noun = _of_object(core_tokens, exclude)
    if noun is None and dimension in ("money", "percent", "mass", "volume", "area", "power"):
        for child in anchor.children:  # "$5.5 billion in humanitarian aid", "85% of the territory"
            if child.dep_ == "prep" and child.lower_ in ("in", "for", "of") and child.i not in exclude:
                noun = next((g for g in child.children if g.dep_ == "pobj"), None)
                if noun is not None and noun.ent_type_ in _WHERE_OR_WHEN:
                    noun = None  # "$499 in Seoul" is a price where, not a price of Seoul
                if noun is not None:
                    break
    if (
        noun is None
        and anchor.dep_ in ("nummod", "quantmod", "compound", "amod", "nmod")
        and anchor.head.pos_ in NOUN_POS
        and anchor.head.i not in exclude
    ):
        noun = anchor.head
    if (
        noun is None
        and anchor.dep_ == "pobj"
        and (anchor.head.lower_ == "of" or (anchor.head.lower_ == "at" and dimension in ("percent", "money")))
        and anchor.head.head.pos_ in NOUN_POS
    ):
        noun = anchor.head.head  # "a prewar population of around 10,000", "dependence on oil at 65 pct"
    if noun is not None and noun.pos_ == "NUM":
        elliptical = _elliptical(ctx, noun, cand, last_thing)
        if elliptical is not None:
            return elliptical
        noun = None
    if noun is not None and noun.pos_ in NOUN_POS:
        return _counted(_before_a_break(anchor, noun), exclude)
    if dimension is not None and dimension not in ("percent", "money"):
        return _Thing(None, None, set())
    elliptical = _elliptical(ctx, anchor, cand, last_thing)
    if elliptical is not None:
        return elliptical
    return _Thing(None, None, set())


#: Entity types that say where or when, never what an amount is of.
_WHERE_OR_WHEN = frozenset({"GPE", "LOC", "FAC", "DATE", "TIME"})
_BREAKS = frozenset({"-", "–", "—", ":", "(", ";"})


def _before_a_break(anchor: Token, noun: Token) -> Token:
    """A noun phrase does not run across a dash or a colon: in "five members - president
    Konstantinos Panagopoulos and …" the parse may hang "five" on the name; the members are
    counted."""
    if noun.i <= anchor.i:
        return noun
    doc = anchor.doc
    for k in range(anchor.i + 1, noun.i):
        # a spaced dash breaks a phrase; a hyphen inside a word ("recovery-and-towing") does not
        if doc[k].text in _BREAKS and (doc[k].text not in "-–—" or doc[k - 1].whitespace_):
            before = [doc[j] for j in range(anchor.i + 1, k) if doc[j].pos_ in NOUN_POS]
            return before[-1] if before else noun
    return noun


def _elliptical(
    ctx: _Context, tok: Token, cand: _Candidate, last_thing: tuple[int, str, Token] | None
) -> _Thing | None:
    """A number standing for its noun: "one million have fled", "grew by 21%", "as many as 500,000"."""
    head = tok.head
    if tok.dep_ == "quantmod" and head.pos_ == "NUM" and head is not tok:
        return _elliptical(ctx, head, cand, last_thing)  # "from 300 to 969": 300 leans on 969
    verb = None
    exclude = set(range(cand.start, cand.end))
    if tok.dep_ == "pobj" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
        verb = head.head
    elif tok.dep_ in ("dobj", "npadvmod") and _is(head, SCALAR_VERB_LEMMAS):
        verb = head
    if verb is not None:
        # "raised the rate to 7-3/4 pct" is about the rate; "profits rose 12 pct" about profits
        objects = [c for c in verb.children if c.dep_ == "dobj" and c.i not in exclude and c.pos_ in NOUN_POS]
        if objects and _is(verb, CHANGE_LEMMAS):
            return _counted(objects[0], exclude, with_predicate=False)
        subject = _subject_of(verb)
        if subject is not None and subject.tag_ not in ("PRP", "WDT", "WP") and not _elided_possessive(subject):
            return _counted(subject, set(range(cand.start, cand.end)), with_predicate=False)
    if tok.dep_ in SUBJECT_DEPS and _is(head, PEOPLE_VERBS):
        complement: list[Token] = []
        for child in head.rights:
            if child.dep_ in ("dobj", "prep"):
                complement = list(child.subtree)
                break
        text = "people who " + _render([head] + complement)
        return _Thing(text, head, _forms(head) | {"people"})
    # an argument of its clause, or the level of something left unsaid ("and Italy’s from 350 to 385")
    argument = (
        verb is not None
        or tok.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "appos", "conj")
        or (tok.dep_ == "pobj" and head.lower_ == "of")
    )
    if last_thing is not None and cand.unit is None and argument:
        sent_index, text, noun = last_thing
        if ctx.sent_of[tok.i] - sent_index <= 2:
            return _Thing(text, noun, set(_forms(noun)), local=False)
    return None


def _elided_possessive(tok: Token) -> bool:
    """ "and Italy’s from 350 to 385": the subject is Italy's (troop presence), not Italy."""
    nxt = tok.nbor(1) if tok.i + 1 < len(tok.doc) else None
    return nxt is not None and nxt.lower_ in ("’s", "'s") and nxt.tag_ != "POS"


# --------------------------------------------------------------------------- event, party, kind


def _event_tokens(anchor: Token, noun: Token | None, cand_start: int, cand_end: int) -> list[Token]:
    """The verb (or eventive noun) the figure measures, with verbs coordinated with it.

    "Labour won 411 seats" -> won; "200,000 soldiers have been killed or wounded" ->
    killed, wounded; "plans to cut 3,000 jobs" -> cut; "a loss of 3,000 jobs" -> loss;
    "soldiers killed" and "people who fled" -> the participle or relative clause. Copulas
    ("Turnout was 61%") and reporting verbs ("said 14") measure nothing: no event.
    """
    if noun is not None and noun.pos_ in NOUN_POS:
        for child in noun.children:
            if (
                child.dep_ in ("acl", "relcl")
                and child.pos_ == "VERB"
                and not _is(child, SAY_LEMMAS)
                and not _is(child, COPULAS)
            ):
                return [child, *_coordinated(child)]
    start = noun if noun is not None else anchor
    span = range(cand_start, cand_end)
    tok = start
    for _ in range(8):
        if tok.head.i == tok.i:
            return []
        prev, tok = tok, tok.head
        if tok.pos_ == "VERB" or (tok.pos_ == "AUX" and tok.dep_ in ("ROOT", "ccomp", "conj", "advcl", "relcl")):
            if _is(tok, SAY_LEMMAS):
                return []
            if _is(tok, COPULAS) or tok.pos_ == "AUX" or _is(tok, LEVEL_LEMMAS):
                subject = _subject_of(tok)
                if subject is not None and noun is not None and subject.i == noun.i:
                    # "40,000 soldiers are dead": the predicate is the event, when it names one
                    # ("dead", "injured"); "the offer was high" says how much, not what happened
                    return [
                        c for c in tok.children
                        if c.dep_ == "acomp" and (c.tag_ == "VBN" or event_class(event_key(c.lower_)) != event_key(c.lower_)
                                                  or _is(c, SUBJECT_PREDICATES))
                    ][:1]
                # "Turnout was 61%", "Russia's losses reached 40,000": the subject is the event,
                # when the number is what the verb says of it (not "… be in Ukraine within 3 months")
                if (
                    subject is not None
                    and _value_of(prev, tok)
                    and subject.pos_ == "NOUN"
                    and not _inside(anchor, subject)
                    and not _is(subject, QUANTITY_NOUNS)
                ):
                    return [subject]
                return []
            group = [tok, *_coordinated(tok)]
            if tok.dep_ == "conj" and any(c.i == tok.i for c in _coordinated(tok.head)):
                group.append(tok.head)
            return group
        if tok.pos_ in NOUN_POS:
            if tok.i in span or _is(tok, QUANTITY_NOUNS):
                continue  # "hundreds of thousands of casualties", "the number of people"
            if prev.dep_ == "conj":
                continue  # "won 12 seats and 16.1% of the vote": the coordinated noun's verb
            if tok.pos_ == "NOUN" and prev.pos_ == "ADP" and prev.lower_ == "of":
                return [tok]  # "a loss of 3,000 jobs"
            if tok.pos_ == "NOUN" and prev.i == anchor.i and prev.dep_ in ("compound", "amod", "nmod", "nummod") and (
                noun is None or tok.i != noun.i
            ):
                return [tok]  # "a 12% rise in profits", "a £5bn bid"
            return []  # a noun that only places the figure: "the town with a population of 10,000"
    return []


def _value_of(child: Token, verb: Token) -> bool:
    """Whether ``child`` (on the way up from the number) is the value a copula or a level
    verb gives its subject: "was 61%", "reached 40,000", "stood at 5%", "rose to 7%"."""
    if child.dep_ in ("attr", "acomp", "dobj", "npadvmod", "nummod", "quantmod"):
        return True
    return child.dep_ == "prep" and child.lower_ in ("at", "to", "of") and child.head.i == verb.i


def _event_key(tokens: list[Token]) -> str | None:
    keys = sorted({event_key(t.lower_) for t in tokens})
    return " ".join(keys) if keys else None


_PRONOUN = "\x00pronoun"  # a party named by a pronoun that the claimant resolves


def _party_name(tok: Token) -> str | None:
    """A party as named: the entity the token belongs to, else its short noun phrase;
    countries, demonyms and seats of government resolve to the country ("Kiev",
    "Ukrainian" -> "Ukraine"); pronouns name nobody."""
    if tok.lower_ in _NO_PARTY or tok.tag_ in ("PRP", "PRP$", "WP", "WP$", "WDT", "DT"):
        return None
    country = gazetteer.demonym(tok.text)
    if country and tok.pos_ == "ADJ":
        return country  # "Russian soldiers"
    if tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"):
        span = _entity_around(tok)
        conj = [c for c in tok.children if c.dep_ == "conj" and c.ent_type_ in ("PERSON", "ORG", "GPE", "NORP")]
        if conj:  # "the United States and Germany": both are the party
            span = tok.doc[span.start : _entity_around(conj[-1]).end]
        names = [c for c in tok.lefts if c.dep_ in ("compound", "amod") and c.text[:1].isupper()]
        if names and names[0].i < span.start:  # "the Liberal Democrats", tagged from "Democrats" only
            span = tok.doc[names[0].i : span.end]
        text = span.text
    else:
        picked = [tok] + [
            c for c in tok.lefts if c.dep_ in ("compound", "det", "amod", "nmod") and c.pos_ != "NUM"
        ]
        if tok.pos_ not in NOUN_POS:
            return None
        text = _render(sorted(picked, key=lambda t: t.i))
    text = _tidy_claimant(text)
    if not text or not any(ch.isalpha() for ch in text):
        return None
    forms = gazetteer.country_forms(text)
    if forms:
        return forms[0]
    country = gazetteer.demonym(text)
    return country or text


def _owner(noun: Token, exclude: set[int]) -> str | None:
    """The party a noun phrase names as its owner: a possessive, an entity or demonym
    modifier, or an entity after "at"/"for"/"of"/"from"."""
    for child in noun.children:
        if child.i not in exclude and child.dep_ == "poss":
            name = _party_name(child)
            if name:
                return name
    for child in noun.lefts:
        if child.i in exclude or child.dep_ not in ("compound", "amod", "nmod"):
            continue
        if noun.pos_ == "PROPN" and child.pos_ == "PROPN":
            continue  # part of the counted thing's own name: "the London Stock Exchange"
        if child.ent_type_ in ("PERSON", "ORG", "GPE", "NORP") or gazetteer.demonym(child.text):
            name = _party_name(child)
            if name and not any(ch.isdigit() for ch in name) and not gazetteer.is_product(name):
                return name  # "Labour seats", "Tesco shares"; not "Challenger 2 tanks"
    for child in noun.rights:
        if child.dep_ == "prep" and child.lower_ in ("at", "for", "of", "from") and child.i not in exclude:
            for grand in child.children:
                if grand.dep_ == "pobj" and grand.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
                    name = _party_name(grand)
                    if name:
                        return name
    return None


def _party(thing: _Thing, anchor: Token, event: list[Token], exclude: set[int]) -> str | None:
    """Whose figure it is: the owner named in the counted phrase ("Russia's losses",
    "Labour seats", "Russian soldiers", "profits at Tesco"), else the subject of the event
    ("Labour won 411 seats", "Kiev is losing ... soldiers", "the firm lost 3,000 customers").
    A reporting verb's subject is the claimant, never the party."""
    head = thing.head if thing.local and thing.head is not None and thing.head.pos_ in NOUN_POS else None
    if head is not None:
        name = _owner(head, exclude)
        if name:
            return name
    for tok in event:
        if tok.pos_ in NOUN_POS:
            name = _owner(tok, exclude)
            if name:
                return name
    verb = next((t for t in event if t.pos_ in ("VERB", "AUX")), None)
    if verb is None:
        return None
    if head is not None and head.dep_ in SUBJECT_DEPS and head.head.i == verb.i:
        return None  # the counted thing is the subject: "200,000 soldiers were killed"
    subject = _subject_of(verb)
    if (
        verb.dep_ in ("acl", "xcomp")
        and verb.head.pos_ == "NOUN"
        and (subject is None or subject.i == verb.head.i)
    ):
        # "X announced plans to send dozens of tanks": the plan's owner is the party
        holder = verb.head.head
        if holder.pos_ == "VERB" and verb.head.dep_ in ("dobj", "nsubjpass"):
            found = next((c for c in holder.children if c.dep_ == "nsubj"), None)
            if found is not None and found.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
                subject = found
    if subject is None or subject.dep_ == "nsubjpass" or _inside(anchor, subject):
        return None
    if head is not None and _inside(head, subject):
        return None
    direct = any(c.i == subject.i for c in verb.children)
    if not direct and subject.ent_type_ not in ("PERSON", "ORG", "GPE", "NORP"):
        return None  # a subject borrowed from a governing clause must at least be a name
    if subject.lower_ in ("it", "we") and (verb.dep_ in ("ccomp", "xcomp") or verb.head.dep_ == "ccomp"):
        return _PRONOUN  # "Tesco said it would cut 3,000 jobs": the claimant's own figure
    if subject.pos_ == "NOUN" and subject.ent_type_ not in ("PERSON", "ORG", "GPE", "NORP"):
        # "GenCorp's stock rose": the owner; "the firm lost 3,000 customers": the firm;
        # a bare noun ("disks costing $20") is what is measured, not whose it is
        owner = _owner(subject, exclude)
        if owner:
            return owner
        if head is None or not any(c.dep_ == "det" and c.lower_ in ("the", "a", "an") for c in subject.children):
            return None
    return _party_name(subject)


def _kind(cand: _Candidate, anchor: Token, thing_head: str | None, event: list[Token], time_scope: str | None) -> str:
    """One of KINDS, from the unit and the structure around the number, not from topic words."""
    if cand.age:
        return "age"
    dimension = cand.unit.dimension if cand.unit is not None else None
    if dimension in (None, "percent", "money"):
        verb = next((t for t in event if t.pos_ == "VERB"), None)
        if verb is not None and _is(verb, CHANGE_LEMMAS):
            top = anchor
            while top.head.i != top.i and cand.start <= top.head.i < cand.end:
                top = top.head  # "12" -> "%": the unit carries the number's relation
            by_amount = top.dep_ == "pobj" and top.head.lower_ == "by"
            direct = top.head.i == verb.i and top.dep_ in _CHANGE_ARG_DEPS
            if by_amount or (direct and (dimension is not None or thing_head is None)):
                return "change"
    if dimension is not None:
        return dimension
    if thing_head is not None and thing_head in POPULATION_LEMMAS:
        return "population"
    if time_scope and _RATE_RE.search(time_scope):
        return "rate"
    return "count"


def _thing_head(thing: _Thing) -> str | None:
    head = thing.head
    if head is None or not thing.text:
        return None
    if head.pos_ in NOUN_POS:
        return norm(head.lower_)
    if thing.text.startswith("people"):
        return norm("people")
    return None


# --------------------------------------------------------------------------- claimant


def _claimant_text(tok: Token) -> str:
    """A claimant as written, without a leading capital on "The" and without titles."""
    has_conj = any(child.dep_ == "conj" for child in tok.children)
    if tok.ent_type_ in ("PERSON", "ORG") and not has_conj:
        return _tidy_claimant(_entity_around(tok).text)
    picked: list[Token] = [tok]
    for child in tok.lefts:
        if child.dep_ in ("det", "amod", "compound", "nmod", "poss", "nummod", "npadvmod", "case"):
            sub = list(child.subtree)
            if not any(t.text in CAPTION_PUNCT for t in sub):
                picked.extend(sub)
    for child in tok.rights:
        if child.dep_ in ("cc", "conj"):
            picked.extend(child.subtree)
        elif child.dep_ == "prep" and child.lower_ in ("of", "for", "in", "at", "from", "on"):
            sub = list(child.subtree)
            if len(sub) <= 8:
                picked.extend(sub)
    return _tidy_claimant(_render(picked))


def _tidy_claimant(text: str) -> str:
    """Lower-case a sentence-initial article and drop a possessive ending ("Kyiv’s") or a
    full stop that is not part of an abbreviation ("Bogner." but not "U.S.")."""
    text = text.strip()
    words = text.split()
    while len(words) > 1 and (is_role(words[0]) or is_honorific(words[0])) and words[1][:1].isupper():
        words = words[1:]  # "Manager Erik ten Hag" -> "Erik ten Hag"; the role is the entities' job
    text = " ".join(words)
    if text.endswith(("’s", "'s")):
        text = text[:-2]
    if text.endswith(".") and not _ABBREVIATION_END_RE.search(text):
        text = text[:-1]
    if text.startswith(("The ", "A ", "An ")):
        text = text[0].lower() + text[1:]
    return text.strip()


def _entity_around(tok: Token) -> Span:
    """The entity span a token belongs to (walking IOB tags is cheaper than ``doc.ents``)."""
    doc = tok.doc
    start = tok.i
    while start > 0 and doc[start].ent_iob_ == "I":
        start -= 1
    end = tok.i + 1
    while end < len(doc) and doc[end].ent_iob_ == "I":
        end += 1
    return doc[start:end]


def _say_claimant(verb: Token) -> tuple[Token | None, bool]:
    """Subject (or passive agent) of a reporting verb; the flag says it is a pronoun."""
    # a passive subject is what is reported ("the number ... is estimated to rise"), not who
    subjects = [child for child in verb.children if child.dep_ == "nsubj" and not child.is_punct]
    if subjects:
        # the subject nearest the verb: a caption label ("Photo: ...") parses as a second one
        before = [child for child in subjects if child.i < verb.i]
        child = before[-1] if before else subjects[0]
        if child.lower_ in RELATIVE_PRONOUNS and verb.dep_ == "relcl":
            return verb.head, False
        return child, child.lower_ in PERSONAL_PRONOUNS
    for child in verb.children:
        if child.dep_ == "agent":
            for grand in child.children:
                if grand.dep_ == "pobj":
                    return grand, grand.lower_ in PERSONAL_PRONOUNS
    return None, False


def _inside(tok: Token, phrase_head: Token) -> bool:
    return phrase_head.left_edge.i <= tok.i <= phrase_head.right_edge.i


def _according_to(sent: Span) -> Token | None:
    for tok in sent:
        if tok.lower_ in ("according", "citing"):
            for child in tok.children:
                if tok.lower_ == "citing" and child.dep_ == "dobj":
                    return child
                if child.lower_ == "to":
                    for grand in child.children:
                        if grand.dep_ == "pobj":
                            return grand
    return None


@dataclass(slots=True)
class _Claim:
    text: str | None
    epistemic: bool
    pronoun: str | None  # unresolved pronoun subject ("they")


def _claim(anchor: Token, sent: Span) -> _Claim:
    """Who claims the figure: the nearest reporting verb above it, else "according to"."""
    tok = anchor
    epistemic = False
    pronoun: str | None = None
    seen = 0
    while seen < 12:
        seen += 1
        if tok.pos_ in ("VERB", "AUX") and _is(tok, SAY_LEMMAS):
            epistemic = epistemic or _is(tok, EPISTEMIC_LEMMAS)
            subject, is_pronoun = _say_claimant(tok)
            if subject is not None and _inside(anchor, subject) and not _inside(tok, subject):
                subject = None  # "the 70-year-old leader said": the figure is in the subject
            if subject is not None and not is_pronoun:
                text = _claimant_text(subject)
                if text:
                    return _Claim(text, epistemic, None)
            if subject is not None and pronoun is None:
                pronoun = subject.lower_
        elif _is(tok, CLAIM_NOUNS) and (tok.pos_ in NOUN_POS or tok.dep_ in ("pobj", "dobj", "nsubj")):
            for child in tok.children:
                if child.dep_ == "poss" and child.tag_ not in ("PRP$", "WP$"):
                    return _Claim(_claimant_text(child), epistemic, None)
        if tok.head is tok:
            break
        tok = tok.head
    source = _according_to(sent)
    if source is not None and _claimant_text(source):
        return _Claim(_claimant_text(source), epistemic, None)
    return _Claim(None, epistemic, pronoun)


def _sentence_claimant(sent: Span) -> tuple[str, bool] | None:
    """The first non-pronoun reporting subject of a sentence, for "They believe..." next."""
    for tok in sent:
        if tok.pos_ in ("VERB", "AUX") and _is(tok, SAY_LEMMAS):
            subject, is_pronoun = _say_claimant(tok)
            if subject is not None and not is_pronoun:
                return _claimant_text(subject), subject.ent_type_ == "PERSON"
    source = _according_to(sent)
    if source is not None:
        return _claimant_text(source), source.ent_type_ == "PERSON"
    return None


def _claimant_in_text(text: str, wants_person: bool) -> str | None:
    """Last claimant named in raw text (the previous paragraph), by a cheap pattern; for
    "he"/"she" only a run of capitalised words (a name) will do."""
    found: str | None = None
    for m in _PREV_CLAIM_RE.finditer(text):
        candidate = (m.group("source") or m.group("subject") or m.group("inverted") or "").strip()
        is_name = bool(candidate) and all(word[:1].isupper() for word in candidate.split())
        if candidate and (is_name or not wants_person):
            found = candidate
    return _tidy_claimant(found) if found else None


# --------------------------------------------------------------------------- time scope


def _is_time_phrase(prep: Token, date_tokens: set[int]) -> bool:
    for grand in prep.children:
        if grand.dep_ == "pobj":
            if _is(grand, TIME_NOUNS) or grand.lower_ in MONTHS or grand.lower_ in WEEKDAYS:
                return True
            if grand.i in date_tokens or (grand.like_num and len(grand.text) == 4):
                return True
    return False


def _clip(tokens: list[Token], limit: int = 12) -> list[Token]:
    """A phrase cut to ``limit`` tokens, ending on a content word, not "at" or "the"."""
    if len(tokens) <= limit:
        return tokens
    tokens = tokens[:limit]
    while tokens and tokens[-1].pos_ in ("ADP", "DET", "CCONJ", "SCONJ", "PUNCT", "PART", "AUX"):
        tokens.pop()
    return tokens


def _time_scope(ctx: _Context, anchor: Token, noun: Token | None, exclude: set[int]) -> str | None:
    """Rates ("daily", "every day", "per day") and periods ("since the war began", "in
    September", "in recent weeks") attached to the figure's noun or its clause's verb."""
    holders: list[Token] = [anchor]
    if noun is not None and noun is not anchor:
        holders.append(noun)
    tok = noun if noun is not None else anchor
    for _ in range(6):
        if tok.pos_ in ("VERB", "AUX") or tok.head is tok:
            break
        tok = tok.head
    if tok.pos_ in ("VERB", "AUX"):
        holders.append(tok)
        holders.extend(_coordinated(tok))
        if tok.dep_ == "conj" and tok in _coordinated(tok.head):
            holders.append(tok.head)
    if noun is not None:
        holders.extend(child for child in noun.children if child.dep_ == "acl")
    pieces: dict[int, list[Token]] = {}
    for holder in holders:
        for child in holder.children:
            if child.i in exclude or child.i in pieces:
                continue
            dep = child.dep_
            lower = child.lower_
            if dep == "advmod" and lower in RATE_ADVERBS:
                pieces[child.i] = [child]
            elif dep in ("npadvmod", "tmod") and _is(child, TIME_NOUNS):
                if any(g.lower_ in RATE_DETERMINERS for g in child.children) or child.i in ctx.date_tokens:
                    pieces[child.i] = list(child.subtree)
            elif dep == "prep" and (
                lower in ALWAYS_TIME_PREPS or (lower in TIME_PREPS and _is_time_phrase(child, ctx.date_tokens))
            ):
                sub = [t for t in child.subtree]
                if any(t.i in exclude for t in sub):
                    continue
                pieces[child.i] = _clip(sub)
            elif dep == "advcl" and any(g.dep_ == "mark" and g.lower_ == "since" for g in child.children):
                pieces[child.i] = _clip(list(child.subtree))
    if not pieces:
        return None
    ordered = sorted(pieces.items())[:2]
    return ", ".join(_render(tokens) for _, tokens in ordered)


# --------------------------------------------------------------------------- entry point


def find_figures(doc: Doc, offset: int, prev_text: str = "") -> list[Figure]:
    """Figures of one paragraph, with spans shifted by ``offset`` into the article text.

    ``prev_text`` is the preceding paragraph, used only to resolve a claimant that this
    paragraph opens with a pronoun ("They believe that ...").
    """
    text = doc.text  # built from the tokens on every access: read it once
    if len(doc) == 0 or not _MAYBE_NUMBER_RE.search(text):
        return []
    ctx = _Context(doc)
    candidates: list[tuple[_Candidate, Span]] = []
    previous: _Candidate | None = None
    for sent in ctx.sents:
        i = sent.start
        while i < sent.end:
            word = ctx.words[i]
            if not word[:1].isdigit() and word not in _STARTERS:
                i += 1
                continue
            cand, nxt = _read_at(ctx, i, sent)
            if cand is not None:
                if not _excluded(ctx, cand, sent, previous):
                    candidates.append((cand, sent))
                previous = cand
            i = max(nxt, i + 1)
    if not candidates:
        return []
    sentence_claims: dict[int, tuple[str, bool] | None] = {}
    figures: list[Figure] = []
    last_thing: tuple[int, str, Token] | None = None
    for cand, sent in candidates:
        anchor = _anchor(doc, cand)
        thing = _thing(ctx, cand, anchor, last_thing)
        if thing.text and thing.head is not None and cand.unit is None:
            last_thing = (ctx.sent_of[cand.first], thing.text, thing.head)
        noun = thing.head if thing.local and thing.head is not None and thing.head.pos_ in NOUN_POS else None
        event_tokens = _event_tokens(anchor, noun, cand.start, cand.end)
        claim = _claim(anchor, sent)
        claimant = claim.text
        if claimant is None and claim.pronoun is not None:
            claimant = _resolve_pronoun(ctx, claim.pronoun, ctx.sent_of[cand.first], sentence_claims, prev_text)
        qualifier = cand.qualifier
        if qualifier == "exact" and claim.epistemic and (cand.unit is None or cand.unit.dimension == "money"):
            qualifier = "estimate"
        exclude = set(range(cand.start, cand.end))
        time_scope = _time_scope(ctx, anchor, noun, exclude)
        thing_head = _thing_head(thing)
        party = _party(thing, anchor, event_tokens, exclude)
        low, high = cand.low, cand.high
        if (
            cand.unit is not None
            and (cand.unit_original or "").lower() == "nm"
            and _modified_noun(anchor, exclude) is not None
        ):
            cand.unit = UNITS[("nanometres",)]  # "3nm chips": nanometres, not nautical miles
        factor = cand.unit.factor if cand.unit is not None else 1.0
        start_char = doc[cand.start].idx
        last = doc[cand.end - 1]
        end_char = last.idx + len(last.text)
        figures.append(
            Figure(
                start=offset + start_char,
                end=offset + end_char,
                surface=text[start_char:end_char],
                low=normalise(low, factor) if low is not None else None,
                high=normalise(high, factor) if high is not None else None,
                qualifier=qualifier,
                unit=cand.unit.code if cand.unit is not None else None,
                unit_original=cand.unit_original,
                thing=thing.text or None,
                kind=_kind(cand, anchor, thing_head, event_tokens, time_scope),
                thing_head=thing_head,
                event=_event_key(event_tokens),
                party=claimant if party == _PRONOUN else party,
                claimant=claimant,
                time_scope=time_scope,
            )
        )
    return figures


def _resolve_pronoun(
    ctx: _Context,
    pronoun: str,
    sent_index: int,
    cache: dict[int, tuple[str, bool] | None],
    prev_text: str,
) -> str | None:
    """The claimant a pronoun subject refers to: the last one named in an earlier sentence of
    the paragraph (a person for he/she, anything else for they/it), else in ``prev_text``."""
    wants_person = pronoun in ("he", "she")
    for index in range(sent_index - 1, -1, -1):
        if index not in cache:
            cache[index] = _sentence_claimant(ctx.sents[index])
        found = cache[index]
        if found is not None and (found[1] or not wants_person):
            return found[0]
    if prev_text:
        return _claimant_in_text(prev_text, wants_person)
    return None
