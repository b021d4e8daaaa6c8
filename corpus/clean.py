"""Boilerplate removal and metadata recovery for one raw article.

Scraped and pasted articles carry page furniture (navigation, promos, photo captions and
credits, author boxes, tracking tokens) that would otherwise be indexed as sentences, quoted
back to users and counted as figures. The rules here are general patterns of that furniture,
never matches on particular articles, and they are tuned to lose no real sentence: when a
pattern is ambiguous the text is kept. The same pass recovers title, outlet and author from
bylines, bios and promos, because many inputs (pasted text, seeds) carry no metadata, and the
publication date from a dateline at the top of the article; a date in the body is the date of
an event and never dates the article.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from corpus.errors import IngestError
from corpus.models import CleanedDocument, RawDocument
from corpus.segment import is_heading, normalize_for_hash, sentence_bounds
from corpus.sources import html_to_document, normalize_text

__all__ = ["clean_document", "parse_date", "find_full_dates"]

log = logging.getLogger(__name__)

# ----------------------------------------------------------------------------- dates

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
_ISO_DATE = r"(?:19|20)\d{2}-[01]\d-[0-3]\d"
_MDY = rf"{_MONTH_RE}\s+[0-3]?\d(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}"
_DMY = rf"[0-3]?\d(?:st|nd|rd|th)?\s+{_MONTH_RE},?\s+(?:19|20)\d{{2}}"
_FULL_DATE = re.compile(rf"\b(?:{_ISO_DATE}|{_MDY}|{_DMY})\b")
_DATE_PARTS = re.compile(r"[A-Za-z]+|\d+")
_ORDINAL_SUFFIXES = frozenset(("st", "nd", "rd", "th"))


def _date_from_match(s: str) -> str | None:
    parts = [x for x in _DATE_PARTS.findall(s) if x.lower() not in _ORDINAL_SUFFIXES]
    try:
        if parts[0].isdigit() and len(parts[0]) == 4:
            y, m, d = int(parts[0]), int(parts[1]), int(parts[2])
        elif parts[0].isdigit():
            d, m, y = int(parts[0]), _MONTHS[parts[1].lower()], int(parts[-1])
        else:
            m, d, y = _MONTHS[parts[0].lower()], int(parts[1]), int(parts[-1])
        return _dt.date(y, m, d).isoformat()
    except (KeyError, ValueError, IndexError):
        return None


def find_full_dates(text: str) -> list[str]:
    """ISO dates written out in full in ``text`` (with a year; "January 25" alone is not one)."""
    out = []
    for m in _FULL_DATE.finditer(text):
        iso = _date_from_match(m.group(0))
        if iso:
            out.append(iso)
    return out


def parse_date(value: str | None) -> str | None:
    """ISO ``YYYY-MM-DD`` for a date as found in metadata (ISO, RFC 822, "Jan 5, 2023"...)."""
    if not value:
        return None
    value = value.strip()
    m = re.match(r"((?:19|20)\d{2})[-/.]([01]?\d)[-/.]([0-3]?\d)", value)
    if m:
        try:
            return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            return None
    dates = find_full_dates(value)
    if dates:
        return dates[0]
    try:
        import dateparser  # slow to import; only reached for unusual metadata formats

        parsed = dateparser.parse(value, settings={"REQUIRE_PARTS": ["day", "month", "year"]})
    except Exception:  # dateparser raises assorted errors on odd strings
        return None
    return parsed.date().isoformat() if parsed else None


# ----------------------------------------------------------------------------- patterns

_DATE_PREFIX = re.compile(
    rf"^\s*(?:date|published|posted|dated)\s*:?\s*({_ISO_DATE}|{_MDY}|{_DMY})\b[\s,:|–—-]*", re.I
)
# A label saying what a date in the header is: "Published: ...", "Updated 24 Jan 2023".
_DATE_LABEL = (
    r"(?P<label>(?:first\s+)?published|(?:last\s+)?updated|posted|dated|date|filed)(?:\s+on)?\s*:?\s*"
)
_WEEKDAY = r"(?i:(?:mon|tue|tues|wed|wednes|thu|thur|thurs|fri|sat|satur|sun)(?:day)?\.?,?\s+)"
_CLOCK = r"(?:[\s,]+(?:at\s+)?\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[A-Z]{2,5})?)"
_DATE_LINE = re.compile(
    rf"^(?:{_DATE_LABEL})?{_WEEKDAY}?(?P<d>{_ISO_DATE}|{_MDY}|{_DMY}){_CLOCK}?\.?$",
    re.I,
)
# A line made of nothing but date and time words ("Tue 24 Jan 2023 09.15 GMT", "10:15 AM EST,
# Tue January 24, 2023"): one the pattern above does not cover is handed to dateparser.
_DATEISH_LINE = re.compile(
    rf"^(?i:{_DATE_LABEL})?(?=.*\b(?:19|20)\d{{2}}\b)(?=.*\b{_MONTH_RE})"
    rf"(?:{_MONTH_RE}|{_WEEKDAY}|\d{{1,4}}(?:st|nd|rd|th)?\b|(?i:at|of|on|[ap]\.?m\.?)(?!\w)|[A-Z]{{2,5}}\b"
    r"|[\s,.:/|–—-])+$"
)
# "By Jane Roe | January 24, 2023", "By Jane Roe, Reuters - Published Jan 24, 2023 10:15 AM".
_BYLINE_DATED = re.compile(
    rf"^(?P<byline>By:?\s+\S.{{1,90}}?)(?:\s*[|·•,/–—-]\s*|\s+on\s+|\s+)"
    rf"(?:{_DATE_LABEL})?{_WEEKDAY}?(?P<d>{_ISO_DATE}|{_MDY}|{_DMY}){_CLOCK}?\.?$",
    re.I,
)
# A wire dateline opening the first paragraph: "KYIV, Jan 24 (Reuters) -", "LONDON, 5 March 2023 —",
# "WASHINGTON, D.C., Jan. 24, 2023 (AP) —", "January 24, 2023 — ". Newswires leave out the year.
_PLACE = r"[A-Z][\w.'’-]*(?:[ -][A-Z][\w.'’-]*){0,3}(?:,\s+[A-Z][\w.'’]*(?:\s+[A-Z][\w.'’]*)?)?"
_MD_OPT_Y = rf"{_MONTH_RE}\s+[0-3]?\d(?:st|nd|rd|th)?\b(?:,?\s+(?:19|20)\d{{2}})?"
_DM_OPT_Y = rf"[0-3]?\d(?:st|nd|rd|th)?\s+{_MONTH_RE}(?:,?\s+(?:19|20)\d{{2}})?"
_WIRE_DATELINE = re.compile(
    rf"^(?:(?P<place>{_PLACE}),\s+)?{_WEEKDAY}?(?P<d>{_ISO_DATE}|{_MD_OPT_Y}|{_DM_OPT_Y})\b\.?,?\s*"
    r"(?:\((?P<agency>[A-Z][^()]{1,30})\)\s*)?(?:—|–|--?)(?=\s|$)"
)
_HAS_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_NAV_LINE = re.compile(
    r"""^(?:
      connect\ with\ us | hi,?\ what\ are\ you\ looking\ for\?? | scroll\ to\ top | back\ to\ top
    | (?:skip|jump)\ to\ (?:main\ )?content | advertisements? | sponsored(?:\ content)?
    | written\ by | share(?:\ this)?(?:\ (?:article|story|page))? | share\ on\ \w+
    | follow\ us(?:\ on\ .{1,40})? | sign\ (?:in|up) | log\ ?in | subscribe | menu | search | home
    | print | email | comments? | loading\.* | toggle\ (?:navigation|menu)
    | (?:related|recommended|more|latest)\ (?:articles|stories|posts|news|reading)(?:\ for\ you)?
    | most\ (?:read|popular|viewed) | trending(?:\ now)? | (?:read|see)\ (?:more|also|next)
    | continue\ reading | view\ (?:comments|gallery) | (?:listen|watch)\ (?:to\ )?(?:this\ )?(?:article|story|now|live)
    | tags? | topics? | filed\ under | image | photo | video | more | reuters? | close | previous | next
    )[.:!]?$""",
    re.I | re.X,
)
_WRITTEN_BY = re.compile(r"^(?:written|posted|published)\s+by:?$", re.I)
_CTA = re.compile(
    r"""\bsign\ up\ (?:now|today|here)\b | ^sign\ up\ (?:to|for)\b | \bsubscribe\ (?:now|today|here)\b
    | ^subscribe\ to\b | \bdelivered\ (?:right\ )?(?:to|in)(?:to)?\ your\ inbox\b | \bclick\ here\b | \btap\ here\b
    | \bnewsletter\ promotion\b | \benter\ your\ email\b | ^follow\ us\ on\b
    | \bunlimited\ access\ to\b.{0,40}\b(?:reporting|journalism|articles|content|stories)\b
    | \bdownload\ (?:the|our)\b.{0,30}\bapp\b[.!]?$ | \bsupport\ (?:our|independent)\ journalism\b
    | \bbecome\ a\ (?:subscriber|patron|supporter)\b | ^for\ (?:all|more)\ of\b.{0,60}\bcoverage\b""",
    re.I | re.X,
)
_PROMO_LABEL = re.compile(
    r"^(?:watch|video|listen|read\ more|read\ also|also\ read|related|see\ also|photos?|gallery"
    r"|live(?:\ (?:briefing|blog|updates?|coverage))?)\s*:",
    re.I | re.X,
)
_READ_MORE_AT = re.compile(
    r"^(?:read|see)\s+(?:more|the\ full\ (?:story|article))\s+(?:at|on)\s+(.{2,60}?)[.!]?$", re.I | re.X
)
_BYLINE = re.compile(
    r"^By:?\s+(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}"
    r"(?:\s+(?:and|&)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})?)"
    r"\s*(?:(?:[/|,–—]|\s-)\s*(?P<outlet>[\w][\w .&'’-]{1,40}?))?\s*$"
)
_ROLE_WORDS = re.compile(r"\b(?:writer|editor|correspondent|reporter|staff|contributor|columnist|journalist)\b", re.I)
_REPORTING_CREDIT = re.compile(
    r"^\(?(?:with\s+)?(?:additional\s+)?(?:reporting|writing|editing|compiled|produced|research)\s+by\b", re.I
)
_CONTRIBUTED = re.compile(r"\bcontributed\s+(?:to\s+)?(?:this|his|her|the)\s+(?:report|story|article)\.?\)?$", re.I)
_POSSESSIVE_ORG = re.compile(r"(?<![\w/])([A-Z0-9][\w/&.-]*(?:\s+[A-Z0-9][\w/&.-]*){0,3})['’]s\b")
_CODE_TOKEN = re.compile(r"^[a-z]{2,8}-?\d{1,6}$")
_CREDIT_LINE = re.compile(
    r"""^(?:
      (?:image|photo|picture|pic|video|illustration|graphic|photograph|footage
         |(?:main|top|featured|header|cover)\ image)s?\s*(?:credits?|source|courtesy)?\s*[:|]
    | credits?\s*[:|]
    | (?:source|courtesy|copyright)\s*[:|]?\s*
        (?:getty|reuters|ap\b|afp|epa|shutterstock|alamy|pa\b|creative\ commons|wikimedia)
    | photo(?:graph)?\ by\b | ©
    )""",
    re.I | re.X,
)
_PAREN_CREDIT = re.compile(
    r"^\((?=[^()]*(?:/|\b(?:photo|image|credit|getty|reuters|afp|ap|epa|file)\b))[^()]{2,120}\)$", re.I
)
_LICENCE = re.compile(
    r"\bCC[- ]BY(?:-[A-Z]{2})*(?:[- ]\d\.\d)?\b|creativecommons\.org|\bWikimedia Commons\b|\bvia Getty Images\b"
    r"|\bpublic domain\b",
    re.I,
)
_TRAILING_AGENCY_CREDIT = re.compile(
    r"[.!?][”\"’]?\s+(?:[A-Z][\w.'’-]*\s){0,3}[A-Z][\w.'’-]*"
    r"(?:/[A-Z][A-Za-z.'’-]+(?:\s(?:Images|Pictures|Photos|Press|News))?){1,3}$"
)
_DATELINE_ONLY = re.compile(
    r"^[A-Z][\w .,'’-]{0,50}?\s*\(?(?:CNN|Reuters|AP|AFP|Bloomberg|UPI|RFE/RL|dpa)\)?\s*[—–-]+$"
)
# "Smart Bombs: Military, Defense and National Security": a section name listing its topics.
_SECTION_LINE = re.compile(
    r":\s*[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*(?:,\s*[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)+,?\s+(?:and|&)\s+[A-Z]"
)
_BIO = re.compile(
    r"^(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){1,3})\s+(?:is|was|has\s+been|serves\s+as)\s+(?P<rest>.{0,160})"
)
_BIO_ROLE = re.compile(
    r"\b(?:editor|writer|correspondent|reporter|journalist|contributor|columnist|commentator|author|blogger"
    r"|freelancer?|anchor|host|producer|novelist|essayist|critic)s?\b",
    re.I,
)
_INLINE_CREDIT = re.compile(r"^(?:Photo|Foto|Image|Picture|Illustration|Photograph)s?(?:\s+credit)?\s*:\s*")
_DIALOGUE = re.compile(
    r"^[–—-]\s|[”\"]|,\s+(?:says|said|explains|explained|adds|added|writes|wrote|tells|told|notes|noted|continues"
    r"|continued)\s+[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)?\.$|\b[A-Z][\w’'-]+\s+(?:says|explains|adds)\.$"
)
_ANAPHORIC = frozenset(
    "this that these those it he she they his her their its but and so however also then there here such".split()
)
_HEADING_STARTERS = (
    "Since|Whether|While|Although|Though|Because|However|Despite|After|Before|When|If|Once|Until|Unless|Meanwhile"
)
_GLUED_HEADING = re.compile(
    rf"^(?P<h>[A-Z][\w’'-]*(?:\s+[\w’'-]+){{1,6}}?)\s+(?=(?:{_HEADING_STARTERS})\s)"
    rf"|^(?P<h2>[A-Z][\w’'-]*(?:\s+[\w’'-]+){{0,5}}?\s+(?P<w>[A-Z][\w’'-]+))\s+(?P=w)\s"
)
_FUNCTION_WORDS = frozenset(
    """a an the and or but nor of in on at to for by with from as into onto via than vs is are was were be
    told tell tells said says say asked called named visited joined""".split()
)
_TITLECASE_MINOR = frozenset("a an the and or but nor of in on at to for by with from as vs via per".split())
_PRONOUN_START = frozenset(
    "he she it they we i you this that there these those his her its their our and but or so yet".split()
)
_FINITE = frozenset("is are was were has have had will would can could should said says told".split())
_KICKER = re.compile(r"^(?P<k>[A-Z][^.:;!?“”\"]{8,120}?):\s+(?=[“\"‘]?[A-Z])")
_WS = re.compile(r"[ \t]+")
_CLOSERS = "”\"’')]"


def _ends_sentence(s: str) -> bool:
    """Whether a line ends like a sentence (punctuation, possibly inside closing quotes)."""
    s = s.rstrip()
    if not s:
        return False
    if s[-1] in "”\"’":
        return True
    return s.rstrip(_CLOSERS)[-1:] in (".", "!", "?", "…", ":", ";")


# Cheap substring tests that let most paragraphs skip the call-to-action regex.
_CTA_HINTS = (
    "sign up", "subscribe", "inbox", "click here", "tap here", "newsletter", "your email", "follow us",
    "unlimited access", "download", "journalism", "become a", "coverage",
)  # fmt: skip


def _has_cta(s: str) -> bool:
    low = s.lower()
    return any(h in low for h in _CTA_HINTS) and _CTA.search(s) is not None
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_MARKUP = re.compile(r"^\s*<(?:!doctype|html|head|body|div|p|article)\b", re.I)


# ----------------------------------------------------------------------------- model


@dataclass(slots=True)
class _Para:
    text: str
    block: int
    raw: str = ""
    keep: bool = True


@dataclass(slots=True)
class _Found:
    title: str | None = None
    date: str | None = None
    outlets: list[tuple[int, str]] = field(default_factory=list)
    authors: list[tuple[int, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)

    def outlet(self, prio: int, value: str | None) -> None:
        value = (value or "").strip(" .,;:")
        if value:
            self.outlets.append((prio, value))

    def author(self, prio: int, value: str | None) -> None:
        value = (value or "").strip(" .,;:")
        if value:
            self.authors.append((prio, value))


# Outlet/author evidence, strongest first.
_P_BYLINE, _P_READ_MORE, _P_BIO, _P_CREDIT, _P_PROMO = range(5)


def _drop(p: _Para, found: _Found, reason: str) -> None:
    if p.keep:
        p.keep = False
        found.dropped.append(p.text)
        if log.isEnabledFor(logging.DEBUG):
            log.debug("dropped (%s): %.80s", reason, p.text)


def _is_title_case(s: str, min_words: int = 3) -> bool:
    words = _WORD.findall(s)
    if len(words) < min_words:
        return False
    content = [w for w in words if w.lower() not in _TITLECASE_MINOR]
    return bool(content) and all(w[0].isupper() or w[0].isdigit() for w in content)


# ----------------------------------------------------------------------------- paragraphs


def _is_wrapped(blocks: list[list[str]]) -> bool:
    """Hard-wrapped text (newswire, e-mail) breaks lines inside sentences."""
    inner = 0
    continued = 0
    longest = 0
    for lines in blocks:
        for i, line in enumerate(lines):
            longest = max(longest, len(line))
            if i + 1 < len(lines):
                inner += 1
                s = line.rstrip()
                nxt = lines[i + 1].lstrip()
                if s and not _ends_sentence(s) and (len(s) >= 50 or nxt[:1].islower()):
                    continued += 1
    return continued >= 2 and continued >= 0.25 * inner and longest <= 120


_TABLE_GAP = re.compile(r"\S\s{3,}\S")


def _continues(prev: str, line: str, wrapped: bool) -> bool:
    """Whether ``line`` continues the paragraph that ``prev`` (the line above) belongs to."""
    if line[:1] in " \t" or _TABLE_GAP.search(prev.strip()):
        return False  # an indented line opens a paragraph; a table row stands alone
    if wrapped:
        return True
    first = line.lstrip()[:1]
    return not _ends_sentence(prev) and (first.islower() or first.isdigit())


def _paragraphs(text: str) -> tuple[list[_Para], bool]:
    blocks: list[list[str]] = []
    cur: list[str] = []
    for line in text.split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            blocks.append(cur)
            cur = []
    if cur:
        blocks.append(cur)
    wrapped = _is_wrapped(blocks)
    paras: list[_Para] = []

    def flush(buf: list[str], block: int) -> None:
        joined = " ".join(x.strip() for x in buf)
        text = _WS.sub(" ", joined).strip()
        if text:
            paras.append(_Para(text, block, joined))

    for b, lines in enumerate(blocks):
        buf: list[str] = []
        for line in lines:
            if buf and not _continues(buf[-1], line, wrapped):
                flush(buf, b)
                buf = []
            buf.append(line)
        if buf:
            flush(buf, b)
    return paras, wrapped


# ----------------------------------------------------------------------------- line rules


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_bounds(text)]


def _is_prose(p: _Para) -> bool:
    return len(p.text.split()) >= 8 and p.text != p.text.upper()


def _between_prose(paras: list[_Para], i: int) -> bool:
    """A related-story link interrupts prose; a run of capitalised lines is a list or table."""
    return 0 < i < len(paras) - 1 and _is_prose(paras[i - 1]) and _is_prose(paras[i + 1])


def _line_rules(paras: list[_Para], found: _Found) -> None:
    for i, p in enumerate(paras):
        t = p.text
        n_words = len(t.split())
        if _CODE_TOKEN.match(t) or _NAV_LINE.match(t) or _WRITTEN_BY.match(t):
            _drop(p, found, "navigation")
            continue
        if n_words <= 12 and i < 6 and _date_only_line(t):  # a date line sits in the header area
            _drop(p, found, "date line")  # its date is read by _top_date, which judges its position
            continue
        m = _READ_MORE_AT.match(t)
        if m:
            found.outlet(_P_READ_MORE, m.group(1))
            _drop(p, found, "read-more link")
            continue
        m = _BYLINE.match(t) if n_words <= 14 else None
        if m is None and n_words <= 20:
            dated = _BYLINE_DATED.match(t)  # "By Jane Roe | January 24, 2023": _top_date reads the date
            if dated and len(dated.group("byline").split()) <= 14:
                m = _BYLINE.match(dated.group("byline"))
        if m:
            found.author(_P_BYLINE, m.group("name"))
            outlet = m.group("outlet")
            if outlet and not _ROLE_WORDS.search(outlet) and not _DATE_LINE.match(outlet):
                found.outlet(_P_BYLINE, outlet)
            _drop(p, found, "byline")
            continue
        if _DATELINE_ONLY.match(t) and n_words <= 8:
            _drop(p, found, "dateline")
            continue
        if n_words <= 40 and (_REPORTING_CREDIT.match(t) or _CONTRIBUTED.search(t)):
            m = _POSSESSIVE_ORG.search(t)
            if m and _REPORTING_CREDIT.match(t):
                found.outlet(_P_CREDIT, m.group(1))
            _drop(p, found, "reporting credit")
            continue
        if (n_words <= 15 and _CREDIT_LINE.match(t)) or _PAREN_CREDIT.match(t):
            _drop(p, found, "photo credit")
            # Alt text / caption lines sit directly above their credit, in the same block.
            j = i - 1
            while j >= 0 and paras[j].block == p.block and paras[j].keep and len(paras[j].text.split()) <= 25:
                _drop(paras[j], found, "caption above credit")
                j -= 1
            continue
        if n_words <= 60 and _LICENCE.search(t, max(0, len(t) - 150)):
            _drop(p, found, "licence credit")
            continue
        if (
            n_words <= 60
            and not _ends_sentence(t)
            and "/" in t[-60:]
            and _TRAILING_AGENCY_CREDIT.search(t)
        ):
            _drop(p, found, "agency credit caption")
            continue
        if _PROMO_LABEL.match(t) and n_words <= 80:
            _drop(p, found, "promo label")
            continue
        if (
            _between_prose(paras, i)
            and n_words >= 5
            and n_words <= 30
            and t == t.upper()
            and not re.search(r"\S\s{2,}\S", p.raw)
            and sum(c.isalpha() for c in t) >= 0.6 * len(t)
        ):
            _drop(p, found, "related headline")
            continue
        if _has_cta(t):
            _cta_paragraph(p, found)


def _cta_paragraph(p: _Para, found: _Found) -> None:
    """Promo boxes are short, so a short paragraph with a call to action goes entirely;
    in a long paragraph only the call-to-action sentences do."""
    sents = _sentences(p.text)
    cta = [s for s in sents if _has_cta(s)]
    for s in sents:
        m = _POSSESSIVE_ORG.search(s)
        if m and re.search(r"\b(?:coverage|briefing|reporting|newsletter|scoops|journalism)\b", s, re.I):
            found.outlet(_P_PROMO, m.group(1))
    if len(sents) <= 3 or len(cta) * 2 >= len(sents) or "newsletter promotion" in p.text.lower():
        _drop(p, found, "call to action")
        return
    found.dropped.extend(cta)
    p.text = " ".join(s for s in sents if s not in cta)


def _promo_titles(paras: list[_Para], found: _Found) -> None:
    """A heading directly above a dropped promo box is the box's title."""
    for i in range(1, len(paras)):
        prev, p = paras[i - 1], paras[i]
        if not p.keep and prev.keep and is_heading(prev.text) and _has_cta(p.text):
            _drop(prev, found, "promo title")


def _dedupe(paras: list[_Para], found: _Found) -> None:
    """A repeated line or paragraph keeps its first copy.

    Short lines must repeat exactly, and short lines with numbers never count (table rows
    legitimately repeat across periods); long paragraphs count when nearly identical, which
    catches a bio pasted twice with straight and curly quotes.
    """
    seen: set[str] = set()
    long_kept: list[tuple[int, str]] = []
    for p in paras:
        n_words = len(p.text.split())
        if n_words <= 12 and any(c.isdigit() for c in p.text):
            continue
        if n_words < 4:
            key = p.text
        else:
            key = normalize_for_hash(p.text)
        if not key:
            continue
        if key in seen:
            _drop(p, found, "duplicate")
            continue
        seen.add(key)
        if len(key) >= 80:
            n = len(key)
            for m_len, other in long_kept:
                if 0.9 * n <= m_len <= 1.1 * n and fuzz.ratio(key, other, score_cutoff=95):
                    _drop(p, found, "duplicate")
                    break
            else:
                long_kept.append((n, key))


def _tail_bios(paras: list[_Para], found: _Found) -> None:
    """Author boxes come last: walk back from the end over labels and bios only."""
    after_label = False
    for i in range(len(paras) - 1, -1, -1):
        p = paras[i]
        if not p.keep:
            if _WRITTEN_BY.match(p.text):
                after_label = True
            continue
        m = _BIO.match(p.text)
        sents = _sentences(p.text) if m else []
        if m and len(sents) <= 6 and len(p.text.split()) <= 150 and (
            _BIO_ROLE.search(m.group("rest")) or after_label
        ):
            found.author(_P_BIO, m.group("name"))
            org = _POSSESSIVE_ORG.match(m.group("rest"))
            if org:
                found.outlet(_P_BIO, org.group(1))
            _drop(p, found, "author bio")
            continue
        break


def _pull_quotes(paras: list[_Para], found: _Found) -> None:
    """A pull quote repeats a sentence of the article without its final punctuation.

    Newswire copy has no pull quotes, and its table rows look like them, so hard-wrapped text
    is not checked.
    """
    kept = [p for p in paras if p.keep]
    checked = 0
    for p in kept:
        t = p.text
        if _ends_sentence(t) or len(t.split()) < 12 or sum(c.isdigit() for c in t) > 0.1 * len(t):
            continue
        checked += 1
        if checked > 5:
            break
        words = {w.lower() for w in _WORD.findall(t)}
        for other in kept:
            if other is p or len(other.text) < len(t):
                continue
            if not fuzz.partial_ratio(t, other.text, score_cutoff=90):
                continue
            other_words = {w.lower() for w in _WORD.findall(other.text)}
            if len(words & other_words) >= 0.95 * len(words):
                _drop(p, found, "pull quote")
                break


# ----------------------------------------------------------------------------- inside paragraphs


def _credit_length(s: str) -> int:
    """Length of a photo credit at the start of ``s`` ("FFI", "Libkos / AP", "POOL / Reuters")."""
    toks = list(re.finditer(r"\S+", s[:200]))
    if not toks:
        return len(s)
    words = [t.group() for t in toks]
    slash_at = next((j for j, w in enumerate(words[:6]) if w == "/" or "/" in w), None)
    if slash_at is not None:
        end = 0
        j = 0
        while j < len(words):
            w = words[j]
            if w == "/":
                if j + 1 >= len(words):
                    return toks[j].end()
                end = toks[j + 1].end()
                j += 2
            elif "/" in w or (j <= slash_at and w[:1].isupper()):
                end = toks[j].end()
                j += 1
                if "/" not in w:
                    continue
            else:
                break
            if j < len(words) and words[j] in ("Images", "Pictures", "Photos"):
                end = toks[j].end()
                j += 1
            if j < len(words) and words[j] == "/":
                continue
            break
        return end
    first = words[0]
    if len(first) >= 2 and first.isupper():
        return toks[0].end()
    if len(words) >= 2 and words[1][:1].isupper() and not words[1].isupper():
        return toks[1].end()
    return toks[0].end()


def _is_dialogue(s: str) -> bool:
    return bool(_DIALOGUE.search(s))


def _self_contained(s: str) -> bool:
    first = s.split(" ", 1)[0].lower().strip("“\"‘'")
    return not _is_dialogue(s) and first not in _ANAPHORIC


def _glued_heading(s: str, text: str) -> int:
    """Length of a subheading glued to the front of sentence ``s`` (0 when there is none).

    Two shapes are recognised: a short verbless phrase followed by a capitalised subordinator
    ("Lost the upper hand Since the war..."), and a phrase ending in a name that the next
    sentence opens with ("Risk for Putin Putin officially..."), the latter only when that
    doubled name occurs once in the article (so "Bafana Bafana" stays a name).
    """
    m = _GLUED_HEADING.match(s)
    if not m:
        return 0
    h = m.group("h") or m.group("h2")
    words = h.split()
    if not 2 <= len(words) <= 7:
        return 0
    if any(not _WORD.fullmatch(w) for w in words) or any(c.isdigit() for c in h):
        return 0
    lowered = [w.lower() for w in words]
    if lowered[-1] in _FUNCTION_WORDS or lowered[0] in _PRONOUN_START or _FINITE.intersection(lowered):
        return 0
    if m.group("w"):
        doubled = f"{m.group('w')} {m.group('w')}"
        if text.count(doubled) != 1:
            return 0
    return len(h)


def _inline_pass(paras: list[_Para], found: _Found, text: str) -> None:
    """Captions, credits and subheadings that lost their line breaks inside a paragraph."""
    for p in paras:
        if not p.keep or len(p.text) < 40:
            continue
        sents = _sentences(p.text)
        if len(sents) < 2:
            continue
        changed = False
        out: list[str | None] = list(sents)
        for i, s in enumerate(sents):
            m = _INLINE_CREDIT.match(s)
            if m:
                clen = _credit_length(s[m.end():])
                found.dropped.append(s[: m.end() + clen])
                rest = s[m.end() + clen:].strip()
                out[i] = rest or None
                changed = True
                # The caption is the sentence before the credit; a second one only when it
                # reads self-contained and follows a quote paragraph (a paragraph boundary).
                if i >= 1 and out[i - 1] is not None and not _is_dialogue(sents[i - 1]):
                    found.dropped.append(sents[i - 1])
                    out[i - 1] = None
                    if (
                        i >= 3
                        and out[i - 2] is not None
                        and _self_contained(sents[i - 2])
                        and _is_dialogue(sents[i - 3])
                    ):
                        found.dropped.append(sents[i - 2])
                        out[i - 2] = None
        for i, s in enumerate(out):
            if s is None:
                continue
            n = _glued_heading(s, text)
            if n:
                found.dropped.append(s[:n])
                out[i] = s[n:].strip()
                changed = True
        if changed:
            p.text = " ".join(s for s in out if s)
            if not p.text:
                p.keep = False


# ----------------------------------------------------------------------------- top and tail


def _leading_block(paras: list[_Para], found: _Found, known_title: str | None) -> None:
    """Kickers, section names and the headline sit above the first prose paragraph.

    With a title from the source, lines above it are only treated as kickers when the text
    visibly repeats that title; otherwise a leading table row or place name is not a kicker.
    """
    kept = [p for p in paras if p.keep]
    heads: list[_Para] = []
    body_start = len(kept)
    for idx, p in enumerate(kept):
        if is_heading(p.text):
            heads.append(p)
        else:
            body_start = idx
            break
    title_para = None
    for p in heads:
        if _SECTION_LINE.search(p.text) or len(p.text.split()) < 3:
            continue
        title_para = p
        break
    if title_para is not None and known_title:
        a, b = normalize_for_hash(title_para.text), normalize_for_hash(known_title)
        if not fuzz.ratio(a, b, score_cutoff=85):
            title_para = None
    if title_para is not None:
        for p in heads:
            if p is title_para:
                break
            _drop(p, found, "kicker")
        found.title = title_para.text
    # A kicker glued to the front of the first prose paragraph ("Title Case Phrase: Body...").
    for p in kept[body_start:body_start + 2]:
        m = _KICKER.match(p.text)
        if m and _is_title_case(m.group("k")) and len(p.text[m.end():].split()) >= 6:
            found.dropped.append(m.group(0).strip())
            p.text = p.text[m.end():]


_TRAILING_FRAGMENT = re.compile(r"^[A-Za-z][A-Za-z'’-]*(?:\.\.\.|…)?$")


def _trailing_fragments(paras: list[_Para], found: _Found) -> None:
    """A lone word at the very end is a sign-off or widget label ("REUTER...", "MORE")."""
    kept = [p for p in paras if p.keep]
    for i in range(len(kept) - 1, max(0, len(kept) - 4), -1):
        p = kept[i]
        if _TRAILING_FRAGMENT.match(p.text) and _ends_sentence(kept[i - 1].text):
            _drop(p, found, "trailing fragment")
        else:
            break


# ----------------------------------------------------------------------------- publication date

# Labels that state a date is the publication date; an "Updated" date is only a fallback.
_STATED_LABELS = frozenset(("published", "first published", "posted", "dated", "date", "filed"))
_HEADER_CHARS = 300  # kept text (title, standfirst, byline) allowed above a dateline
_HEADER_PARAS = 6  # and the dateline is among the first few lines


def _label(m: re.Match[str]) -> str:
    return " ".join((m.group("label") or "").lower().split())


def _date_only_line(t: str) -> tuple[str, str] | None:
    """(ISO date, label) when the line ``t`` is nothing but a date, perhaps labelled and timed."""
    m = _DATE_LINE.match(t)
    if m:
        iso = _date_from_match(m.group("d"))
        return (iso, _label(m)) if iso else None
    m = _DATEISH_LINE.match(t)
    if not m:
        return None
    try:
        import dateparser  # slow to import; only reached for date lines in unusual formats

        parsed = dateparser.parse(
            t[m.end("label"):] if m.group("label") else t,
            languages=["en"],
            settings={"REQUIRE_PARTS": ["day", "month", "year"], "STRICT_PARSING": True},
        )
    except Exception:  # dateparser raises assorted errors on odd strings
        return None
    return (parsed.date().isoformat(), _label(m)) if parsed else None


def _byline_date(t: str) -> tuple[str, str] | None:
    """(ISO date, label) from a byline that ends with a date ("By Jane Roe | January 24, 2023")."""
    m = _BYLINE_DATED.match(t)
    if not m or not _BYLINE.match(m.group("byline")):
        return None
    iso = _date_from_match(m.group("d"))
    return (iso, _label(m)) if iso else None


def _wire_date(t: str) -> str | None:
    """ISO date of a wire dateline opening ``t`` ("LONDON, 5 March 2023 (Reuters) - ...").

    Only a dateline that gives its year dates the article. Newswires often leave the year
    out ("KYIV, Jan 24 (Reuters) -"); any year put there would be a guess shown to readers
    as a fact, so such an article stays undated unless its metadata says otherwise.
    """
    m = _WIRE_DATELINE.match(t)
    if not m:
        return None
    surface = m.group("d")
    if _HAS_YEAR.search(surface):
        return _date_from_match(surface)
    return None


def _is_body(p: _Para) -> bool:
    """A paragraph of the story itself (not a headline, byline or page furniture)."""
    return p.keep and _is_prose(p) and _ends_sentence(p.text)


def _top_date(paras: list[_Para]) -> tuple[str, bool] | None:
    """(ISO date, inferred) from a dateline at the top of the article, or ``None``.

    A dateline stands in the header: among the first few lines, with at most a title, a
    standfirst and a byline (``_HEADER_CHARS`` of kept text, one paragraph of prose) above it;
    page furniture the line rules dropped (navigation, credits) does not count. Three shapes
    are read: a line that is only a date ("January 24, 2023", "Published: 24 Jan 2023 09.15
    GMT"), a byline ending in a date, and a wire dateline opening the first paragraph of the
    story ("KYIV, Jan 24 (Reuters) -"). A date inside a running sentence is never read: the
    body tells of events, and a date it mentions ("since the 11 September 2001 attacks") is
    no publication date.

    ``inferred`` is False when a label states the date is the publication date ("Published",
    "Posted", "Date") and True when the date is taken as one only because of where it stands
    (a bare date line, a byline's date, a wire dateline, an "Updated" date).
    """
    updated: tuple[str, bool] | None = None
    above = 0  # characters of kept text above the current line
    prose = 0  # paragraphs of prose above it: a standfirst, then the story has begun
    for p in paras[:_HEADER_PARAS]:
        if above > _HEADER_CHARS:
            break
        t = p.text
        n_words = len(t.split())
        got = _date_only_line(t) if n_words <= 12 else None
        if got is None and n_words <= 20:
            got = _byline_date(t)
        if got is not None:
            iso, label = got
            if "updated" in label:
                updated = updated or (iso, True)
                continue
            return iso, label not in _STATED_LABELS
        if prose == 0:  # a wire dateline opens the first paragraph, or stands alone above it
            wire = _wire_date(t)
            if wire is not None:
                return wire, True
        if _is_body(p):
            prose += 1
            if prose > 1:
                break
        if p.keep:
            above += len(t)
    return updated


# ----------------------------------------------------------------------------- assembly


def _fallback_title(text: str) -> str:
    first_para = text.split("\n\n", 1)[0]
    bounds = sentence_bounds(first_para)
    s = first_para[bounds[0][0]:bounds[0][1]] if bounds else first_para
    s = s.rstrip(".").strip()
    if len(s) <= 100:
        return s
    cut = s[:80]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


def _best(cands: list[tuple[int, str]]) -> str | None:
    return min(cands, key=lambda c: c[0])[1] if cands else None


def clean_document(doc: RawDocument) -> CleanedDocument:
    """Article text without page furniture, plus the metadata the text gives away.

    Metadata the source supplied (``doc.meta``) always wins over anything recovered here.

    ``published`` comes from metadata (a header block, HTML metadata, a JSON ``date``), else
    from a date the text labels at its very start (" date 2023-01-24 ..."), else from a dateline
    at the top (see :func:`_top_date`); otherwise the article is undated (``None``). Dates in
    the body never count. ``published_inferred`` is True only when the date was taken as the
    publication date because of where it stands in the text (an unlabelled date line, a
    byline's date, a wire dateline, whose year may be assumed), not because metadata or a label
    said so.
    """
    text = doc.text
    meta = dict(doc.meta)
    if doc.is_html and _MARKUP.match(text):
        extracted = html_to_document(text, doc.source, url=meta.get("url"))
        text = extracted.text
        for k, v in extracted.meta.items():
            meta.setdefault(k, v)
    text = normalize_text(text)
    found = _Found()

    m = _DATE_PREFIX.match(text)
    if m:
        found.date = _date_from_match(m.group(1))
        found.dropped.append(m.group(0))
        text = text[m.end():]

    # The published date: metadata, else a date the text labels as such at its very start, else
    # a dateline at the top. Never a date from the body: those are the dates of events.
    published = parse_date(meta.get("date")) or found.date
    inferred = False

    paras, wrapped = _paragraphs(text)
    _line_rules(paras, found)
    if published is None:
        top = _top_date(paras)
        if top is not None:
            published, inferred = top
    _promo_titles(paras, found)
    _dedupe(paras, found)
    _tail_bios(paras, found)
    if not wrapped:
        _pull_quotes(paras, found)
    _inline_pass(paras, found, text)
    _leading_block(paras, found, meta.get("title"))
    _trailing_fragments(paras, found)

    body = "\n\n".join(p.text.strip() for p in paras if p.keep and p.text.strip())
    if not body:
        raise IngestError(f"{doc.source}: no article text left after cleaning")

    title = (meta.get("title") or "").strip() or found.title or _fallback_title(body)
    return CleanedDocument(
        text=body,
        title=title,
        outlet=(meta.get("outlet") or "").strip() or _best(found.outlets),
        author=(meta.get("author") or "").strip() or _best(found.authors),
        published=published,
        published_inferred=inferred,
        url=(meta.get("url") or "").strip() or None,
        dropped=found.dropped,
    )
