"""Named-entity mentions with the small model's typing mistakes corrected.

``en_core_web_sm`` gets about half the name types in news wrong: Ukrainian towns become
people, chancellors become countries, clubs and companies become people ("Manchester
United", "Activision Blizzard"), sentence-initial words become people ("Turnout was 61%"),
headline words are glued into "people" ("Putin Recruits", "Majorly Backfires") and photo
credits into organisations. Cheap fixes, all local to one article, recover most of it:

1. *span cleanup*: split spans at newlines, sentence starts, separators ("/", ":", ","),
   possessives and verbs; strip determiners, possessives and lowercase edges; take a
   glued "place + person" apart; drop spans in headline-style text unless the article
   or the gazetteer confirms them;
2. *gazetteer*: known places, organisations and demonyms override the model, and the
   equipment names of an installed domain pack are dropped (see
   :mod:`corpus.extract.gazetteer`);
3. *vote*: every surface gets the majority label over its mentions, where titles
   ("President X", "manager X"), reporting verbs ("X said") and first names count for
   PERSON; the employer slot of a title ("*Apple* chief executive Tim Cook") and the
   nouns only organisations own ("*Activision Blizzard* shares") count for ORG; a
   sentence-initial word the model alone calls a person gets no model vote; and a bare
   surname inherits the votes of the full name it shortens. Some surfaces cannot be a
   person at all: a known place followed by more words ("Manchester United"), a legal
   designator ("... plc"), a model number ("F-150", "A-380").

Titles and roles come from the one role vocabulary of :mod:`corpus.language`.

:func:`vote_labels` is the same vote for counts gathered over many articles.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from ..language import is_honorific
from ..models import Mention
from . import gazetteer as gz

if TYPE_CHECKING:  # spaCy is imported where a parse is made, not to read the database
    from spacy.tokens import Doc, Span, Token

#: Labels a :class:`Mention` can carry.
LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP")
_MODEL_LABELS = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "GPE", "LOC": "LOC", "NORP": "NORP", "FAC": "LOC"}
#: Tie-break order of the vote: a person name mis-tagged as a place is the commonest error.
_PREFERENCE = {label: i for i, label in enumerate(("PERSON", "ORG", "GPE", "LOC", "NORP"))}

SPEECH_VERBS = frozenset(
    """
    said says say told tells added adds wrote writes explained explains warned warns asked asks admitted admits
    acknowledged acknowledges complained complains insisted insists argued argues replied replies urged urges
    stressed stresses thanked thanks praised praises recalled recalls tweeted tweets posted posts welcomed
    welcomes noted notes declared declares announced announces claimed claims added
    """.split()  # noqa: SIM905
)
_INVERTED_SPEECH = frozenset({"said", "says", "told", "added", "writes", "wrote", "asked", "explains", "explained"})
_DETERMINERS = frozenset(
    {"the", "a", "an", "this", "that", "these", "those", "its", "his", "her", "their", "our", "my"}
)
_POSSESSIVES = frozenset({"'s", "\u2019s", "'", "\u2019"})
#: Plural possessors that belong to the name ("People's Republic", "Women's Union").
_NAME_POSSESSORS = frozenset({"people", "women", "children", "men", "workers", "veterans", "mothers", "soldiers"})
_SEPARATORS = frozenset(
    {
        ":",
        "|",
        "\u2014",
        "\u2013",
        ";",
        "(",
        ")",
        "[",
        "]",
        '"',
        "\u201c",
        "\u201d",
        "\u2018",
        "\u2022",
        ",",
        "?",
        "!",
        "\u00b7",
    }
)
_SPACED_SEPARATORS = frozenset({"/", "-", "\u2212"})
#: "Plymouth v Everton": a fixture, two names.
_VERSUS = frozenset({"v", "v.", "vs", "vs."})
_VERB_TAGS = frozenset({"VB", "VBD", "VBG", "VBN", "VBP", "VBZ", "MD"})
_FUNCTION_TAGS = frozenset({"WDT", "WP", "WP$", "WRB", "PRP", "PRP$", "IN", "CC", "TO", "EX", "DT", "RP", "UH"})
#: Function words a title-case headline leaves lowercase.
_COMPASS = frozenset(
    """
    eastern western northern southern central north south east west northeastern northwestern southeastern
    southwestern north-eastern north-western south-eastern south-western
    """.split()  # noqa: SIM905
)
#: Legal forms written after an organisation's name that the model leaves out ("Wagner PMC").
_DESIGNATOR_TOKENS = frozenset(
    {
        "PMC", "Group", "Holdings", "Inc", "Inc.", "Ltd", "Ltd.", "Limited", "Corp", "Corp.", "Co", "Co.", "plc",
        "PLC", "LLC", "LLP", "LP", "AG", "SA", "NV", "BV", "SpA", "GmbH", "FC", "AFC",
    }
)
#: Legal and club designators: a name that carries one is an organisation, never a person.
_LEGAL_DESIGNATORS = frozenset(
    {"inc", "ltd", "limited", "corp", "plc", "llc", "llp", "gmbh", "nv", "bv", "spa", "fc", "afc", "holdings"}
)
_NOUN_TAGS = frozenset({"NN", "NNS"})
_PROPER_TAGS = frozenset({"NNP", "NNPS"})
_POSSESSIVE_TAIL = re.compile(r"(?:['\u2019]s?)$")
#: Honorifics that begin place names, not personal ones ("St. Petersburg", "St Louis").
_PLACE_HONORIFICS = frozenset({"st", "st."})
_SMALL_WORDS = frozenset(
    """
    a an the and or but nor of in on at to for from by with as vs via into over up down off out per
    """.split()  # noqa: SIM905
)


@dataclass(slots=True)
class _Piece:
    doc: int
    i: int  # first token
    j: int  # one past the last token
    label: str
    headline: bool = False
    gazetteer: bool = False
    weight: float = 1.0  # the model's vote: less for a part of a span it glued together
    possessor: bool = False  # cut off before "'s" inside a model span: "Putin's Military ..."
    person_evidence: float = 0.0
    speech: float = 0.0  # the part of person_evidence a reporting verb gave
    org_evidence: float = 0.0
    key: str = ""
    text: str = ""
    start: int = 0  # character offsets in the paragraph, set once the span is final
    end: int = 0


@dataclass(slots=True)
class _Article:
    docs: list[tuple[int, Doc]]
    lower_words: set[str] = field(default_factory=set)

    def span_text(self, p: _Piece) -> str:
        doc = self.docs[p.doc][1]
        return doc[p.i : p.j].text


# --------------------------------------------------------------------------- helpers


def _has_upper(text: str) -> bool:
    return any(c.isupper() for c in text)


def _is_known(surface: str) -> bool:
    """Confirmed by the gazetteer as a place, organisation or nationality."""
    return gz.place(surface) is not None or gz.org(surface) is not None or gz.demonym(surface) is not None


def _verbish(tok: Token) -> bool:
    return tok.tag_ in _VERB_TAGS and not _is_known(tok.text) and not gz.is_first_name(tok.text)


def _strip_edge(tok: Token) -> bool:
    """Tokens that never start or end a name."""
    t = tok.text
    if tok.is_space or tok.is_punct or tok.like_url or tok.like_email:
        return True
    low = t.lower()
    if low in _DETERMINERS or low in _POSSESSIVES or not _has_upper(t):
        return True
    if is_honorific(low) and low not in _PLACE_HONORIFICS:
        return True
    if tok.tag_ in _FUNCTION_TAGS and not _is_known(t) and not gz.is_first_name(t):
        return True
    return _verbish(tok)


def _titlecase(tokens: Iterable[Token], minimum: int = 3) -> bool:
    """Headline style: (nearly) every content word capitalised."""
    caps = total = 0
    for tok in tokens:
        if not tok.is_alpha or tok.lower_ in _SMALL_WORDS:
            continue
        total += 1
        caps += tok.text[0].isupper()
    return total >= minimum and caps >= 0.8 * total


def _in_headline_run(doc: Doc, i: int, j: int, sent: Span) -> bool:
    """Whether a span sits in a capitalised run with a verb: a headline glued to the text.

    "Russia Still Hasn't Taken Bakhmut, and Wagner Is Scared: Despite reports ..." is one
    sentence to the parser; the run of capitalised words around the span gives it away.
    """
    lo, hi = i, j
    while lo > sent.start and _run_token(doc[lo - 1]):
        lo -= 1
    while hi < sent.end and _run_token(doc[hi]):
        hi += 1
    caps = [t for t in doc[lo:hi] if t.is_alpha and t.text[0].isupper()]
    return len(caps) >= 4 and any(t.tag_ in _VERB_TAGS for t in caps)


def _run_token(tok: Token) -> bool:
    if tok.is_space or tok.text in {".", "?", "!"}:
        return False
    if tok.is_alpha:
        return tok.text[0].isupper() or tok.lower_ in _SMALL_WORDS
    return True


# --------------------------------------------------------------------------- span cleanup


def _segments(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Cut an entity span where the model glued separate things together."""
    cuts: list[tuple[int, int]] = []
    cur = start
    for k in range(start, end):
        tok = doc[k]
        prev = doc[k - 1] if k > 0 else None
        spaced = bool(tok.whitespace_) or (prev is not None and bool(prev.whitespace_))
        if (
            tok.is_space
            or "\n" in tok.text
            or tok.text in _SEPARATORS
            or (tok.text in _SPACED_SEPARATORS and spaced)
            or tok.text in _VERSUS
        ):
            cuts.append((cur, k))
            cur = k + 1
            continue
        if k > start and k > cur and (tok.is_sent_start or (prev is not None and "\n" in prev.whitespace_)):
            cuts.append((cur, k))
            cur = k
        if tok.lower_ in _POSSESSIVES and k + 1 < end and prev is not None and prev.lower_ not in _NAME_POSSESSORS:
            cuts.append((cur, k))
            cur = k + 1
            continue
        if k > cur and tok.is_alpha and prev is not None and tok.text == prev.text:
            cuts.append((cur, k))
            cur = k
        elif k > cur and k + 1 < end and _verbish(tok) and tok.text[0].isupper():
            cuts.append((cur, k))
            cur = k + 1
    cuts.append((cur, end))
    out: list[tuple[int, int]] = []
    for i, j in cuts:
        while i < j and _strip_edge(doc[i]):
            i += 1
        while j > i and _strip_edge(doc[j - 1]):
            j -= 1
        if j - i >= 2 and doc[i].is_sent_start and _sentence_word(doc[i]) and _is_known(doc[i + 1 : j].text):
            i += 1  # "Citing Germany": a capitalised first word in front of a known place
        if j - i >= 2 and doc[i].is_sent_start and _glued_descriptor(doc[i]):
            i += 1  # "Carmaker Nissan", "Striker Wayne Rooney": the sentence's capital, not the name's
        if i < j:
            out.extend(_split_conjunction(doc, i, j))
    return out


def _glued_descriptor(tok: Token) -> bool:
    """A capitalised first word that says what the name after it is ("Carmaker", "Striker"),
    and that no name begins with ("General Motors", "Deputy", "Group" stay)."""
    low = tok.lower_
    if not tok.is_alpha or gz.is_title_modifier(low) or low in gz.ORG_WORDS or _is_known(tok.text):
        return False
    return gz.is_org_descriptor(low) or (gz.is_person_title(low, "NN") and not is_honorific(low))


def _sentence_word(tok: Token) -> bool:
    t = tok.text
    return not (
        gz.is_first_name(t) or gz.is_title(t, tok.tag_) or _is_known(t) or t.lower() in _COMPASS or t.isupper()
    )


def _split_conjunction(doc: Doc, i: int, j: int) -> list[tuple[int, int]]:
    """Split at "and" between two known names: "Bakhmut and Avdiyivka", not "Bosnia and Herzegovina"."""
    whole = doc[i:j].text
    if _is_known(whole):
        return [(i, j)]
    for k in range(i + 1, j - 1):
        if doc[k].lower_ in {"and", "&"} and _is_known(doc[i:k].text) and _is_known(doc[k + 1 : j].text):
            return [(i, k), (k + 1, j)]
    return [(i, j)]


def _valid(text: str) -> bool:
    if len(text) < 2 or not _has_upper(text):
        return False
    return any(c.isalpha() for c in text)


def _person_like(tokens: list[str], person_tokens: set[str]) -> bool:
    if len(tokens) >= 2 and gz.is_first_name(tokens[0]):
        return True
    return len(tokens) == 1 and gz.key(tokens[0]) in person_tokens


class _Elsewhere:
    """Surfaces the article body mentions, not counting the span being judged."""

    __slots__ = ("counts", "own")

    def __init__(self, counts: Counter[str], own: str) -> None:
        self.counts = counts
        self.own = own

    def __contains__(self, k: object) -> bool:
        return self.counts.get(k, 0) > (1 if k == self.own else 0)  # type: ignore[call-overload]


def _unglue(doc: Doc, p: _Piece, known: _Elsewhere, person_tokens: set[str]) -> list[_Piece]:
    """Split "Washington Anatoly Antonov", "Reuters Bukkvoll", "AP NATO", "AP British"."""
    toks = [t.text for t in doc[p.i : p.j]]
    if len(toks) < 2 or _is_known(" ".join(toks)) or gz.key(doc[p.i : p.j].text) in known:
        return [p]
    for k in range(1, len(toks)):
        right = toks[k:]
        left_s, right_s = doc[p.i : p.i + k].text, doc[p.i + k : p.j].text
        right_is_demonym = len(right) == 1 and gz.demonym(right_s) is not None
        left_place = gz.place(left_s)
        left_known = gz.org(left_s) is not None or (left_place is not None and gz.demonym(left_s) is None)
        if not left_known and not right_is_demonym:
            continue
        ok = right_is_demonym
        if not ok and left_known:
            if _person_like(right, person_tokens):
                ok = not (len(right) == 1 and left_place is not None and gz.is_ambiguous(left_s))
            elif not gz.is_ambiguous(left_s) and (gz.org(right_s) is not None or gz.place(right_s) is not None):
                ok = gz.demonym(right_s) is None or right_is_demonym
        if ok:
            first = _Piece(p.doc, p.i, p.i + k, p.label, p.headline, weight=0.5)
            rest = _Piece(p.doc, p.i + k, p.j, p.label, p.headline, weight=0.5)
            return [first, *_unglue(doc, rest, known, person_tokens)]
    return [p]


def _confirm(doc: Doc, p: _Piece, known: _Elsewhere, person_tokens: set[str]) -> list[_Piece]:
    """Keep the parts of a headline span that the article body or the gazetteer vouch for."""
    n = p.j - p.i
    for length in range(n, 0, -1):
        for a in range(p.i, p.j - length + 1):
            b = a + length
            text = doc[a:b].text
            if _strip_edge(doc[a]) or _strip_edge(doc[b - 1]):
                continue
            person = length >= 2 and gz.is_first_name(doc[a].text) and all(t.text[:1].isupper() for t in doc[a:b])
            possessor = length == 1 and b < len(doc) and doc[b].lower_ in _POSSESSIVES and doc[a].tag_ == "NNP"
            k = gz.key(text)
            if _is_known(text) or k in known or k in person_tokens or person or possessor:
                # the model's label was for the glued phrase: a part of it gets no model vote
                whole = (a, b) == (p.i, p.j)
                out = [
                    _Piece(
                        p.doc,
                        a,
                        b,
                        p.label,
                        True,
                        weight=p.weight if whole else 0.0,
                        possessor=possessor or p.possessor,
                    )
                ]
                if a > p.i:
                    out = _confirm(doc, _Piece(p.doc, p.i, a, p.label, True), known, person_tokens) + out
                if b < p.j:
                    out += _confirm(doc, _Piece(p.doc, b, p.j, p.label, True), known, person_tokens)
                return out
    return []


# --------------------------------------------------------------------------- evidence


def _person_title(tok: Token) -> bool:
    """A title only people bear, before or after a name ("manager", "Mr.", not "retailer")."""
    return gz.is_person_title(tok.text.rstrip("."), tok.tag_)


def _speech_evidence(doc: Doc, i: int, j: int) -> float:
    """A reporting verb with the span as its speaker ("X said", "..., said X"). People and
    organisations both speak, so this outvotes a place or nationality label, not ORG."""
    root = doc[i:j].root
    subject_of_speech = root.dep_ in {"nsubj", "nsubjpass"} and root.head.lower_ in SPEECH_VERBS
    inverted = i > 0 and doc[i - 1].lower_ in _INVERTED_SPEECH  # "..., said Bukkvoll"
    followed = j < len(doc) and doc[j].lower_ in SPEECH_VERBS
    return 1.0 if subject_of_speech or inverted or followed else 0.0


def _title_evidence(doc: Doc, i: int, j: int) -> float:
    """Context that marks a span as a person: a title before it, or a title in an apposition after it."""
    w = 0.0
    title_before = i > 0 and _person_title(doc[i - 1])
    title_apposed = i > 1 and doc[i - 1].text == "," and _person_title(doc[i - 2])
    if title_before or title_apposed:
        w += 2
    apposition = j + 2 < len(doc) and doc[j].text == "," and doc[j + 1].lower_ in {"the", "a", "its", "his", "her"}
    if apposition and any(_person_title(t) for t in doc[j + 2 : min(j + 6, len(doc))]):
        w += 2
    return w


def _employer_slot(doc: Doc, j: int) -> bool:
    """Whether a title follows the span and a name follows the title: the span is whom the
    person works for ("*Manchester United* manager Erik ten Hag", "*Apple* chief executive
    Tim Cook", "*Wagner* chief Yevgeny Prigozhin"), an organisation more often than not."""
    k = j
    titled = False
    while k < len(doc) and k < j + 5:
        tok = doc[k]
        if tok.is_alpha and _person_title(tok) and not is_honorific(tok.text):
            titled = True
        elif not (tok.is_alpha and gz.is_title_modifier(tok.text) and tok.lower_ not in _SMALL_WORDS):
            break
        k += 1
    if not titled or k >= len(doc):
        return False
    nxt = doc[k]
    return nxt.is_alpha and nxt.text[:1].isupper() and nxt.tag_ in _PROPER_TAGS


def _descriptor(tok: Token) -> bool:
    """A noun that says what the organisation after it is, and no title only people bear."""
    return tok.is_alpha and gz.is_org_descriptor(tok.lower_) and not _person_title(tok)


def _org_evidence(doc: Doc, i: int, j: int) -> float:
    """Context that marks a span as an organisation: the employer slot of a title, or a
    noun only organisations own right after it ("Activision Blizzard('s) shares")."""
    if j >= len(doc):
        return 0.0
    w = 0.0
    if i > 0 and doc[i - 1].tag_.startswith("NN") and _descriptor(doc[i - 1]) and not doc[i - 1].is_title:
        w += 2  # "carmaker Nissan", "Premier League side Chelsea"
    if doc[j].lower_ not in _POSSESSIVES and _employer_slot(doc, j):
        w += 2
    k = j + 1 if doc[j].lower_ in _POSSESSIVES else j
    if k < len(doc) and doc[k].tag_ in _NOUN_TAGS and gz.is_org_context(doc[k].lower_):
        w += 2
    return w


def _model_designation(doc: Doc, i: int, j: int) -> bool:
    """A name that with the number after it names a model: "Leopard 2 tanks", "Challenger 2
    tanks", "iPhone 15 models" (the name and the number both modify the noun that follows)."""
    if j + 1 >= len(doc) or not doc[j].text[:1].isdigit() or not gz.is_model_number("x " + doc[j].text):
        return False
    root = doc[i:j].root
    head = root.head
    return head.i > j and head.tag_ in _NOUN_TAGS and root.dep_ in {"compound", "nmod", "amod"}


def _weak_person(doc: Doc, p: _Piece) -> bool:
    """One capitalised word the model alone calls a person where capitals prove nothing:
    the first word of a sentence ("Turnout was 61%"), or a word the tagger reads as a
    common noun. Its model vote does not count; a mid-sentence mention, a title, a
    reporting verb or the full name it shortens still can make it a person."""
    if p.j - p.i != 1 or p.label != "PERSON" or p.gazetteer or p.possessor or p.person_evidence:
        return False
    tok = doc[p.i]
    if gz.is_first_name(tok.text) or tok.text.isupper():
        return False
    if tok.tag_ in _NOUN_TAGS:
        return True
    k = p.i
    while k > 0 and not doc[k].is_sent_start and (doc[k - 1].is_punct or doc[k - 1].is_space):
        k -= 1
    return doc[k].is_sent_start or k == 0


# --------------------------------------------------------------------------- voting


@lru_cache(maxsize=200_000)
def _gazetteer_label(surface: str) -> str | None:
    if gz.demonym(surface) is not None:
        return "NORP"
    hit = gz.place(surface)
    if hit is not None and not gz.is_ambiguous(surface):
        return hit[1]
    if gz.org(surface) is not None and not gz.is_ambiguous(surface):
        return "ORG"
    return None


def _priors(surface: str) -> Counter[str]:
    """Votes that follow from the surface alone."""
    return Counter(dict(_prior_items(surface)))


@lru_cache(maxsize=200_000)
def _prior_items(surface: str) -> tuple[tuple[str, float], ...]:
    prior: Counter[str] = Counter()
    toks = surface.split()
    low = {t.lower().strip(".,") for t in toks}
    hit = gz.place(surface)
    if hit is not None:
        prior[hit[1]] += 2
    elif len(toks) >= 2 and toks[0].lower() in _COMPASS and gz.place(" ".join(toks[1:])) is not None:
        prior["LOC"] += 3
    if gz.org(surface) is not None:
        prior["ORG"] += 2
    if low & gz.ORG_WORDS:
        prior["ORG"] += 3
    elif len(toks) >= 2 and gz.is_first_name(toks[0]):
        prior["PERSON"] += 3
    elif len(toks) == 1 and gz.is_first_name(toks[0]):
        prior["PERSON"] += 1
    letters = [c for c in surface if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and len(toks) == 1:
        prior["ORG"] += 1
    return tuple(prior.items())


@lru_cache(maxsize=200_000)
def _not_a_person(surface: str) -> str | None:
    """Whether a surface cannot name a person, and what its PERSON votes then count for.

    "ORG" for a known place followed by words that are no personal name ("Manchester
    United", "Moscow Times") and for a name with a legal or club designator ("Rolls-Royce
    Holdings", "Chelsea FC"); "" (the votes count for nothing) for a model number ("F-150",
    "Su-25", "Leopard 2"); None otherwise.
    """
    toks = surface.split()
    if gz.is_model_number(surface):
        return ""
    low = [gz.key(t) for t in toks]
    if any(t in _LEGAL_DESIGNATORS for t in low[1:]):
        return "ORG"
    if len(toks) >= 2 and not any(gz.is_first_name(t) for t in toks) and gz.place(surface) is None:
        first = toks[0]
        if (
            gz.place(first) is not None
            and not gz.is_ambiguous(first)
            and gz.demonym(first) is None
            and gz.key(toks[1]) not in gz.REGION_SUFFIXES
        ):
            return "ORG"
    return None


def _veto(surface: str, votes: Counter[str]) -> Counter[str]:
    """Votes with PERSON taken out for a surface that cannot be a person (see :func:`_not_a_person`)."""
    if not votes.get("PERSON"):
        return votes
    to = _not_a_person(surface)
    if to is None:
        return votes
    out = Counter(votes)
    person = out.pop("PERSON")
    if to:
        out[to] += person
    return out


def _argmax(votes: Counter[str]) -> str | None:
    best = [(w, -_PREFERENCE[label], label) for label, w in votes.items() if label in _PREFERENCE and w > 0]
    return max(best)[2] if best else None


def _similar_surname(a: str, b: str) -> bool:
    if a == b:
        return True
    return len(a) >= 6 and len(b) >= 6 and a[0] == b[0] and fuzz.ratio(a, b) >= 85


def vote_labels(counts: Mapping[str, Counter[str]], *, fuzzy: bool = True) -> dict[str, str]:
    """The label each surface should carry, from label votes gathered over its mentions.

    ``counts`` maps a surface ("Scholz", "Olaf Scholz") to votes per label; callers may add
    context evidence as extra PERSON votes. The gazetteer decides places, organisations and
    nationalities outright; otherwise the majority wins after surface priors (a known first
    name, an organisation word, an acronym), and a one-word surface that is the surname of a
    full name voted PERSON inherits that vote (with ``fuzzy``, also a surname spelt one
    letter off, which is safe inside one article). Works per article or over a corpus.
    """
    own: dict[str, Counter[str]] = {}
    fixed: dict[str, str | None] = {}
    for surface, votes in counts.items():
        c: Counter[str] = Counter()
        for label, w in votes.items():
            mapped = _MODEL_LABELS.get(label)
            if mapped:
                c[mapped] += w
        own[surface] = c + _priors(surface)
        fixed[surface] = _gazetteer_label(surface)
    labels: dict[str, str] = {}
    singles: dict[str, str] = {}
    for surface in counts:
        if len(surface.split()) == 1:
            singles[gz.key(surface)] = surface
    # full names first: they take the PERSON evidence of their bare surname into account
    full_by_last: dict[str, list[str]] = defaultdict(list)
    for surface in counts:
        toks = surface.split()
        if fixed[surface]:
            labels[surface] = fixed[surface]  # type: ignore[assignment]
            continue
        votes = own[surface]
        if len(toks) >= 2:
            last = gz.key(toks[-1])
            surname = singles.get(last)
            if surname is not None and surname != surface and not fixed[surname]:
                votes = votes + Counter({"PERSON": own[surname]["PERSON"]})
            full_by_last[last].append(surface)
        label = _argmax(_veto(surface, votes))
        if label:
            labels[surface] = label
    # surnames of full names voted PERSON, bucketed by first letter for the typo check
    person_lasts: dict[str, list[str]] = defaultdict(list)
    for last, fulls in full_by_last.items():
        if last and any(labels.get(m) == "PERSON" for m in fulls):
            person_lasts[last[0]].append(last)
    for k, surface in singles.items():
        if fixed[surface] or not k:
            continue
        lasts = [k] if k in full_by_last else []
        if fuzzy and len(k) >= 6:
            bucket = person_lasts.get(k[0], [])
            lasts += [
                c
                for c, _, _ in process.extract(k, bucket, scorer=fuzz.ratio, score_cutoff=85, limit=None)
                if c != k and len(c) >= 6
            ]
        persons = [m for last in lasts for m in full_by_last[last] if labels.get(m) == "PERSON"]
        if persons:
            # a known place that is also a surname (Washington, Jordan) gets no bonus
            bonus = 0 if gz.place(surface) is not None else 5
            votes = own[surface] + Counter({"PERSON": bonus + sum(own[m]["PERSON"] for m in persons)})
            label = _argmax(_veto(surface, votes))
            if label:
                labels[surface] = label
    return labels


# --------------------------------------------------------------------------- main entry


def _collect(art: _Article) -> list[_Piece]:
    pieces: list[_Piece] = []
    for di, (_, doc) in enumerate(art.docs):
        short_para = len(doc) <= 30 and _titlecase(doc)
        sent_titlecase: dict[int, bool] = {}
        sents = list(doc.sents)
        starts = [x.start for x in sents]
        for ent in doc.ents:
            label = _MODEL_LABELS.get(ent.label_)
            if label is None:
                continue
            sent = sents[bisect_right(starts, ent.start) - 1]
            if sent.start not in sent_titlecase:
                sent_titlecase[sent.start] = _titlecase(sent)
            start = ent.start
            while (
                start >= 2
                and doc[start - 1].text == "/"
                and not doc[start - 1].whitespace_
                and not doc[start - 2].whitespace_
                and doc[start - 2].text[:1].isupper()
            ):
                start -= 2
            end = ent.end
            if label == "ORG" and end < len(doc) and doc[end].text in _DESIGNATOR_TOKENS:
                end += 1
            elif label == "PERSON":
                end = _through_particles(doc, end)
            segments = _segments(doc, start, end)
            if label == "PERSON":
                segments = [(_back_through_particles(doc, i), j) for i, j in segments]
            for i, j in segments:
                headline = short_para or sent_titlecase[sent.start] or _in_headline_run(doc, i, j, sent)
                glued = len(segments) > 1
                possessor = glued and j < end and doc[j].lower_ in _POSSESSIVES
                pieces.append(_Piece(di, i, j, label, headline, weight=0.5 if glued else 1.0, possessor=possessor))
    return pieces


def _gazetteer_scan(art: _Article, pieces: list[_Piece], person_tokens: set[str]) -> list[_Piece]:
    """Names the model missed entirely.

    Known places ("Kyiv Says Forces Outnumbered ..."), known organisations ("a covert
    Bundestag meeting"; one-word ones only mid-sentence), the surnames of people the
    article names in full ("Schevchuk writes"), and first name + surname runs.
    """
    covered: dict[int, set[int]] = defaultdict(set)
    for p in pieces:
        covered[p.doc].update(range(p.i, p.j))
    found: list[_Piece] = []
    # first names first, so their surnames are known when the second pass looks for them
    for di, (_, doc) in enumerate(art.docs):
        k = 0
        while k < len(doc):
            hit = None if k in covered[di] else _first_name_run(doc, di, k, covered[di])
            if hit is None:
                k += 1
                continue
            found.append(hit)
            covered[di].update(range(hit.i, hit.j))
            person_tokens.add(gz.key(doc[hit.j - 1].text))
            k = hit.j
    for di, (_, doc) in enumerate(art.docs):
        k = 0
        n = len(doc)
        while k < n:
            tok = doc[k]
            if k in covered[di] or not tok.text[:1].isupper():
                k += 1
                continue
            hit = None
            for length in (3, 2, 1):
                b = k + length
                if b > n or any(x in covered[di] or not _scan_word(doc[x], length) for x in range(k, b)):
                    continue
                text = doc[k:b].text
                if gz.is_ambiguous(text) or gz.demonym(text) is not None or tok.lower_ in _DETERMINERS:
                    continue
                place = gz.place(text)
                if place is not None and len(text) >= 4:
                    hit = _Piece(di, k, b, place[1], gazetteer=True)
                    break
                if gz.org(text) is not None and (
                    length > 1 or (text.isupper() and len(text) >= 2) or (not tok.is_sent_start and len(text) >= 4)
                ):
                    hit = _Piece(di, k, b, "ORG", gazetteer=True)
                    break
                if length == 1 and tok.tag_ in {"NNP", "NNPS"} and _is_surname(gz.key(text), person_tokens):
                    a = _back_through_particles(doc, k)
                    if any(x in covered[di] for x in range(a, k)):
                        a = k
                    hit = _Piece(di, a, b, "PERSON", gazetteer=True)
                    break
            if hit is None:
                k += 1
                continue
            found.append(hit)
            k = hit.j
    return found


def _scan_word(tok: Token, length: int) -> bool:
    """A token the gazetteer scan may look up: a word, or alone a code such as "G-7"."""
    return tok.is_alpha or (length == 1 and gz.is_model_number(tok.text) and tok.text[:1].isupper())


def _is_surname(k: str, person_tokens: set[str]) -> bool:
    if k in person_tokens:
        return True
    return len(k) >= 6 and any(_similar_surname(k, t) for t in person_tokens)


def _first_name_run(doc: Doc, di: int, k: int, covered: set[int]) -> _Piece | None:
    """A known first name followed by capitalised words the model left untagged.

    The small model misses people in some paragraphs ("Oleksiy Dmytrashkivskyi, the
    spokesman ..."); a first name from the gazetteer plus one or two proper nouns is a
    safe enough signal.
    """
    tok = doc[k]
    if not tok.is_alpha or tok.tag_ != "NNP" or not gz.is_first_name(tok.text):
        return None
    j = k + 1
    while j < len(doc) and j - k < 3 and j not in covered:
        nxt = doc[j]
        low = nxt.lower_
        if not (nxt.is_alpha and nxt.text[0].isupper() and nxt.tag_ in {"NNP", "NNPS"}):
            break
        if low in gz.ORG_WORDS or gz.is_title(nxt.text, nxt.tag_) or _is_known(nxt.text):
            break
        j += 1
    j = _through_particles(doc, j)
    if j == k + 1:
        return None
    return _Piece(di, k, j, "PERSON", gazetteer=True)


def _back_through_particles(doc: Doc, i: int) -> int:
    """Keep the particles a surname starts with: "ten Hag", "von der Leyen" ("Ten Hag" at a sentence start)."""
    k = i
    while k > 0 and i - k < 3:
        prev = doc[k - 1]
        if gz.is_name_particle(prev.text) or (prev.is_sent_start and gz.is_name_particle(prev.lower_)):
            k -= 1
            if prev.is_sent_start:
                break
            continue
        break
    return k if k < i and doc[i].text[:1].isupper() else i


def _through_particles(doc: Doc, end: int) -> int:
    """Run a personal name on through lower-case particles to the capitalised word after:
    "Erik" + "ten Hag", "Ursula von der" + "Leyen"."""
    base = end
    while base > 0 and end - base < 3 and gz.is_name_particle(doc[base - 1].text):
        base -= 1  # the model's span stopped inside the particles
    k = base
    while k < len(doc) and k - base < 3 and gz.is_name_particle(doc[k].text):
        k += 1
    if k == base or k >= len(doc):
        return end
    nxt = doc[k]
    if nxt.is_alpha and nxt.text[:1].isupper() and nxt.tag_.startswith("NN") and not _is_known(nxt.text):
        return k + 1  # the tagger may read the surname as a common noun ("Hag"/NN)
    return end


def _common_word(doc: Doc, p: _Piece, lower_words: set[str]) -> bool:
    """A lone capitalised word the article also writes in lower case ("Jets", "State").

    Headlines and sentence starts capitalise ordinary words; if the article uses the word
    uncapitalised elsewhere and nothing marks it as a name, it is not one.
    """
    if p.j - p.i != 1 or p.gazetteer or p.person_evidence:
        return False
    tok = doc[p.i]
    if tok.text.isupper() or _is_known(tok.text) or gz.is_first_name(tok.text):
        return False
    return tok.lower_ in lower_words


def _drop_overlaps(pieces: list[_Piece]) -> list[_Piece]:
    """Keep the longer of two overlapping spans (the model tagged "RFE" and "RL's ..." apart)."""
    out: list[_Piece] = []
    for p in sorted(pieces, key=lambda p: (p.doc, p.i, -(p.j - p.i))):
        if out and out[-1].doc == p.doc and p.i < out[-1].j:
            if p.j - p.i > out[-1].j - out[-1].i:
                out[-1] = p
            continue
        out.append(p)
    return out


def _portfolio(doc: Doc, p: _Piece) -> bool:
    """Whether a span is a title's portfolio: "Defense" in "Defense Minister Sergei Shoigu"."""
    if p.label != "ORG" or p.j >= len(doc) or not gz.is_title(doc[p.j].text, doc[p.j].tag_):
        return False
    words = {t.lower_ for t in doc[p.i : p.j] if t.is_alpha}
    return bool(words) and words <= gz.GENERIC_ORG_WORDS and not (words & gz.ORG_WORDS)


def _attach_owner(art: _Article, pieces: list[_Piece]) -> list[_Piece]:
    """Keep the owner of a generic official name: "Russia's Ministry of Defense".

    "Russia's Ministry of Defense" and "British Ministry of Defence" name one body each.

    A generic official name ("Ministry of Defense", "Federal Intelligence Service") right
    after a country's possessive or a nationality adjective takes that owner into the span,
    so the two ministries never look like one name.
    """
    by_end: dict[tuple[int, int], int] = {(p.doc, p.j): n for n, p in enumerate(pieces)}
    drop: set[int] = set()
    for p in pieces:
        if p.label != "ORG":
            continue
        doc = art.docs[p.doc][1]
        words = {t.lower_ for t in doc[p.i : p.j] if t.is_alpha}
        if not words or not words <= gz.GENERIC_ORG_WORDS:
            continue
        owner_end = p.i
        if p.i >= 1 and doc[p.i - 1].lower_ in _POSSESSIVES:
            owner_end = p.i - 1
        owner = by_end.get((p.doc, owner_end))
        if owner is None:
            continue
        o = pieces[owner]
        owner_text = doc[o.i : o.j].text
        possessive = owner_end != p.i
        if (possessive and o.label == "GPE" and gz.demonym_of_country(owner_text)) or (
            not possessive and o.label == "NORP"
        ):
            p.i = o.i
            drop.add(owner)
    return [p for n, p in enumerate(pieces) if n not in drop]


def find_mentions(docs: list[tuple[int, Doc]]) -> list[Mention]:
    """Typed name mentions of one article, with offsets into the article text.

    ``docs`` are the article's paragraphs processed by spaCy, each with its start offset.
    """
    art = _Article(docs)
    for _, doc in docs:
        art.lower_words.update(t.text for t in doc if t.is_alpha and t.is_lower)
    raw = _collect(art)
    for p in raw:
        p.text = art.span_text(p)
        p.key = gz.key(p.text)
    body_counts = Counter(p.key for p in raw if not p.headline)
    person_tokens = {
        gz.key(p.text.split()[-1]) for p in raw if len(p.text.split()) >= 2 and gz.is_first_name(p.text.split()[0])
    }
    pieces: list[_Piece] = []
    for p in raw:
        doc = docs[p.doc][1]
        others = _Elsewhere(body_counts, "" if p.headline else p.key)
        for q in _unglue(doc, p, others, person_tokens):
            if q.headline and not (_is_known(doc[q.i : q.j].text) or gz.key(doc[q.i : q.j].text) in others):
                pieces.extend(_confirm(doc, q, others, person_tokens))
            else:
                pieces.append(q)
    pieces.extend(_gazetteer_scan(art, pieces, person_tokens))
    pieces.sort(key=lambda p: (p.doc, p.i))
    pieces = _drop_overlaps([p for p in pieces if not _portfolio(docs[p.doc][1], p)])
    pieces = _attach_owner(art, pieces)
    kept: list[_Piece] = []
    for p in pieces:
        doc = docs[p.doc][1]
        p.start = doc[p.i].idx
        p.end = doc[p.j - 1].idx + len(doc[p.j - 1].text)
        p.text = doc[p.i : p.j].text
        trimmed = _POSSESSIVE_TAIL.sub("", p.text)
        if trimmed != p.text and len(trimmed) >= 2:
            p.end -= len(p.text) - len(trimmed)
            p.text = trimmed
        if not _valid(p.text):
            continue
        p.key = gz.key(p.text)
        p.speech = _speech_evidence(doc, p.i, p.j)
        p.person_evidence = _title_evidence(doc, p.i, p.j) + p.speech
        p.org_evidence = _org_evidence(doc, p.i, p.j)
        if _common_word(doc, p, art.lower_words):
            continue
        if _weak_person(doc, p):
            p.weight = 0.0
        if gz.is_product(p.text) and not p.person_evidence and not gz.is_first_name(p.text.split()[0]):
            continue
        if p.label != "ORG" and _model_designation(doc, p.i, p.j):
            continue  # equipment, whether or not a domain pack knows the name
        kept.append(p)
    counts: dict[str, Counter[str]] = {}
    surface_of: dict[str, str] = {}
    for p in kept:
        surface = surface_of.setdefault(p.key, p.text)
        c = counts.setdefault(surface, Counter())
        if p.weight:
            c[p.label] += p.weight
        if p.possessor:
            c["PERSON"] += 0.5  # "X's ..." glued into a headline: usually a person
        person = p.person_evidence - (p.speech if p.label == "ORG" and p.weight else 0.0)
        if person:
            c["PERSON"] += person
        if p.org_evidence:
            c["ORG"] += p.org_evidence
    labels = vote_labels(counts)
    mentions: list[Mention] = []
    seen: set[tuple[int, int]] = set()
    for p in kept:
        offset, doc = docs[p.doc]
        label = labels.get(surface_of[p.key])
        if label is None:
            continue
        start, end = offset + p.start, offset + p.end
        if (start, end) in seen:
            continue
        seen.add((start, end))
        mentions.append(Mention(start=start, end=end, text=p.text, label=label))
    mentions.sort(key=lambda m: m.start)
    return mentions


# --------------------------------------------------------------------------- roles


def _role_before(doc: Doc, i: int, owner: Mapping[int, int]) -> tuple[int, int] | None:
    """A title before a name: "Wagner chief", "Russian Defense Minister", "NATO Secretary-General".

    ``owner`` maps token indices to the mention they belong to, so the walk back stops at
    a second, unrelated name ("Virginia Mayo / AP NATO chief ...").
    """
    if i == 0 or doc[i - 1].tag_ in _FUNCTION_TAGS:
        return None  # "a close ally of Vladimir Putin": the name is not the one described
    k = i
    has_title = False
    current: int | None = None
    while k > 0:
        tok = doc[k - 1]
        if tok.text in {"-", "\u2010", "\u2011"} and not tok.whitespace_ and k >= 2 and not doc[k - 2].whitespace_:
            k -= 1
            continue
        possessive = _is_possessive(tok)
        if tok.is_space or (tok.is_punct and not possessive):
            break
        mid = owner.get(k - 1)
        if mid is not None:
            if current is not None and mid != current:
                break
            current = mid
            k -= 1
            continue
        if possessive:
            k -= 1
            continue
        title = gz.is_title(tok.text.rstrip("."), tok.tag_) and not is_honorific(tok.text)
        if title or gz.is_title_modifier(tok.text):
            has_title = has_title or title
            current = None
            k -= 1
            continue
        if tok.text[:1].isupper() and tok.tag_ in {"NNP", "NNPS"}:
            k -= 1
            continue
        break
    while k < i and (doc[k].lower_ in _SMALL_WORDS or doc[k].lower_ in _POSSESSIVES or doc[k].tag_ in _FUNCTION_TAGS):
        k += 1
    if not has_title or k >= i:
        return None
    return k, i


def _is_possessive(tok: Token) -> bool:
    """ "'s" or a bare apostrophe the tagger reads as a possessive, not a closing quote ("‘dear friend’ Putin")."""
    return tok.lower_ in _POSSESSIVES and (tok.tag_ == "POS" or len(tok.text) > 1)


_ROLE_DETERMINERS = frozenset({"the", "a", "an", "its", "his", "her", "their"})


def _role_after(doc: Doc, j: int, owner: Mapping[int, int], persons: set[int]) -> tuple[int, int] | None:
    """An apposition after a name: "X, the head of the Russian Wagner Group,"."""
    if j + 2 >= len(doc) or doc[j].text != ",":
        return None
    a = j + 1
    if doc[a].lower_ not in _ROLE_DETERMINERS:
        return None
    b = a
    has_title = False
    limit = min(len(doc), a + 14)
    while b < limit:
        tok = doc[b]
        if tok.text in {",", ".", ";", ":", "\u2014", "(", ")"} or tok.is_space or tok.tag_ in _VERB_TAGS:
            break
        if tok.lower_ in {"who", "which", "that", "whose"} or owner.get(b) in persons:
            return None
        has_title = has_title or (gz.is_title(tok.text, tok.tag_) and not is_honorific(tok.text))
        b += 1
    if not has_title or b == a or b >= len(doc) or doc[b].text not in {",", ".", ";", "\u2014"}:
        return None
    return a, b


def _role_apposed_before(doc: Doc, i: int) -> tuple[int, int] | None:
    """An apposition before a name: "its ambassador to Germany, Sergei Nechayev"."""
    if i < 2 or doc[i - 1].text != ",":
        return None
    b = i - 1
    a = b
    has_title = False
    while a > 0:
        tok = doc[a - 1]
        low = tok.lower_
        if tok.is_space or (tok.is_punct and low not in _POSSESSIVES):
            break
        if low in _ROLE_DETERMINERS:
            a -= 1
            break
        title = gz.is_title(tok.text, tok.tag_) and not is_honorific(tok.text)
        if (
            title
            or gz.is_title_modifier(tok.text)
            or low in _POSSESSIVES
            or (tok.text[:1].isupper() and tok.tag_ not in _FUNCTION_TAGS)
        ):
            has_title = has_title or title
            a -= 1
            continue
        break
    if not has_title or a >= b:
        return None
    return a, b


def find_roles(docs: list[tuple[int, Doc]], mentions: list[Mention]) -> list[tuple[Mention, str]]:
    """Descriptions written next to a person's name: "Wagner chief", "the head of ...".

    These are not names, so they are not merged as aliases; the alias index keeps them as
    the roles a person was described with, which lets "the Wagner chief" find Prigozhin.
    """
    out: list[tuple[Mention, str]] = []
    ordered = sorted(mentions, key=lambda m: m.start)
    n = 0
    for offset, doc in sorted(docs, key=lambda d: d[0]):
        end = offset + (doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0)
        owner: dict[int, int] = {}
        persons: set[int] = set()
        local: list[tuple[int, Mention, int, int]] = []
        while n < len(ordered) and ordered[n].start < offset:
            n += 1
        k = n
        while k < len(ordered) and ordered[k].start < end:
            m = ordered[k]
            span = doc.char_span(m.start - offset, m.end - offset, alignment_mode="expand")
            if span is not None:
                for t in range(span.start, span.end):
                    owner[t] = k
                if m.label == "PERSON":
                    persons.add(k)
                local.append((k, m, span.start, span.end))
            k += 1
        for idx, m, i, j in local:
            if idx not in persons:
                continue
            for hit in (_role_before(doc, i, owner), _role_apposed_before(doc, i), _role_after(doc, j, owner, persons)):
                if hit:
                    out.append((m, doc[hit[0] : hit[1]].text))
    return out
