"""Paragraph and sentence segmentation of cleaned article text.

Sentences are the unit of search, citation and duplicate detection, so every span carries
offsets into the article text (``text[s.start:s.end] == s.text``) and the splitter has to be
right on newswire conventions (``U.S.``, ``Gen.``, ``Jan. 25``, ``.”``, dash-led dialogue)
while staying cheap enough to run on tens of thousands of articles. A regex proposes
boundaries and a few table lookups veto the false ones; spaCy would be more general but is two
orders of magnitude slower and no better on these cases.
"""

from __future__ import annotations

import hashlib
import re

from corpus.models import SentenceSpan, TextSpan

__all__ = [
    "segment",
    "sentence_bounds",
    "split_sentences",
    "is_heading",
    "normalize_for_hash",
    "sentence_hash",
]

# A terminator run, any closing quotes/brackets, then the whitespace before the next sentence.
_CANDIDATE = re.compile(r"(?:[.!?]+|…+)[”\"’'»)\]]*\s+")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_NEXT_WORD = re.compile(r"[“\"‘'«(\[]*([^\s“\"‘'«(\[]+)")
_SPEECH_AFTER_QUOTE = re.compile(
    r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,2}\s+"
    r"(?:said|says|asked|asks|added|adds|wrote|writes|told|tells|replied|replies|shouted|cried)\b"
)
_DOTTED = re.compile(r"^(?:[A-Za-z]\.)+[A-Za-z]$")

# Titles and ranks: a period after these practically never ends a sentence.
_TITLES = frozenset(
    """mr mrs ms dr prof gen col lt sgt capt maj adm gov sen sens rep reps rev st mt ft
    messrs mme mlle hon pres supt cmdr cdr cpl pvt brig fr gens cols lts vs v
    e.g i.e cf viz approx ca""".split()
)
# These end sentences too, but not when a number follows ("Jan. 25", "No. 1", "Fig. 3").
_BEFORE_NUMBER = frozenset(
    "jan feb mar apr jun jul aug sep sept oct nov dec no nos art fig figs vol vols pp p ch sec op".split()
)
# After an initial or a dotted acronym ("U.S.", "a.m.") a sentence ends only when the next
# word is one that commonly opens a sentence; "U.S. officials" and "John F. Kennedy" stay whole.
_SENTENCE_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our this that these those there
    but and or so yet in on at by for from with as after before when while if since although
    though because however meanwhile moreover also some many most several according despite
    during one two three both each all no not what who why how where""".split()
)
_OPEN_QUOTE = "“"
_CLOSE_QUOTE = "”"


def _is_sentence_start(text: str, pos: int) -> bool:
    """Whether a sentence may plausibly start at ``pos`` (after the whitespace)."""
    if pos >= len(text):
        return False
    ch = text[pos]
    if ch in "–—-":
        return pos + 1 < len(text) and text[pos + 1] == " "
    i = pos
    while i < len(text) and text[i] in "“\"‘'«([":
        i += 1
    if i >= len(text):
        return False
    ch = text[i]
    return ch.isupper() or ch.isdigit()


def _next_word(text: str, pos: int) -> str:
    m = _NEXT_WORD.match(text, pos)
    if not m:
        return ""
    return m.group(1).rstrip(".,;:!?”\"’'").lower()


def _accept_boundary(text: str, para_start: int, sent_start: int, m: re.Match[str]) -> bool:
    """Veto the false boundaries the candidate regex proposes."""
    nxt = m.end()
    if not _is_sentence_start(text, nxt):
        return False
    chunk = m.group(0).rstrip()
    term_end = m.start() + len(chunk.rstrip("”\"’'»)]"))
    closing = chunk[term_end - m.start():]
    terminator = text[m.start():term_end]

    if terminator in ("…", "...") or terminator.startswith("…") or terminator.endswith(".."):
        # An ellipsis inside an open quotation marks an omission, not a sentence end.
        before = text[para_start:m.start()]
        return before.count(_OPEN_QUOTE) <= before.count(_CLOSE_QUOTE)

    if terminator[-1] in "?!":
        if closing and _SPEECH_AFTER_QUOTE.match(text, nxt):
            return False  # “Is it over?” Putin asked.
        return True

    if terminator != "." or closing:
        return True

    i = m.start()
    while i > sent_start and not text[i - 1].isspace():
        i -= 1
    token = text[i:m.start()].lstrip("“\"‘'«([")
    if not token:
        return True
    low = token.lower()
    if low in _TITLES:
        return False
    if low in _BEFORE_NUMBER:
        return not text[nxt:nxt + 1].isdigit()
    if _DOTTED.match(token) or (len(token) == 1 and token.isupper()):
        return _next_word(text, nxt) in _SENTENCE_OPENERS
    return True


def sentence_bounds(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentence ``(start, end)`` offsets within ``text[start:end]``, whitespace trimmed.

    Exposed separately from :func:`segment` so the cleaner can reason about sentences inside a
    single paragraph (captions, glued subheadings) without building span objects.
    """
    if end is None:
        end = len(text)
    bounds: list[tuple[int, int]] = []
    sent_start = start
    for m in _CANDIDATE.finditer(text, start, end):
        if m.end() >= end:
            break
        if _accept_boundary(text, start, sent_start, m):
            sent_end = m.start() + len(m.group(0).rstrip())
            bounds.append((sent_start, sent_end))
            sent_start = m.end()
    bounds.append((sent_start, end))
    return _trimmed(text, bounds)


def _trimmed(text: str, bounds: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Bounds shrunk to exclude surrounding whitespace; empty ones dropped."""
    out: list[tuple[int, int]] = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def split_sentences(text: str) -> list[str]:
    """Sentences of a short text (one paragraph or a few), as strings."""
    return [text[s:e] for s, e in sentence_bounds(text)]


def paragraph_bounds(text: str) -> list[tuple[int, int]]:
    bounds: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH_BREAK.finditer(text):
        bounds.append((pos, m.start()))
        pos = m.end()
    bounds.append((pos, len(text)))
    return _trimmed(text, bounds)


def segment(text: str) -> tuple[list[TextSpan], list[SentenceSpan]]:
    """Split cleaned article text into paragraphs (blank-line separated) and sentences.

    A heading paragraph (no sentence punctuation) comes back as one sentence of its own, so
    it is never glued to the sentence after it; :func:`is_heading` tells callers which
    sentences those are when they want to skip them.
    """
    paragraphs: list[TextSpan] = []
    sentences: list[SentenceSpan] = []
    for p_index, (p_start, p_end) in enumerate(paragraph_bounds(text)):
        paragraphs.append(TextSpan(p_start, p_end))
        for s, e in sentence_bounds(text, p_start, p_end):
            sentences.append(SentenceSpan(p_index, len(sentences), s, e, text[s:e]))
    return paragraphs, sentences


_HEADING_END_OK = re.compile(r"[\w”\"’'?!)]$")


def is_heading(line: str) -> bool:
    """Whether a paragraph reads as a headline or subheading rather than prose.

    Headings are kept in the text (they carry words people search for) but are not sentences
    a quote or figure should be attributed to.
    """
    s = line.strip()
    if not s or "\n" in s or len(s) > 160:
        return False
    words = s.split()
    if len(words) > 20:
        return False
    if not _HEADING_END_OK.search(s):
        return False
    if s[-1] in "”\"’'" and len(s) > 1 and s[-2] in ".,":
        return False
    first = s.lstrip("“\"‘'«(")[:1]
    if not (first.isupper() or first.isdigit()):
        return False
    # Interior sentence punctuation means prose, not a heading.
    return not re.search(r"[.!?][”\"’']?\s+[A-Z]", s)


_HASH_TOKENS = re.compile(r"\d+(?:[.,]\d+)*|[^\W_]+")
_THOUSANDS = re.compile(r",(?=\d{3}\b)")


def _number(tok: str) -> str:
    return _THOUSANDS.sub("", tok).replace(",", ".")


def normalize_for_hash(sentence: str) -> str:
    """Canonical form used to decide that two sentences are "the same" across articles.

    Case, quote style, dashes, punctuation and spacing vary between outlets syndicating one
    wire story, so all of them are dropped (only letters and digits survive); thousands
    separators are removed so "40,000" and "40000" agree, while decimal points stay so "5.9"
    and "59" do not.
    """
    tokens = _HASH_TOKENS.findall(sentence.casefold())
    if "," in sentence:
        tokens = [_number(t) if "," in t else t for t in tokens]
    return " ".join(tokens)


def sentence_hash(sentence: str) -> int:
    """Stable signed 64-bit hash of the normalised sentence (fits an SQLite INTEGER)."""
    digest = hashlib.blake2b(normalize_for_hash(sentence).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
