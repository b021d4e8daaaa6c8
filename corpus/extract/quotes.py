"""Direct quotes in news text and who said them.

The extractor works in two passes over an article whose paragraphs have already been run
through the spaCy pipeline:

1. **Spans.** Quote marks are paired character by character (straight, curly, single, and the
   doubled-single ``‘‘ … ’’`` some sites use), so a quote that runs across several sentences is
   one quote, nested quotes stay inside their outer quote, and apostrophes ("Russia’s",
   "don’t", "’90s", "soldiers’ families") are not read as marks. Two mark-less forms are also
   found: dash-led dialogue ("– We will win, says X.", the Scandinavian/Continental convention
   that survives translation) and a quote whose opening mark was lost (the paragraph ends in
   ``…,” X writes.`` with no “ before it).
2. **Speakers.** Attribution is read from the dependency parse: a reporting verb right after
   the quote (``,” X said``), a reporting verb the quote hangs from (``X said that “…”``,
   ``X called it “…”``), a colon or "that" introduction, "according to X", "AFP quoted X as
   saying", the subject of the sentence for scare-quoted fragments, and finally the previous
   quote's speaker when an unattributed quote continues it. Pronouns go to the nearest fitting
   earlier name (a PERSON for he/she, an organisation or place for "it"), preferring sentence
   subjects, because the parser's nearest noun is often an object ("Bukkvoll believes that
   Putin is …", "he says" means Bukkvoll). Names are then widened to their fullest form in the
   article and given the role the article attaches to them ("Wagner chief").

Everything is rule-based over the parse so it runs at pipeline speed over large corpora; no
rule names a particular person, outlet or sentence.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

from corpus.extract import gazetteer as gz
from corpus.language import (
    STOP_WORDS,
    is_honorific,
    is_person_role,
    is_role,
    is_role_modifier,
    lexicon,
    longest_first,
    norm,
    role_words,
)
from corpus.models import Mention, Quote

if TYPE_CHECKING:  # spaCy is imported where a parse is made, not to read the database
    from spacy.tokens import Doc, Span, Token

__all__ = ["find_quotes", "SPEECH_LEMMAS"]

# Verbs that report speech, writing or a stated position. A quote hanging from one of these
# (directly or through its clause) is attributed to the verb's subject. Stance verbs such as
# "welcome", "accuse" and "believe" are included because news writers hang scare-quoted
# fragments from them ("X welcomed the move as a “powerful decision”").
SPEECH_LEMMAS: frozenset[str] = frozenset(
    """
    say tell write add explain note state declare announce claim insist argue warn admit
    acknowledge confirm deny describe call brand label dub term praise welcome accuse
    complain urge ask demand vow pledge promise predict suggest believe assess consider
    estimate conclude report tweet quote stress emphasize emphasise reply respond answer
    comment observe remark recall testify concede boast joke cry shout scream plead threaten
    caution reiterate repeat mention express endorse condemn criticise criticize dismiss
    reject hail thank characterize characterise decry lament slam blast allege contend
    maintain assert affirm agree text reveal disclose advise recommend proclaim exclaim
    whisper mutter counter retort signal indicate recount portray quip
    """.split()
)

# Verbs that report speech only in a reporting clause after the quote ("…,” he continued).
_AFTER_ONLY: frozenset[str] = frozenset({"continue"})

# Reporting verbs are recognised by their language key (:func:`corpus.language.norm`: the
# irregular base form, then the Porter stem), so "says", "said", "saying" and "told" meet
# "say" and "tell" without a lemmatizer. The production pipeline runs without one (it is the
# slowest component the extractors could do without), and it mis-reads some forms anyway
# ("hopes" -> "hop").
_SPEECH_KEYS: frozenset[str] = lexicon(SPEECH_LEMMAS)
_AFTER_ONLY_KEYS: frozenset[str] = lexicon(_AFTER_ONLY)
_QUOTE_KEY: str = norm("quote")


def _verb_key(t: Token) -> str:
    """The language key of a token, compared with the keys of the reporting verbs."""
    return norm(t.lower_)


# Verbs that often take a quoted object without reporting speech ("asked for “restraint”",
# "signalled a “shift”"): they attribute a quote only from a reporting clause next to it,
# never as a verb the quote merely hangs from.
_WEAK_KEYS: frozenset[str] = lexicon("ask signal indicate")

_PERSON_PRONOUNS: frozenset[str] = frozenset({"he", "she", "him", "her"})
_THING_PRONOUNS: frozenset[str] = frozenset({"it"})
_OTHER_PRONOUNS: frozenset[str] = frozenset({"they", "them", "i", "we", "you", "one"})
_RELATIVE: frozenset[str] = frozenset({"who", "which", "that", "whom"})

# Job titles come from the one role vocabulary (corpus.language, roles.json): a title word
# makes a pre-name modifier a role ("NATO chief Jens Stoltenberg" has one; "NATO’s
# Stoltenberg" has none) and a role-noun subject a person ("the spokesman said").


def _role_noun(t: Token) -> bool:
    """A singular noun naming a role ("president", "spokesman", "striker", "PM") or an honorific.

    Role words are listed in the singular, so a singular noun is matched as written; plurals
    ("officials said") are groups, not one speaker."""
    if t.tag_ in ("NNS", "NNPS"):
        return False
    w = t.lower_.rstrip(".")
    return w in role_words() or is_honorific(w)


def _honorific(word: str) -> bool:
    return is_honorific(word.lower().rstrip("."))


# Words that mark a subject as a body, not a person: the gazetteer's organisation words and a
# few that name a body only as a quote's subject ("the board said", "House investigators").
_ORG_WORDS: frozenset[str] = gz.ORG_WORDS | frozenset(
    ["house", "board", "channel", "guards", "military", "intelligence"]
)


def _names_a_body(tokens: Sequence[Token]) -> bool:
    """Whether a subject's words are an organisation's: an organisation word ("Defence
    Ministry") or a body the gazetteer knows by its name alone ("the Pentagon", "NATO")."""
    if any(t.lower_ in _ORG_WORDS for t in tokens):
        return True
    return gz.org(" ".join(t.text for t in sorted(tokens, key=lambda t: t.i))) is not None


_OPEN_DOUBLE = "“„«"
_CLOSE_DOUBLE = "”»"
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s")
_CONNECTIVES: frozenset[str] = frozenset(
    """
    after all nevertheless nonetheless still moreover furthermore besides anyway indeed
    of course in fact otherwise therefore so then also yet admittedly
    """.split()
)
_FIRST_PERSON: frozenset[str] = frozenset({"i", "we", "us", "our", "my", "me", "ours", "myself", "ourselves"})
_NP_DROP_DEPS: frozenset[str] = frozenset({"relcl", "acl", "appos", "punct", "cc", "conj", "advcl", "parataxis"})
_MAX_UNCLOSED = 1500
_MARK_RE = re.compile(r"[\"'`“”„«»‘’]")


# --------------------------------------------------------------------------- data


@dataclass(slots=True)
class _Para:
    """One processed paragraph and where it sits in the article."""

    index: int
    offset: int
    doc: Doc
    text: str = ""  # doc.text, which spaCy rebuilds on every access
    end: int = 0

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.end = self.offset + len(self.text)


@dataclass(slots=True)
class _Candidate:
    """A quote span before attribution.

    ``start``/``end`` are article offsets of the quoted words; ``open_at``/``close_at`` the
    article offsets of the marks (or of the dash / paragraph start for mark-less forms) so the
    attribution window can be measured from the marks rather than from the words.
    """

    para: int
    start: int
    end: int
    open_at: int
    close_at: int  # offset just after the closing mark (== end for mark-less quotes)
    kind: str  # marks | dash | no_open | unclosed
    standalone: bool  # begins a sentence (not a fragment inside narrative)
    dash_attribution: tuple[int, int] | None = None  # ", X says" clause of a dash quote


@dataclass(slots=True)
class _Speaker:
    """An attribution before it becomes a :class:`Quote`."""

    name: str | None
    as_written: str | None
    role: str | None
    how: str  # explicit | pronoun | context | none
    is_person: bool = False
    anchor: int | None = None  # article offset of the attributing words


@dataclass(slots=True)
class _MentionRef:
    mention: Mention
    para: int
    span: Span | None
    person: bool = False  # a person's name, by label or by sharing a full name's surname
    key: list[str] = field(default_factory=list)  # _name_key of the text

    def __post_init__(self) -> None:
        self.key = _name_key(self.mention.text)


@dataclass(slots=True)
class _Article:
    """Everything attribution needs about one article, built once per call."""

    text: str
    paras: list[_Para]
    mentions: list[_MentionRef]
    quote_ranges: list[tuple[int, int]] = field(default_factory=list)
    # (article offset, speaker) of every attributed quote so far: later pronouns may refer
    # to a speaker the entity tagger missed
    spoken: list[tuple[int, _Speaker]] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)  # mention starts, for bisection
    fullest: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.starts = [r.mention.start for r in self.mentions]

    def mentions_between(self, start: int, end: int) -> list[_MentionRef]:
        """Mentions lying wholly inside article offsets start..end."""
        i = bisect.bisect_left(self.starts, start)
        out = []
        while i < len(self.mentions) and self.starts[i] < end:
            if self.mentions[i].mention.end <= end:
                out.append(self.mentions[i])
            i += 1
        return out

    def mention_at(self, offset: int) -> _MentionRef | None:
        """The mention covering an article offset, if any."""
        i = bisect.bisect_right(self.starts, offset) - 1
        while i >= 0 and i > bisect.bisect_right(self.starts, offset) - 4:
            r = self.mentions[i]
            if r.mention.start <= offset < r.mention.end:
                return r
            i -= 1
        return None

    def in_quote(self, start: int, end: int) -> bool:
        return any(s <= start and end <= e for s, e in self.quote_ranges)


# --------------------------------------------------------------------------- public API


def find_quotes(text: str, docs: list[tuple[int, Doc]], mentions: list[Mention]) -> list[Quote]:
    """Return the direct quotes of an article with their speakers, in text order.

    ``docs`` are the article's paragraphs as ``(start offset in text, processed Doc)``;
    ``mentions`` are its named-entity mentions with article offsets. The tokenizer, tagger,
    parser (dependencies and sentence boundaries) are used, not the lemmatizer; entity
    labels come only from ``mentions`` so that corrected types win over the model's own.
    """
    paras = [_Para(i, off, doc) for i, (off, doc) in enumerate(sorted(docs, key=lambda d: d[0]))]
    refs: list[_MentionRef] = []
    for m in sorted(mentions, key=lambda m: m.start):
        p = _para_for_span(paras, m.start, m.end)
        span = None
        if p is not None:
            span = p.doc.char_span(m.start - p.offset, m.end - p.offset, alignment_mode="expand")
        refs.append(_MentionRef(m, p.index if p else -1, span, m.label == "PERSON"))
    _mark_persons(refs)
    art = _Article(text, paras, refs)

    candidates: list[_Candidate] = []
    for p in paras:
        candidates.extend(_marked_quotes(p))
    art.quote_ranges = [(c.open_at, c.close_at) for c in candidates]
    dashes = [found for p in paras for found in _dash_quotes(art, p)]
    dialogue_style = any(attributed for _, attributed in dashes)
    candidates.extend(c for c, attributed in dashes if attributed or dialogue_style)
    candidates.sort(key=lambda c: c.start)
    art.quote_ranges = sorted((c.open_at, c.close_at) for c in candidates)

    quotes: list[Quote] = []
    previous: _Speaker | None = None
    previous_para, previous_end = -10, 0
    for k, cand in enumerate(candidates):
        spk = _attribute(art, cand)
        if cand.kind == "no_open" and spk is None:
            art.quote_ranges.remove((cand.open_at, cand.close_at))
            continue
        if spk is None and cand.kind == "unclosed":
            spk = _continued_in_next_paragraph(art, cand, candidates[k + 1 : k + 2])
        if spk is None:
            spk = _next_sentence_speaker(art, cand)
        if spk is None and cand.standalone and previous is not None and cand.para - previous_para <= 1:
            spk = _named_topic_between(art, previous_end, cand.open_at) or previous
            spk = _Speaker(spk.name, spk.as_written, spk.role, "context", spk.is_person, spk.anchor)
        if spk is None:
            spk = _Speaker(None, None, None, "none")
        if spk.name:
            art.spoken.append((cand.start, spk))
            if spk.anchor is not None and spk.anchor != cand.start:
                art.spoken.append((spk.anchor, spk))
        words = text[cand.start : cand.end]
        quotes.append(
            Quote(
                start=cand.start,
                end=cand.end,
                text=words,
                speaker=spk.name,
                speaker_as_written=spk.as_written,
                speaker_role=spk.role,
                attribution=spk.how if spk.name else "none",
            )
        )
        if spk.name:
            previous, previous_para, previous_end = spk, cand.para, cand.close_at
    return quotes


def _next_sentence_speaker(art: _Article, cand: _Candidate) -> _Speaker | None:
    """A quote whose own sentence names nobody, attributed explicitly by the sentence right
    after it ("“… Buyers are desperate.” The market is tight, said Arthur Cherry, a trader"),
    when that sentence holds no quote of its own and its reporting verb's subject is a person."""
    p = art.paras[cand.para]
    close = cand.close_at - p.offset
    nxt = next((s for s in p.doc.sents if s.start_char >= close), None)
    if nxt is None:
        return None
    a, b = nxt.start_char + p.offset, nxt.end_char + p.offset
    if any(a <= start < b for start, _ in art.quote_ranges):
        return None
    for verb in nxt:
        if _is_speech_verb(verb) or _is_speech_verb(verb, after=True):
            spk = _speaker_of_verb(art, p, verb, cand)
            if spk is not None and spk.name and spk.is_person:
                return _Speaker(spk.name, spk.as_written, spk.role, "context", spk.is_person, spk.anchor)
    return None


def _continued_in_next_paragraph(art: _Article, cand: _Candidate, following: list[_Candidate]) -> _Speaker | None:
    """A quote left open at the end of its paragraph continues in the next one, which
    reopens with a mark and usually carries the attribution ("“… ¶ “…,” she said.")."""
    if not following:
        return None
    nxt = following[0]
    if nxt.para != cand.para + 1 or nxt.open_at != art.paras[nxt.para].offset:
        return None
    spk = _attribute(art, nxt)
    if spk is None or not spk.name:
        return None
    return _Speaker(spk.name, spk.as_written, spk.role, "context", spk.is_person, spk.anchor)


def _named_topic_between(art: _Article, start: int, end: int) -> _Speaker | None:
    """The last named person in subject position in the narrative between two quotes.

    An unattributed quote continues its predecessor's speaker unless the prose in between
    has turned to someone else by name ("Bukkvoll believes that …" keeps Bukkvoll; "Daalder
    disagrees." hands the next quote to Daalder). Unnamed role nouns ("the researcher
    believes") do not change the speaker."""
    best: _MentionRef | None = None
    for r in art.mentions_between(start, end):
        if r.person and _subject_rank(r.span) >= 3 and not art.in_quote(r.mention.start, r.mention.end):
            best = r
    if best is None:
        return None
    name, role = _fullest_person(art, best)
    return _Speaker(name, _clean(best.mention.text), role, "context", True, best.mention.start)


def _mark_persons(refs: list[_MentionRef]) -> None:
    """Treat a mention as a person when it carries the surname of a full PERSON name in the
    same article ("Bukkvoll" next to "Tor Bukkvoll"), whatever its own label says: a lone
    surname is the mention a tagger most often mislabels, and articles introduce people by
    full name before shortening it."""
    surnames = set()
    for r in refs:
        key = r.key
        if r.mention.label == "PERSON" and len(key) >= 2 and _looks_like_name(r.mention.text):
            surnames.add(key[-1])
    for r in refs:
        key = r.key
        if key and key[-1] in surnames and r.mention.label != "PERSON" and _looks_like_name(r.mention.text):
            r.person = True


@lru_cache(maxsize=1)
def _name_re() -> re.Pattern[str]:
    """Capitalised words, with the lower-case particles of personal names between them
    ("Erik ten Hag", "Ursula von der Leyen"); the particles are the gazetteer's."""
    word = r"[A-Z][\w’'.-]*"
    inner = "|".join([word, *sorted((re.escape(w) for w in gz.load().name_particles), key=longest_first)])
    return re.compile(word + r"(?:\s+(?:" + inner + r"))*(?:[’']s)?")


def _looks_like_name(text: str) -> bool:
    """A plausible personal name: one to four capitalised words, no repeats, no slashes or
    digits (rules out "POOL / Reuters Bukkvoll", "Putin Putin", "Leopard 2")."""
    text = text.strip()
    if not _name_re().fullmatch(text) or any(ch.isdigit() for ch in text):
        return False
    words = _name_key(text)
    return 1 <= len(words) <= 4 and len(set(words)) == len(words)


# --------------------------------------------------------------------------- quote spans


def _para_for_span(paras: Sequence[_Para], start: int, end: int) -> _Para | None:
    k = bisect.bisect_right([p.offset for p in paras], start) - 1
    if k >= 0 and end <= paras[k].end:
        return paras[k]
    return None


def _is_word(ch: str) -> bool:
    return ch.isalnum()


def _marked_quotes(p: _Para) -> list[_Candidate]:
    """Pair the quote marks of one paragraph into top-level quote spans.

    A small state machine: outside a quote it looks for an opener (double or single);
    inside, it only looks for the matching closer, so nested quotes of the other kind and
    apostrophes inside are skipped. An unmatched double closer with nothing before it is a
    quote that lost its opening mark; an unclosed double opener runs to the end of the
    paragraph (the convention for quotes that continue into the next paragraph).
    """
    s = p.text
    n = len(s)
    out: list[_Candidate] = []
    i = 0
    open_kind: str | None = None  # "d" or "s"
    open_pos = -1
    open_len = 0
    first_mark_seen = False
    while i < n:
        m = _MARK_RE.search(s, i)
        if m is None:
            break
        i = m.start()
        ch = s[i]
        if open_kind is None:
            kind, length = _opener_at(s, i)
            if kind:
                open_kind, open_pos, open_len = kind, i, length
                first_mark_seen = True
                i += length
                continue
            length = _double_closer_at(s, i)
            if not first_mark_seen and length:
                first_mark_seen = True
                body_start = len(s) - len(s.lstrip())
                if i - body_start > 20 and not _text_has_mark(s[body_start:i]):
                    out.append(
                        _make(p, body_start, i, body_start, i + length, "no_open", standalone=True)
                    )
                i += length
                continue
            if ch in _CLOSE_DOUBLE or ch == '"':
                first_mark_seen = True
            i += 1
            continue
        # inside a quote: look for the matching closer only
        if open_kind == "d":
            length = _double_closer_at(s, i)
            if length:
                out.append(_make_marked(p, open_pos, open_len, i, length))
                open_kind = None
                i += length
                continue
        else:
            if _single_closer_at(s, i, open_pos):
                out.append(_make_marked(p, open_pos, open_len, i, 1))
                open_kind = None
                i += 1
                continue
        i += 1
    if open_kind == "d":
        end = len(s.rstrip())
        if 0 < end - (open_pos + open_len) <= _MAX_UNCLOSED:
            cand = _make_marked(p, open_pos, open_len, end, 0)
            cand.kind = "unclosed"
            out.append(cand)
    return [c for c in out if c.end > c.start and any(ch.isalnum() for ch in s[c.start - p.offset : c.end - p.offset])]


def _text_has_mark(s: str) -> bool:
    return any(ch in _OPEN_DOUBLE or ch in _CLOSE_DOUBLE or ch == '"' for ch in s)


def _opener_at(s: str, i: int) -> tuple[str | None, int]:
    """Is there an opening mark at ``s[i]``? Returns (kind, length)."""
    ch = s[i]
    prev = s[i - 1] if i > 0 else " "
    nxt = s[i + 1] if i + 1 < len(s) else " "
    two = s[i : i + 2]
    if two in ("‘‘", "``"):
        return "d", 2
    if ch in _OPEN_DOUBLE:
        return "d", 1
    if ch == '"':
        # straight double: an opener sits after space/start/bracket and before a non-space
        if not nxt.isspace() and (prev.isspace() or prev in "([{—–-/:" or i == 0):
            return "d", 1
        return None, 0
    if two == "''" and (prev.isspace() or i == 0) and not s[i + 2 : i + 3].isspace():
        return "d", 2
    if ch == "‘" or ch == "'":
        if _is_word(prev) and _is_word(nxt):
            return None, 0  # apostrophe typed with the wrong glyph: Russia‘s, don't
        if not (prev.isspace() or prev in "([{—–-/:“\"" or i == 0):
            return None, 0
        if not (nxt.isalnum() or nxt in "…."):
            return None, 0
        if re.match(r"['‘]\d\ds\b", s[i : i + 5]) or re.match(r"['‘](em|til|cause|n)\b", s[i : i + 7], re.I):
            return None, 0
        return "s", 1
    return None, 0


def _double_closer_at(s: str, i: int) -> int:
    """Length of a double closing mark at ``s[i]`` (0 if none)."""
    ch = s[i]
    two = s[i : i + 2]
    if two in ("’’", "''"):
        return 2
    if ch in _CLOSE_DOUBLE:
        return 1
    if ch == '"':
        return 1
    return 0


def _single_closer_at(s: str, i: int, open_pos: int) -> bool:
    """Is ``s[i]`` the closer of a single-quoted span opened at ``open_pos``?

    Rejects apostrophes inside words ("don’t") and, when a later closer exists before the
    next opener, a plural possessive ("the soldiers’ families").
    """
    ch = s[i]
    if ch not in "’'":
        return False
    prev = s[i - 1] if i > 0 else " "
    nxt = s[i + 1] if i + 1 < len(s) else " "
    if prev.isspace():
        return False
    if _is_word(nxt):
        return False
    if prev.lower() == "s" and nxt == " " and i + 2 < len(s) and s[i + 2].isalpha():
        rest = s[i + 1 :]
        later = re.search(r"[^\s][’'](?![\w])", rest)
        next_open = re.search(r"(?:^|\s)[‘'](?=\w)", rest)
        if later and (next_open is None or later.start() < next_open.start()):
            return False
    return True


def _make_marked(p: _Para, open_pos: int, open_len: int, close_pos: int, close_len: int) -> _Candidate:
    s = p.text
    start, end = open_pos + open_len, close_pos
    while start < end and s[start].isspace():
        start += 1
    while end > start and s[end - 1].isspace():
        end -= 1
    before = s[:open_pos].rstrip()
    standalone = (
        not before
        or before[-1] in ".!?:…"
        or before[-1] in _CLOSE_DOUBLE
        or before.endswith(("’’", "''", '"'))
    ) and (start < len(s) and not s[start].islower())
    return _make(p, start, end, open_pos, close_pos + close_len, "marks", standalone)


def _make(p: _Para, start: int, end: int, open_at: int, close_at: int, kind: str, standalone: bool) -> _Candidate:
    o = p.offset
    return _Candidate(p.index, start + o, end + o, open_at + o, close_at + o, kind, standalone)


# --------------------------------------------------------------------------- dash dialogue


def _dash_quotes(art: _Article, p: _Para) -> list[tuple[_Candidate, bool]]:
    """Mark-less dialogue introduced by a dash at the start of a sentence.

    The quote runs to the comma before a short reporting clause (", Bukkvoll explains.")
    found within the next few sentences; without one it runs to the end of its first
    sentence plus any sentences that clearly continue the speaker's argument. Each quote
    comes with whether it was attributed: the caller keeps unattributed ones only when the
    article uses attributed dash dialogue somewhere, which keeps bullet lists out.
    """
    s = p.text
    starts: list[int] = []
    for m in re.finditer(r"[–—-] (?=[A-Z0-9“\"‘])", s):
        pos = m.start()
        if pos > 0 and not s[pos - 1].isspace():
            continue
        if art.in_quote(pos + p.offset, pos + p.offset + 1):
            continue
        if _dash_opens_dialogue(p, pos):
            starts.append(pos)
    if not starts:
        return []
    found: list[tuple[_Candidate, bool]] = []
    sents = list(p.doc.sents)
    for k, pos in enumerate(starts):
        limit = starts[k + 1] if k + 1 < len(starts) else len(s)
        qstart = pos + 2
        end, attr = _dash_end(p, sents, qstart, limit)
        if end <= qstart:
            continue
        cand = _make(p, qstart, end, pos, end, "dash", True)
        if attr is not None:
            cand.dash_attribution = (attr[0] + p.offset, attr[1] + p.offset)
        found.append((cand, attr is not None))
    return found


def _dash_opens_dialogue(p: _Para, pos: int) -> bool:
    """A dash opens dialogue at paragraph start, after a sentence end, or after a short
    verbless fragment (a photo credit, a subheading) that itself follows a sentence end.
    Datelines ("KYIV (Reuters) - …") sit at the paragraph start before the dash, so they
    never qualify."""
    s = p.text
    before = s[:pos].rstrip()
    if not before:
        return True
    if before[-1] in ".!?…" or before.endswith((".”", '."', "?”", "!”")):
        return True
    ends = list(_SENT_END.finditer(before + " "))
    if not ends:
        return False
    frag_start = ends[-1].end()
    frag = p.doc.char_span(frag_start, len(before), alignment_mode="expand")
    if frag is None or len(frag) > 6:
        return False
    return not any(t.pos_ in ("VERB", "AUX") for t in frag)


def _dash_end(p: _Para, sents: list[Span], qstart: int, limit: int) -> tuple[int, tuple[int, int] | None]:
    """End offset (paragraph-relative) of a dash quote and its attribution clause, if any."""
    s = p.text
    ends = [sent.end_char for sent in sents if qstart < sent.end_char <= limit]
    # sentence ends from the parser, plus plain punctuation ends the parser merged over
    extra = [m.end() - 1 for m in _SENT_END.finditer(s, qstart, limit)]
    ends = sorted(set(e for e in ends + extra if qstart < e <= limit))
    for e in ends[:4]:
        clause = _attribution_clause(p, qstart, e)
        if clause is not None:
            return clause[0], clause[1:]  # type: ignore[return-value]
    # no attribution: first sentence, extended over sentences that continue the argument
    if not ends:
        return len(s[:limit].rstrip()), None
    end = ends[0]
    for e in ends[1:4]:
        nxt = s[end:e].strip()
        if not _continues_argument(p, end, e, nxt):
            break
        end = e
    return len(s[:end].rstrip()), None


def _attribution_clause(p: _Para, qstart: int, sent_end: int) -> tuple[int, int, int] | None:
    """If the sentence ending at ``sent_end`` ends in ", <reporting clause>." return
    (quote end, clause start, clause end) in paragraph offsets."""
    s = p.text
    body = s[qstart:sent_end]
    comma = body.rfind(",")
    if comma < 0:
        return None
    clause_start = qstart + comma + 1
    span = p.doc.char_span(clause_start, sent_end, alignment_mode="expand")
    if span is None:
        return None
    words = [t for t in span if not t.is_punct]
    if not words or len(words) > 9:
        return None
    if words[0].pos_ in ("CCONJ", "SCONJ", "ADP") or words[0].lower_ in _RELATIVE:
        return None  # ", and we agree." / ", which they say …" continue the quote itself
    if not any(_is_speech_verb(t) for t in words):
        return None
    return qstart + comma, clause_start, sent_end


def _continues_argument(p: _Para, start: int, end: int, sentence: str) -> bool:
    """Does a sentence after an unattributed dash quote still belong to it?

    Yes when it opens with a discourse connective followed by a comma ("After all, …",
    "Nevertheless, …") or speaks in the first person; these are how a speaker's argument
    continues, while narrative resumes with a plain clause."""
    head = sentence.split(",", 1)
    if len(head) == 2 and 0 < len(head[0].split()) <= 3:
        if all(w.lower().strip(".") in _CONNECTIVES for w in head[0].split()):
            return True
    span = p.doc.char_span(start, end, alignment_mode="expand")
    if span is not None and any(t.lower_ in _FIRST_PERSON for t in span):
        return True
    return False


# --------------------------------------------------------------------------- attribution


def _is_speech_verb(t: Token, after: bool = False) -> bool:
    """A reporting verb; "says"/"said" count whatever their tag (title-case headlines).
    With ``after``, verbs that only report in a trailing clause ("he continued") count too."""
    if t.pos_ in ("VERB", "AUX") or t.tag_.startswith("VB"):
        key = _verb_key(t)
        return key in _SPEECH_KEYS or (after and key in _AFTER_ONLY_KEYS)
    return t.lower_ in ("says", "said")


def _attribute(art: _Article, cand: _Candidate) -> _Speaker | None:
    """Find who said ``cand``; None when nothing in its sentence attributes it."""
    p = art.paras[cand.para]
    if cand.dash_attribution is not None:
        a, b = cand.dash_attribution
        span = p.doc.char_span(a - p.offset, b - p.offset, alignment_mode="expand")
        if span is not None:
            for verb in span:
                if _is_speech_verb(verb):
                    spk = _speaker_of_verb(art, p, verb, cand)
                    if spk is not None:
                        return spk
    if cand.kind == "dash":
        return None
    for finder in (_after_verb, _governing_verb, _before_verb):
        verb = finder(art, p, cand)
        if verb is not None:
            spk = _speaker_of_verb(art, p, verb, cand)
            if spk is not None:
                return spk
    intro = _colon_paragraph_verb(art, p, cand)
    if intro is not None:
        spk = _speaker_of_verb(art, art.paras[p.index - 1], intro, cand)
        if spk is not None:
            return spk
    if cand.kind == "no_open":
        return None
    spk = _according_to(art, p, cand)
    if spk is not None:
        return spk
    if not cand.standalone:
        return _sentence_subject(art, p, cand)
    return None


def _quote_tokens(p: _Para, cand: _Candidate) -> Span | None:
    return p.doc.char_span(cand.start - p.offset, cand.end - p.offset, alignment_mode="expand")


def _outside(art: _Article, t: Token, p: _Para) -> bool:
    a = t.idx + p.offset
    return not art.in_quote(a, a + len(t.text))


def _no_sentence_break(art: _Article, p: _Para, a: int, b: int) -> bool:
    """True when paragraph offsets a..b (outside quotes) contain no sentence end."""
    s = p.text
    pieces: list[str] = []
    pos = a
    for qs, qe in art.quote_ranges:
        qs, qe = qs - p.offset, qe - p.offset
        if qe <= a or qs >= b:
            continue
        pieces.append(s[pos : max(pos, qs)])
        pos = max(pos, qe)
    pieces.append(s[pos:b])
    return not any(re.search(r"[.!?…][\"'”’)]*\s+\S", piece + " x") and piece.strip() for piece in pieces)


_SUBJECT_POS = ("PROPN", "PRON", "DET", "NOUN", "ADJ")
_ABBREV = re.compile(r"(?:\b[A-Z]|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Capt|Sgt|St|Jr|Sr|Prof|No)$")


def _clause_end(s: str, start: int) -> int:
    """End of the clause that starts at ``start``: the next sentence or clause punctuation
    that is not an abbreviation's period ("U.S. National Security Council spokesman")."""
    for m in re.finditer(r"[.!?;:](?=\s|$)|[“\"‘]", s[start:]):
        pos = start + m.start()
        if s[pos] == "." and _ABBREV.search(s[max(0, pos - 5) : pos]):
            continue
        return pos
    return len(s)


def _bare_reporting_clause(words: list[Token], k: int) -> bool:
    """``he continued.`` — the verb right after a bare subject and ending the clause."""
    verb = words[k]
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    return (
        k <= 3
        and all(w.pos_ in _SUBJECT_POS for w in words[:k])
        and (nxt is None or nxt.is_punct)
    )


def _after_verb(art: _Article, p: _Para, cand: _Candidate) -> Token | None:
    """A reporting verb in the clause right after the closing mark: ``,” X said``.

    After a quote that ends in a comma (or ?, !, a dash) the reporting clause may be long
    (",” Oleksiy Danilov, the head of …, told Ukrainian TV"). Without that comma only a bare
    subject may come between the mark and the verb (``” he said``), so a sentence that just
    goes on (``“…” and urged the EU leader``) is not read as attribution."""
    s = p.text
    q = s[cand.start - p.offset : cand.end - p.offset].rstrip()
    after_pos = cand.close_at - p.offset
    stripped = s[after_pos:].lstrip()
    if not stripped or stripped[0] in _OPEN_DOUBLE or stripped[0] in "\"‘":
        return None
    punct_break = q.endswith((",", "?", "!", "—", "–", "-", "…")) or stripped[0] in ",—–-"
    if q.endswith(".") and not q.endswith("...") and not stripped[0].islower():
        return None
    span = p.doc.char_span(after_pos, _clause_end(s, after_pos), alignment_mode="contract")
    if span is None:
        return None
    words = [t for t in span if not t.is_punct]
    if words and (words[0].pos_ in ("CCONJ", "SCONJ", "ADP") or words[0].lower_ in _RELATIVE):
        return None  # "“sticky”, while the governor called it …" is a new clause
    for k, t in enumerate(words[:14]):
        if _is_speech_verb(t, after=True) and _outside(art, t, p):
            if _verb_key(t) in _AFTER_ONLY_KEYS and not _bare_reporting_clause(words, k):
                return None
            if not punct_break and (k > 3 or any(w.pos_ not in _SUBJECT_POS for w in words[:k])):
                return None
            return t
        if not punct_break and k >= 3:
            break
    return None


def _governing_verb(art: _Article, p: _Para, cand: _Candidate) -> Token | None:
    """The nearest reporting verb the quote hangs from in the parse, in the same sentence."""
    qspan = _quote_tokens(p, cand)
    if qspan is None:
        return None
    qset = {t.i for t in qspan}
    roots = [t for t in qspan if t.head.i not in qset or t.head is t]
    best: tuple[int, Token] | None = None
    for r in roots:
        t = r
        depth = 0
        while t.head is not t and depth < 12:
            t = t.head
            depth += 1
            if t.i in qset:
                continue
            if _is_speech_verb(t) and _outside(art, t, p) and _verb_key(t) not in _WEAK_KEYS:
                a = min(t.idx, cand.start - p.offset)
                b = max(t.idx, cand.close_at - p.offset)
                if t.idx > cand.start - p.offset:
                    a = cand.close_at - p.offset
                    if not _after_allows(p, cand):
                        break
                if _no_sentence_break(art, p, a, b):
                    if best is None or depth < best[0]:
                        best = (depth, t)
                break
    return best[1] if best else None


def _after_allows(p: _Para, cand: _Candidate) -> bool:
    """A verb after the quote can attribute it only if the quote did not end its sentence."""
    s = p.text
    q = s[cand.start - p.offset : cand.end - p.offset].rstrip()
    nxt = s[cand.close_at - p.offset :].lstrip()[:1]
    if q.endswith(".") and not q.endswith("...") and nxt and not (nxt.islower() or nxt == ","):
        return False
    return True


def _before_verb(art: _Article, p: _Para, cand: _Candidate) -> Token | None:
    """``X said: “…”`` / ``X said that “…”``: the last reporting verb before the opening mark
    in the same sentence, when the parser did not link the two."""
    s = p.text
    o = cand.open_at - p.offset
    before = s[:o]
    m = None
    for m in _SENT_END.finditer(before):
        pass
    start = m.end() if m else 0
    span = p.doc.char_span(start, o, alignment_mode="contract")
    if span is None:
        return None
    tail = before.rstrip()
    verbs = [t for t in span if _is_speech_verb(t) and _outside(art, t, p)]
    if not verbs:
        return None
    verb = verbs[-1]
    gap = s[verb.idx + len(verb.text) : o]
    introduces = tail.endswith((":", ",")) or re.search(r"\bthat\s*$", tail) is not None
    if introduces or len(gap.split()) <= 6:
        return verb
    return None


def _colon_paragraph_verb(art: _Article, p: _Para, cand: _Candidate) -> Token | None:
    """A quote opening its paragraph after one that ends "X said:" belongs to X."""
    if p.index == 0 or cand.open_at - p.offset > 0 or not cand.standalone:
        return None
    prev = art.paras[p.index - 1]
    if not prev.text.rstrip().endswith(":"):
        return None
    last = list(prev.doc.sents)[-1]
    verbs = [t for t in last if _is_speech_verb(t) and _outside(art, t, prev)]
    return verbs[-1] if verbs else None


def _according_to(art: _Article, p: _Para, cand: _Candidate) -> _Speaker | None:
    """"…, according to X." in the quote's sentence."""
    qspan = _quote_tokens(p, cand)
    if qspan is None:
        return None
    sent = qspan.sent
    for t in sent:
        if t.lower_ == "according" and t.i + 1 < len(p.doc) and p.doc[t.i + 1].lower_ == "to" and _outside(art, t, p):
            objs = [c for c in p.doc[t.i + 1].children if c.dep_ == "pobj"]
            if not objs:
                objs = [c for c in t.children if c.dep_ == "pobj"]
            if not objs and t.i + 2 < len(p.doc):
                objs = [p.doc[t.i + 2]]
            if objs:
                return _speaker_from_token(art, p, objs[0], cand)
    return None


def _sentence_subject(art: _Article, p: _Para, cand: _Candidate) -> _Speaker | None:
    """For a scare-quoted fragment with no reporting verb, the sentence's subject is the one
    using the words ("The BND is “alarmed”"), if it is a name or a pronoun."""
    qspan = _quote_tokens(p, cand)
    if qspan is None:
        return None
    root = qspan.sent.root
    subj = _subject_token(root)
    if subj is None or not _outside(art, subj, p):
        return None
    if subj.pos_ == "PROPN" or subj.lower_ in _PERSON_PRONOUNS or _mention_at(art, p, subj) is not None:
        return _speaker_from_token(art, p, subj, cand)
    return None


def _subject_token(verb: Token) -> Token | None:
    for c in verb.children:
        if c.dep_ in ("nsubj", "nsubjpass") and not c.is_punct:
            return c
    return None


def _speaker_of_verb(art: _Article, p: _Para, verb: Token, cand: _Candidate) -> _Speaker | None:
    """Who is doing the reporting verb: its subject, climbing through clauses that share it
    ("…, saying …", "rushed to emphasize …"), the object of "quoted X as saying", or the
    noun of an absolute construction ("with its ambassador, X, calling it …")."""
    if _verb_key(verb) == _QUOTE_KEY:
        quoted = [c for c in verb.children if c.dep_ in ("dobj", "nsubjpass")]
        if quoted:
            return _speaker_from_token(art, p, quoted[0], cand)
    t = verb
    for _ in range(5):
        subj = _subject_token(t)
        if subj is not None and _outside(art, subj, p):
            return _speaker_from_token(art, p, subj, cand)
        quoted = _quoting_verb(t)
        if quoted is not None:
            obj = [c for c in quoted.children if c.dep_ in ("dobj", "nsubjpass")]
            if obj:
                return _speaker_from_token(art, p, obj[0], cand)
        if t.tag_ == "VBG":
            absolute = _absolute_subject(t)
            if absolute is not None:
                return _speaker_from_token(art, p, absolute, cand)
        if t.dep_ in ("xcomp", "advcl", "conj", "pcomp") and t.head is not t:
            t = t.head
            continue
        if t.dep_ in ("acl", "relcl") and t.head is not t:
            return _speaker_from_token(art, p, t.head, cand)
        break
    # word order the parser left unlinked: "…,” said Andriy Yermak" / "X warns: “…”"
    nxt = verb.nbor(1) if verb.i + 1 < len(verb.doc) else None
    after_quote = verb.idx + p.offset >= cand.close_at
    if after_quote and nxt is not None and (nxt.pos_ == "PROPN" or nxt.lower_ in _PERSON_PRONOUNS):
        if _outside(art, nxt, p):
            return _speaker_from_token(art, p, _np_head(nxt), cand)
    prv = verb.nbor(-1) if verb.i > 0 else None
    if prv is not None and (prv.pos_ in ("PROPN", "NOUN") or prv.lower_ in _PERSON_PRONOUNS):
        if _outside(art, prv, p):
            return _speaker_from_token(art, p, _np_head(prv), cand)
    return None


def _quoting_verb(t: Token) -> Token | None:
    """For "AFP quoted X as saying", return "quoted" when ``t`` is the "saying"."""
    cur = t
    for _ in range(3):
        if cur.dep_ in ("pcomp", "prep", "advcl", "xcomp") and cur.head is not cur:
            cur = cur.head
            if _verb_key(cur) == _QUOTE_KEY:
                return cur
        else:
            break
    return None


def _absolute_subject(verb: Token) -> Token | None:
    """"with NP, VBG …": the NP right before the -ing verb when it hangs from "with"."""
    k = verb.i - 1
    while k >= 0 and verb.doc[k].is_punct:
        k -= 1
    if k < 0:
        return None
    head = _np_head(verb.doc[k])
    top = head
    while top.dep_ == "appos" and top.head is not top:
        top = top.head
    if top.head.lower_ == "with" and top.dep_ == "pobj":
        return top
    return None


def _np_head(t: Token) -> Token:
    while t.dep_ in ("compound", "flat", "amod", "det", "poss", "case") and t.head is not t and t.head.i > t.i:
        t = t.head
    return t


# --------------------------------------------------------------------------- speaker naming


def _speaker_from_token(art: _Article, p: _Para, tok: Token, cand: _Candidate) -> _Speaker | None:
    """Turn the subject token of a reporting verb into a named speaker."""
    if tok.lower_ in _RELATIVE and tok.head.dep_ in ("relcl", "acl") and tok.head.head is not tok.head:
        tok = tok.head.head
    low = tok.lower_
    anchor = tok.idx + p.offset
    if tok.pos_ == "PRON" or low in _PERSON_PRONOUNS | _THING_PRONOUNS | _OTHER_PRONOUNS:
        if low in _PERSON_PRONOUNS or low in _THING_PRONOUNS:
            ref = _antecedent(art, p, tok, persons=low in _PERSON_PRONOUNS)
            if ref is not None:
                return ref
        return _Speaker(None, tok.text, None, "none", False, anchor)
    as_written = _np_text(tok)
    person = _person_mention_for(art, p, tok)
    if person is not None:
        name, role = _fullest_person(art, person)
        return _Speaker(name, as_written, role, "explicit", True, anchor)
    if tok.pos_ == "PROPN" and _mention_at(art, p, tok) is None:
        ref = _person_by_surname(art, tok.text)
        if ref is not None:
            name, role = _fullest_person(art, ref)
            return _Speaker(name, as_written, role, "explicit", True, anchor)
    if tok.pos_ in ("NOUN", "PROPN") and _role_noun(tok):
        return _role_speaker(art, p, tok)
    return _Speaker(as_written, as_written, None, "explicit", _name_like(art, p, tok), anchor)


def _name_like(art: _Article, p: _Para, tok: Token) -> bool:
    """Could an unlabelled or organisation-labelled proper-noun subject be a person?

    Yes for a short title-case name with no organisation word, not tagged as a place or
    nationality, and not an acronym; it lets a later "he said" reach a speaker the tagger
    missed, while "the Ministry of Defence" or "NATO" stay organisations."""
    if tok.pos_ != "PROPN":
        return False
    ref = _mention_at(art, p, tok)
    if ref is not None and ref.mention.label in ("GPE", "LOC", "NORP"):
        return False
    words = [t for t in tok.subtree if t.dep_ in ("compound", "flat") or t is tok]
    if len(words) > 4 or _names_a_body(words) or any(t.lower_ in _ORG_WORDS for t in tok.subtree):
        return False
    return all(t.text[:1].isupper() and not t.text.isupper() for t in words)


def _np_text(tok: Token) -> str:
    """The subject noun phrase as written, without appositives, relative clauses and
    parentheticals: "Oleksiy Dmytrashkivskyi, the spokesman for …" → "Oleksiy Dmytrashkivskyi"."""
    keep: list[Token] = [tok]
    stack = [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in _NP_DROP_DEPS:
                continue
            keep.append(c)
            stack.append(c)
    # the contiguous run around the head; hyphens and apostrophes inside a word group
    # ("the 70-year-old leader") do not break it, commas and brackets do
    doc = tok.doc
    s = {k.i for k in keep}
    lo = hi = tok.i
    while lo - 1 in s or (lo - 2 in s and doc[lo - 1].text in "-–'’"):
        lo -= 1
    while hi + 1 in s or (hi + 2 in s and doc[hi + 1].text in "-–'’"):
        hi += 1
    if hi - lo >= 12:
        lo = max(lo, tok.i - 6)
        hi = min(hi, tok.i + 6)
    text = doc[lo : hi + 1].text
    return _clean(re.sub(r"\s*\([^)]*\)\s*$", "", text))


def _clean(s: str) -> str:
    s = s.strip().strip(",;:")
    s = re.sub(r"[’']s$", "", s) if re.search(r"\w[’']s$", s) else s
    return s.strip()


def _mention_at(art: _Article, p: _Para, tok: Token) -> _MentionRef | None:
    return art.mention_at(tok.idx + p.offset)


def _person_mention_for(art: _Article, p: _Para, tok: Token) -> _MentionRef | None:
    """A PERSON mention that is the head of the subject phrase or its appositive."""
    ref = _mention_at(art, p, tok)
    if ref is not None and ref.person:
        return ref
    for c in tok.children:
        if c.dep_ == "appos":
            r = _mention_at(art, p, c)
            if r is not None and r.person:
                return r
    if tok.dep_ == "appos":
        r = _mention_at(art, p, tok.head)
        if r is not None and r.person:
            return r
    return None


def _name_key(name: str) -> list[str]:
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[’']s\b", "", s)
    words = [w for w in re.findall(r"[\w-]+", s.lower()) if not _honorific(w)]
    return words


def _person_by_surname(art: _Article, word: str) -> _MentionRef | None:
    key = _name_key(word)
    if not key:
        return None
    for ref in art.mentions:
        if ref.person and ref.key[-1:] == key[-1:]:
            return ref
    return None


def _fullest_person(art: _Article, ref: _MentionRef) -> tuple[str, str | None]:
    """Widen a PERSON mention to its fullest form in the article and find its role.

    Other mentions count as the same person when their last name word matches and their
    other words do not contradict (every word of the shorter is in the longer), so
    "Prigozhin" → "Yevgeny Prigozhin" but "Joe Biden" never becomes "Hunter Biden"."""
    key = ref.key
    if not key:
        return _clean(ref.mention.text), None
    cache_key = " ".join(key)
    if cache_key in art.fullest:
        return art.fullest[cache_key]
    same: list[_MentionRef] = []
    for other in art.mentions:
        if not other.person:
            continue
        okey = other.key
        if not okey or okey[-1] != key[-1] or not _looks_like_name(other.mention.text):
            continue
        short, long_ = (key, okey) if len(key) <= len(okey) else (okey, key)
        if all(w in long_ for w in short):
            same.append(other)
    if not same:
        same = [ref]
    best = max(same, key=lambda r: (len(r.key), -r.mention.start))
    name = _clean(best.mention.text)
    name = " ".join(w for w in name.split() if not _honorific(w)) or name
    role = None
    for r in same:
        role = _role_for_mention(r)
        if role:
            break
    art.fullest[cache_key] = (name, role)
    return name, role


def _role_for_mention(ref: _MentionRef) -> str | None:
    """The job title the article attaches to one mention of a person, if any: title words
    before the name, a role appositive after it, or the role the name is appositive to."""
    span = ref.span
    if span is None:
        return None
    doc = span.doc
    # 1. title words before the name: "Wagner chief Yevgeny Prigozhin"
    k = span.start - 1
    left: list[Token] = []
    subtree = {t.i for t in span.root.subtree}
    while k in subtree and doc[k].dep_ not in ("det", "punct", "case") and doc[k].tag_ not in ("PRP$", "WP$"):
        left.insert(0, doc[k])
        k -= 1
    if left and any(_is_title_token(t) for t in left) and not (len(left) == 1 and _honorific(left[0].text)):
        return _clean(doc[left[0].i : left[-1].i + 1].text)
    # 2. appositive role after the name: "Andriy Yermak, the head of …"
    for c in span.root.children:
        if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN") and c.i > span.end - 1:
            if _is_title_token(c) or c.pos_ == "NOUN":
                return _appos_text(c)
    # 3. the name is the appositive of a role: "its ambassador to Germany, Sergei Nechayev"
    root = span.root
    if root.dep_ == "appos" and root.head.i < span.start and (_is_title_token(root.head) or root.head.pos_ == "NOUN"):
        return _appos_text(root.head, exclude=root)
    return None


def _is_title_token(t: Token) -> bool:
    """A word that can make a phrase a job title: a known title, or any common noun
    ("soldier", "researcher") since proper nouns before a name are organisations or places."""
    w = t.lower_.strip(".")
    if _role_noun(t) or (is_role_modifier(w) and w not in STOP_WORDS) or (t.tag_.startswith("NN") and is_role(w)):
        return True
    return t.pos_ == "NOUN" and t.is_alpha and t.lower_ not in ("people", "forces")


def _appos_text(head: Token, exclude: Token | None = None) -> str:
    """A role phrase: the noun with its modifiers, "of"-phrases and inner coordination
    ("head of UNHCR’s news and media section"), without clauses or further appositives."""
    doc = head.doc
    toks = [head]
    stack = [head]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("relcl", "acl", "appos", "advcl", "punct") or c is exclude:
                continue
            if c.dep_ in ("cc", "conj") and t is head:
                continue
            toks.append(c)
            stack.append(c)
    idx = {t.i for t in toks}
    lo = hi = head.i
    while lo - 1 in idx or (lo - 2 in idx and doc[lo - 1].text in "-–"):
        lo -= 1
    while hi + 1 in idx or (hi + 2 in idx and doc[hi + 1].text in "-–"):
        hi += 1
    return _clean(doc[lo : hi + 1].text)


# --------------------------------------------------------------------------- pronouns


def _antecedent(art: _Article, p: _Para, pron: Token, persons: bool, depth: int = 0) -> _Speaker | None:
    """The entity a he/she (``persons``) or "it" refers to, as a speaker.

    Looks back sentence by sentence (this paragraph and the two before it), skipping words
    inside quotes. News prose keeps the one who speaks in subject position, so the search
    first looks over the last few sentences for a *topic*: the subject of a main or reporting
    verb, or the speaker of an earlier quote ("Bukkvoll believes that Putin …", then "he
    says" is Bukkvoll). A sentence whose subject is the same kind of pronoun continues the
    chain and is resolved in turn ("He added that he had not asked Putin … “…,” he said").
    Only when no topic is found does the nearest fitting mention win.
    """
    limit = pron.idx + p.offset
    sentences: list[tuple[int, int, _Para, Span]] = []
    for para in reversed(art.paras[max(0, p.index - 2) : p.index + 1]):
        for sent in reversed(list(para.doc.sents)):
            a, b = sent.start_char + para.offset, sent.end_char + para.offset
            if a < limit:
                sentences.append((a, min(b, limit), para, sent))
    pools: list[list[tuple[int, int, _Speaker]]] = []
    for k, (a, b, para, sent) in enumerate(sentences[:4]):
        if depth < 3:
            chained = _pronoun_subject(art, para, sent, a, b, pron.lower_ in _PERSON_PRONOUNS)
            if chained is not None:
                return _antecedent(art, para, chained, persons, depth + 1)
        pools.append(_candidates(art, a, b, para, sent, persons, pron))
        topics = [c for c in pools[k] if c[0] >= 3]
        if topics:
            return max(topics, key=lambda c: c[:2])[2]
    for k, (a, b, para, sent) in enumerate(sentences):
        pool = pools[k] if k < len(pools) else _candidates(art, a, b, para, sent, persons, pron)
        if pool:
            return max(pool, key=lambda c: c[:2])[2]
    return None


def _candidates(
    art: _Article, a: int, b: int, para: _Para, sent: Span, persons: bool, pron: Token
) -> list[tuple[int, int, _Speaker]]:
    """(rank, position, speaker) of everything in article range a..b a pronoun could mean."""
    out: list[tuple[int, int, _Speaker]] = []
    for r in art.mentions_between(a, b):
        m = r.mention
        if art.in_quote(m.start, m.end):
            continue
        if persons != r.person or (not persons and m.label not in ("ORG", "GPE", "NORP")):
            continue
        out.append((_subject_rank(r.span), m.start, _speaker_for_ref(art, r, pron)))
    if persons:
        for at, spk in art.spoken:
            if a <= at < b and spk.is_person:
                out.append((3, at, _Speaker(spk.name, pron.text, spk.role, "pronoun", True, at)))
    # role nouns in subject position: "the Russian president said …"
    for t in sent:
        at = t.idx + para.offset
        if not (a <= at < b) or t.pos_ not in ("NOUN", "PROPN") or art.in_quote(at, at + 1):
            continue
        if t.dep_ in ("nsubj", "nsubjpass"):
            verb = t.head
        elif t.dep_ == "pobj" and t.head.dep_ == "agent":
            verb = t.head.head  # "was summarised by the former ambassador Ivo Daalder"
        else:
            continue
        if not (verb.dep_ == "ROOT" or _is_speech_verb(verb)):
            continue
        if _mention_at(art, para, t) is not None:
            continue
        if persons and t.text[:1].isupper():
            ref = _person_by_surname(art, t.text)
            if ref is not None:  # a surname the tagger missed ("Pence broke with …")
                out.append((3, at, _speaker_for_ref(art, ref, pron)))
                continue
        role = _role_noun(t)
        if persons and role:
            spk = _role_speaker(art, para, t)
            out.append((3, at, _Speaker(spk.name, pron.text, spk.role, "pronoun", True, at)))
        elif not persons and not role and not t.lower_ in ("people", "officials"):
            out.append((3, at, _Speaker(_np_text(t), pron.text, None, "pronoun", False, at)))
    return out


def _pronoun_subject(art: _Article, para: _Para, sent: Span, a: int, b: int, personal: bool) -> Token | None:
    """The he/she (or "it") subject of a sentence's main or reporting verb, if any."""
    group = _PERSON_PRONOUNS if personal else _THING_PRONOUNS
    for t in sent:
        at = t.idx + para.offset
        if a <= at < b and t.lower_ in group and t.dep_ in ("nsubj", "nsubjpass") and not art.in_quote(at, at + 1):
            if t.head.dep_ == "ROOT":
                return t
    return None


def _subject_rank(span: Span | None) -> int:
    """3 for the subject of the main or a reporting verb, 2 for other subjects, 0 else."""
    if span is None:
        return 0
    root = span.root
    if root.dep_ == "appos" and root.head.dep_ in ("nsubj", "nsubjpass"):
        root = root.head
    if root.dep_ in ("nsubj", "nsubjpass"):
        return 3 if root.head.dep_ == "ROOT" or _is_speech_verb(root.head) else 2
    if root.dep_ == "pobj" and root.head.dep_ == "agent":
        return 3  # "was summarised by … Ivo Daalder": the logical subject
    return 0


def _role_speaker(art: _Article, p: _Para, tok: Token) -> _Speaker:
    """A role-noun subject ("the Russian president") as a speaker: the latest earlier person
    whose role in the article has all of its words, else the phrase as written."""
    as_written = _np_text(tok)
    before = tok.idx + p.offset
    trailing = _trailing_person(art, p, tok)
    if trailing is not None:
        # "Russian Ambassador to Washington Anatoly Antonov": the parser often hangs the
        # "to …" phrase elsewhere, but the surface order still puts the name after the title
        ref, title_end = trailing
        name, role = _fullest_person(art, ref)
        title = _clean(tok.doc[_np_start(tok) : title_end].text)
        return _Speaker(name, _clean(tok.doc[_np_start(tok) : ref.span.end].text), role or title, "explicit", True, before)
    named = _appositive_name(art, p, tok)
    if named is not None:
        # "Ukraine’s president, Volodymyr Zelenskiy" even when the tagger missed the name
        ref = _person_by_surname(art, named)
        name, role = _fullest_person(art, ref) if ref is not None else (named, None)
        if len(_name_key(named)) > len(_name_key(name)):
            name = named
        return _Speaker(name, as_written, role or as_written, "explicit", True, before)
    words = [w for w in _name_key(as_written) if w not in ("the", "a", "an", "his", "her", "its", "their")]
    best: tuple[int, str, str] | None = None
    if words:
        for r in art.mentions:
            if not r.person or r.mention.start >= before:
                continue
            name, role = _fullest_person(art, r)
            if role and all(w in role.lower() for w in words) and all(w in _name_key(role) for w in words):
                if best is None or r.mention.start > best[0]:
                    best = (r.mention.start, name, role)
    if best is not None:
        return _Speaker(best[1], as_written, best[2], "explicit", True, before)
    salient = _salient_person(art, before) if words and is_person_role(words[-1]) else None
    if salient is not None:
        # "Vladimir Putin has compared … Citing …, the Russian president said": a definite
        # role description takes up the one person the article has been about so far
        name, role = _fullest_person(art, salient)
        return _Speaker(name, as_written, role or as_written, "context", True, before)
    return _Speaker(as_written, as_written, None, "explicit", True, before)


def _salient_person(art: _Article, before: int) -> _MentionRef | None:
    """The person a role description most plausibly takes up: the only person named in the
    text just before it (about three sentences), who is also the article's most-named
    person so far. None when that is not clear-cut."""
    earlier = [r for r in art.mentions if r.person and r.mention.start < before]
    if not earlier:
        return None
    counts: dict[str, int] = {}
    for r in earlier:
        key = " ".join(r.key[-1:])  # by surname: "Vladimir Putin", "Mr Putin", "Putin"
        counts[key] = counts.get(key, 0) + 1
    recent = {" ".join(r.key[-1:]) for r in earlier if before - r.mention.start <= 600}
    if len(recent) != 1:
        return None
    key = next(iter(recent))
    top = max(counts.values())
    if counts[key] != top or list(counts.values()).count(top) > 1:
        return None
    return max((r for r in earlier if " ".join(r.key[-1:]) == key), key=lambda r: len(r.mention.text))


def _np_start(tok: Token) -> int:
    """Index of the first token of the noun phrase ``tok`` heads (its left modifiers)."""
    start = tok.i
    for c in tok.lefts:
        if c.dep_ not in ("punct", "cc", "conj"):
            start = min(start, c.left_edge.i)
    return start


def _trailing_person(art: _Article, p: _Para, tok: Token) -> tuple[_MentionRef, int] | None:
    """A person mention right after a title noun, across a short "to/of/for Place" phrase:
    returns the mention and the token index where it starts."""
    doc = tok.doc
    k = tok.i + 1
    while k < len(doc) and k <= tok.i + 6:
        t = doc[k]
        ref = _mention_at(art, p, t)
        if ref is not None and ref.person and ref.span is not None and ref.span.start == k:
            after = doc[ref.span.end] if ref.span.end < len(doc) else None
            if after is None or after.pos_ != "PROPN":
                return ref, k
            return None
        if not (t.pos_ in ("PROPN", "ADP", "DET", "PART") or t.text in ("’s", "'s")):
            return None
        k += 1
    return None


def _appositive_name(art: _Article, p: _Para, tok: Token) -> str | None:
    """The personal name in apposition to a role noun, if it looks like one."""
    for c in tok.children:
        if c.dep_ == "appos" and c.pos_ == "PROPN":
            ref = _mention_at(art, p, c)
            if ref is not None and ref.mention.label in ("GPE", "LOC", "NORP"):
                return None
            parts = [t for t in c.subtree if t.dep_ in ("compound", "flat") or t is c]
            text = " ".join(t.text for t in sorted(parts, key=lambda t: t.i))
            if _looks_like_name(text) and not _names_a_body(parts):
                return text
    return None


def _speaker_for_ref(art: _Article, ref: _MentionRef, pron: Token) -> _Speaker:
    if ref.person:
        name, role = _fullest_person(art, ref)
        return _Speaker(name, pron.text, role, "pronoun", True, ref.mention.start)
    return _Speaker(_clean(ref.mention.text), pron.text, None, "pronoun", False, ref.mention.start)
