"""Date expressions resolved against the article's publication date.

News text dates events relative to the day it was written: "Friday", "last week",
"earlier this month", "January 25". Resolving them needs the published date, so each
expression becomes a :class:`DatedEvent` with an ISO date, a precision (day, week, month,
year) and the sentence it dates.

spaCy's DATE entities find the expressions; a handful of regular expressions resolve the
common forms directly, which is about a hundred times faster than handing every entity to
dateparser (the corpus has 21k articles). dateparser is only asked about what the rules
do not recognise and still looks like a calendar date (it has digits or a month name).
Durations ("three months", "the last three weeks") and vague spans ("months", "this
spring", "the war began") are not dates and are skipped.

Resolution rules: a weekday is the most recent such day on or before the published date
("last Friday" the one before that if the article is from a Friday); a month or day
without a year is the most recent occurrence not later than ten days after publication;
a week starts on Monday. Without a published date, absolute dates are resolved and a day or
month without a year is kept as written (:data:`YEARLESS`); relative dates are dropped.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING

from ..models import DatedEvent

if TYPE_CHECKING:  # spaCy and dateparser are imported where a parse or a date needs them
    from dateparser.date import DateDataParser
    from spacy.tokens import Doc

#: How far after publication a yearless date may fall ("on March 3" in a March 1 article).
FUTURE_TOLERANCE = timedelta(days=10)

_MONTHS = {
    name: i
    for i, names in enumerate(
        [
            (),
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ]
    )
    for name in names
}
_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip

_MONTH = (
    r"(?P<month>january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[89]|20)\d\d)"
_WEEKDAY = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"

# (name, pattern); tried in order, longest forms first, case-insensitive
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b")),
    ("mdy", re.compile(rf"\b{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("dmy", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH},?\s+{_YEAR}\b", re.IGNORECASE)),
    ("my", re.compile(rf"\b{_MONTH},?\s+(?:of\s+)?{_YEAR}\b", re.IGNORECASE)),
    ("md", re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?![:.]?\d)", re.IGNORECASE)),
    ("dm", re.compile(rf"\b{_DAY}\s+(?:of\s+)?{_MONTH}(?![a-z])", re.IGNORECASE)),
    (
        "ago",
        re.compile(
            r"\b(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
            r"(?P<unit>day|week|month|year)s?\s+ago\b",
            re.IGNORECASE,
        ),
    ),
    (
        "rel_day",
        re.compile(
            r"\b(?P<word>yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon|evening))\b",
            re.IGNORECASE,
        ),
    ),
    ("weekday", re.compile(rf"\b(?:(?P<which>last|this|next|past|on)\s+)?{_WEEKDAY}\b", re.IGNORECASE)),
    ("weekend", re.compile(r"\b(?:(?P<which>last|this|next|past|the)\s+)weekend\b", re.IGNORECASE)),
    (
        "rel_period",
        re.compile(
            r"\b(?:(?P<mod>earlier|later|early|late)\s+)?"
            r"(?P<which>this|last|next|previous|the\s+previous|the\s+coming)\s+"
            r"(?P<unit>week|month|year)\b(?!s)",
            re.IGNORECASE,
        ),
    ),
    ("month", re.compile(rf"\b{_MONTH}(?![a-z])", re.IGNORECASE)),
    ("year", re.compile(rf"(?<![\d,.$£€/])(?<!\d-){_YEAR}(?!s|\d|-\d{{3}}|,\d)\b")),
]
_DURATION = re.compile(
    r"^(?:(?:the|over|for|in|within)\s+)*(?:(?:last|past|next|first|coming|previous|final)\s+)?"
    r"(?:\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|few|many|some|recent|"
    r"hundreds|dozens|a\s+couple\s+of|a\s+few)\s+(?:\w+\s+)?(?:days?|weeks?|months?|years?|decades?)$"
    r"|^\S*\d+-(?:day|week|month|year)",
    re.IGNORECASE,
)
_VAGUE = re.compile(
    r"^(?:the\s+)?(?:days?|weeks?|months?|years?|decades?|daily|weekly|monthly|yearly|annual|nightly|every\s+\w+|"
    r"recent\s+\w+|(?:this|last|next|early|late)?\s*(?:spring|summer|autumn|fall|winter))$",
    re.IGNORECASE,
)
#: How many periods back "this/last/next week|month|year" points.
_STEPS = {"this": 0, "last": 1, "previous": 1, "the previous": 1, "next": -1, "the coming": -1}
_AMBIGUOUS_MONTHS = frozenset({"may", "mar", "march", "jun", "sep", "dec", "jan", "oct", "aug", "nov"})


@dataclass(slots=True)
class _Found:
    start: int  # offsets into the searched string
    end: int
    date: date
    precision: str


def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", published)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


def _month_start(d: date, back: int = 0) -> date:
    y, m = d.year, d.month - back
    while m < 1:
        y, m = y - 1, m + 12
    while m > 12:
        y, m = y + 1, m - 12
    return date(y, m, 1)


def _yearless(month: int, day: int | None, base: date) -> date | None:
    """The most recent occurrence not later than the tolerance after ``base``."""
    for year in (base.year, base.year - 1):
        try:
            d = date(year, month, day or 1)
        except ValueError:
            return None
        if d <= base + FUTURE_TOLERANCE:
            return d
    return None


#: A day or month written without a year, in an article with no publication date ("will go
#: on sale in Japan on 12 December"), is still an event: it is kept with this placeholder
#: year (a leap year, so 29 February stays a date) and a ``-no-year`` precision, and is shown
#: as written, never with a year.
YEARLESS_YEAR = 4
YEARLESS = frozenset({"day-no-year", "month-no-year"})


def _without_year(name: str, g: dict[str, str | None]) -> tuple[date, str] | None:
    try:
        if name in {"md", "dm"}:
            return date(YEARLESS_YEAR, _MONTHS[(g["month"] or "").lower()], int(g["day"] or 0)), "day-no-year"
        if name == "month":
            return date(YEARLESS_YEAR, _MONTHS[(g["month"] or "").lower()], 1), "month-no-year"
    except (ValueError, KeyError):
        return None
    return None


def date_label(iso: str, precision: str) -> str:
    """A date at the precision it is known: ``2023-01-25``, ``week of 2023-01-23``,
    ``2023-03``, ``2022``, and ``12 December (no year given)`` for a yearless date."""
    if precision == "week":
        return f"week of {iso}"
    if precision == "month":
        return iso[:7]
    if precision == "year":
        return iso[:4]
    if precision in YEARLESS:
        month = calendar.month_name[int(iso[5:7])]
        day = "" if precision == "month-no-year" else f"{int(iso[8:10])} "
        return f"{day}{month} (no year given)"
    return iso


def _resolve(name: str, m: re.Match[str], base: date | None) -> tuple[date, str] | None:
    g = m.groupdict()
    try:
        if name == "iso":
            return date(int(g["year"]), int(g["month"]), int(g["day"])), "day"
        if name in {"mdy", "dmy"}:
            return date(int(g["year"]), _MONTHS[g["month"].lower()], int(g["day"])), "day"
        if name == "my":
            return date(int(g["year"]), _MONTHS[g["month"].lower()], 1), "month"
        if name == "year":
            return date(int(g["year"]), 1, 1), "year"
    except ValueError:
        return None
    if base is None:
        return _without_year(name, g)
    if name in {"md", "dm"}:
        day = int(g["day"])
        if not 1 <= day <= 31:
            return None
        d = _yearless(_MONTHS[g["month"].lower()], day, base)
        return (d, "day") if d else None
    if name == "month":
        d = _yearless(_MONTHS[g["month"].lower()], None, base)
        return (d, "month") if d else None
    if name == "rel_day":
        shift = {"yesterday": -1, "last night": -1, "tomorrow": 1}.get(re.sub(r"\s+", " ", g["word"].lower()), 0)
        return base + timedelta(days=shift), "day"
    if name == "weekday":
        wd = _WEEKDAYS[g["weekday"].lower()]
        which = (g["which"] or "").lower()
        if which == "next":
            return base + timedelta(days=(wd - base.weekday()) % 7 or 7), "day"
        back = (base.weekday() - wd) % 7
        if which in {"last", "past"} and back == 0:
            back = 7
        return base - timedelta(days=back), "day"
    if name == "weekend":
        which = (g["which"] or "").lower()
        saturday = base - timedelta(days=(base.weekday() - 5) % 7)  # latest Saturday on or before base
        upcoming = base + timedelta(days=(5 - base.weekday()) % 7 or 7)
        if which == "next" or (which == "this" and 2 <= base.weekday() <= 4):
            saturday = upcoming  # "this weekend" written Wednesday to Friday is the coming one
        elif which in {"last", "past"} and base.weekday() >= 5:
            saturday -= timedelta(days=7)
        return saturday, "week"
    if name == "ago":
        n = g["n"].lower()
        count = _NUMBERS.get(n) or int(n)
        unit = g["unit"].lower()
        if unit == "day":
            return base - timedelta(days=count), "day"
        if unit == "week":
            d = base - timedelta(weeks=count)
            return d - timedelta(days=d.weekday()), "week"
        if unit == "month":
            return _month_start(base, count), "month"
        return date(base.year - count, 1, 1), "year"
    if name == "rel_period":
        which = re.sub(r"\s+", " ", g["which"].lower())
        unit = g["unit"].lower()
        step = _STEPS[which]
        if unit == "week":
            monday = base - timedelta(days=base.weekday())
            return monday - timedelta(weeks=step), "week"
        if unit == "month":
            return _month_start(base, step), "month"
        return date(base.year - step, 1, 1), "year"
    return None


def _scan(text: str, base: date | None, *, loose: bool) -> list[_Found]:
    """Date expressions in ``text`` (a DATE entity when ``loose``, else free text)."""
    taken: list[tuple[int, int]] = []
    out: list[_Found] = []
    for name, pattern in _RULES:
        if not loose and name in {"month", "year", "dm"}:
            continue  # a bare "May" or "2014" outside a DATE entity is too often something else
        for m in pattern.finditer(text):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken):
                continue
            if name == "weekday" and not loose and not m.group("weekday")[0].isupper():
                continue
            month = m.group("month") if name in {"md", "month"} else None
            if month and not loose and month.lower() in _AMBIGUOUS_MONTHS and not month[0].isupper():
                continue
            resolved = _resolve(name, m, base)
            taken.append((a, b))
            if resolved is None:
                continue
            if name == "weekday" and (m.group("which") or "").lower() == "on":
                a = m.start("weekday")
            if name == "rel_day" and not loose:
                continue  # "today" in free text is as often "nowadays" as a date
            out.append(_Found(a, b, resolved[0], resolved[1]))
    # "Friday, March 3": one event, dated by the explicit part
    out.sort(key=lambda f: f.start)
    merged: list[_Found] = []
    for f in out:
        prev = merged[-1] if merged else None
        joined = (
            prev is not None
            and prev.precision == "day"
            and f.precision == "day"
            and re.fullmatch(r",?\s*", text[prev.end : f.start]) is not None
            and text[prev.start : prev.end].lower() in _WEEKDAYS
        )
        if prev is not None and joined:
            merged[-1] = _Found(prev.start, f.end, f.date, f.precision)
            continue
        merged.append(f)
    return merged


@lru_cache(maxsize=64)
def _parser(base: date | None) -> DateDataParser:
    """One dateparser parser per publication date (building one costs milliseconds)."""
    from dateparser.date import DateDataParser

    settings: dict[str, object] = {"PREFER_DATES_FROM": "past", "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day)
    return DateDataParser(languages=["en"], settings=settings)


@lru_cache(maxsize=4096)
def _fallback(surface: str, base: date | None) -> tuple[date, str] | None:
    """dateparser for forms the rules do not know ("3/4/2023", "the 24th of Feb")."""
    parser = _parser(base)
    data = parser.get_date_data(surface)
    if data is None or data.date_obj is None:
        return None
    period = data.period if data.period in {"day", "week", "month", "year"} else "day"
    d = data.date_obj.date()
    if period == "month":
        d = d.replace(day=1)
    elif period == "year":
        d = d.replace(month=1, day=1)
    elif period == "week":
        d -= timedelta(days=d.weekday())
    return d, period


_CALENDARISH = re.compile(r"\d|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\b", re.IGNORECASE)


def _entity_dates(surface: str, base: date | None) -> list[_Found]:
    stripped = surface.strip()
    if _DURATION.match(stripped) or _VAGUE.match(stripped):
        return []
    found = _scan(surface, base, loose=True)
    if (
        found
        or not _CALENDARISH.search(surface)
        or re.search(r"\b(?:days?|weeks?|months?|years?)\b", surface, re.IGNORECASE)
    ):
        return found
    if re.fullmatch(r"[\d\s.,-]+", stripped) and not re.fullmatch(r"\d{1,2}[./-]\d{1,2}[./-]\d{2,4}", stripped):
        return []
    if base is None and not re.search(r"(?:1[89]|20)\d\d", stripped):
        return []  # dateparser would resolve a yearless date against today
    hit = _fallback(stripped, base)
    if hit is None:
        return []
    a = surface.index(stripped)
    return [_Found(a, a + len(stripped), hit[0], hit[1])]


def _sentences(doc: Doc) -> tuple[list[int], list[tuple[int, int]]]:
    starts: list[int] = []
    bounds: list[tuple[int, int]] = []
    for sent in doc.sents:
        starts.append(sent.start_char)
        bounds.append((sent.start_char, sent.end_char))
    return starts, bounds


def _iter_events(doc: Doc, offset: int, base: date | None) -> Iterator[DatedEvent]:
    text = doc.text
    starts, bounds = _sentences(doc)
    covered: list[tuple[int, int]] = []
    found: list[tuple[int, int, _Found]] = []
    for ent in doc.ents:
        if ent.label_ != "DATE":
            continue
        covered.append((ent.start_char, ent.end_char))
        for f in _entity_dates(ent.text, base):
            found.append((ent.start_char + f.start, ent.start_char + f.end, f))
    for f in _scan(text, base, loose=False):
        if not any(f.start < e and s < f.end for s, e in covered):
            found.append((f.start, f.end, f))
    found.sort(key=lambda x: x[0])
    for a, b, f in found:
        s, e = bounds[max(0, bisect_right(starts, a) - 1)] if bounds else (0, len(text))
        yield DatedEvent(
            start=offset + a,
            end=offset + b,
            surface=text[a:b],
            date=f.date.isoformat(),
            precision=f.precision,
            sentence_start=offset + s,
            sentence_end=offset + e,
        )


def find_dates(text: str, docs: list[tuple[int, Doc]], published: str | None) -> list[DatedEvent]:
    """Dated expressions of one article, resolved against ``published`` (ISO date or None).

    ``docs`` are the article's paragraphs processed by spaCy with their start offsets in
    ``text``; event and sentence offsets are into ``text``.
    """
    base = _parse_published(published)
    events: list[DatedEvent] = []
    for offset, doc in docs:
        events.extend(_iter_events(doc, offset, base))
    events.sort(key=lambda ev: ev.start)
    return events
