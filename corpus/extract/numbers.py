"""Lexical number reading: digits, number words, scale words, vague amounts and units.

These helpers see only lower-cased token texts, never a parse, so the rules about what a
number *means* (a count, a distance, a year, a model name) stay in ``figures.py`` and the
arithmetic here can be tested on plain word lists.  Everything is table-driven and compiled
once at import: the figure extractor runs over every paragraph of large corpora.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

# --------------------------------------------------------------------------- number words

SMALL: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19,
}  # fmt: skip
TENS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
    "eighty": 80, "ninety": 90,
}  # fmt: skip
# Scale words that multiply what precedes them.  The newswire abbreviations (mln, bln) are
# the Reuters house style; "m"/"bn" the British one ("£3m", "$2bn").
SCALES: dict[str, float] = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "k": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "mio": 1e6, "bn": 1e9, "bln": 1e9,
    "b": 1e9, "tn": 1e12, "trn": 1e12, "tln": 1e12,
}  # fmt: skip
# Abbreviated scales that only count when they follow digits ("3m", "2 bn"), never alone.
DIGIT_ONLY_SCALES = frozenset({"k", "m", "mn", "mln", "mio", "bn", "bln", "b", "tn", "trn", "tln"})
WORD_SCALES = frozenset({"thousand", "million", "billion", "trillion"})

# Vague plural magnitudes: (low, high) for the bare word.  "dozens" = 24-99 and
# "thousands" = 2,000-9,999 follow the dev gold's convention (at least two of the unit,
# fewer than the next order of magnitude).
VAGUE_PLURALS: dict[str, tuple[float, float]] = {
    "dozens": (24, 99),
    "scores": (40, 99),
    "tens": (20, 99),
    "hundreds": (200, 999),
    "thousands": (2_000, 9_999),
    "millions": (2_000_000, 9_999_999),
    "billions": (2_000_000_000, 9_999_999_999),
}
# The multiplier a vague plural stands for when it is itself counted ("hundreds *of thousands*").
VAGUE_SCALE: dict[str, float] = {
    "thousands": 1e3, "millions": 1e6, "billions": 1e9,
}  # fmt: skip
# "several hundred", "a few thousand": how many of the scale the determiner means.
VAGUE_DETERMINERS: dict[tuple[str, ...], tuple[int, int]] = {
    ("several",): (3, 9),
    ("a", "few"): (2, 5),
    ("few",): (2, 5),
    ("a", "couple", "of"): (2, 2),
    ("many",): (2, 9),
}
DIGIT_COUNT_WORDS: dict[str, int] = {"single": 1, "double": 2, "triple": 3}

FRACTION_RE = re.compile(r"^(\d{1,2})/(2|3|4|8|16|32|64)$")
DIGITS_RE = re.compile(r"^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
GLUED_RE = re.compile(r"^((?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)([a-z%²]+)$")


def digit_value(text: str) -> float | None:
    """Value of a token written in digits ("40,000", "1.5"), or None.

    Thousands separators must be well placed: "4,00" is not a number we trust.
    """
    if not DIGITS_RE.match(text):
        return None
    return float(text.replace(",", ""))


def fraction_value(text: str) -> float | None:
    """A proper fraction as newswires write them ("3/8", "1/2"), or None ("24/7", "9/11")."""
    m = FRACTION_RE.match(text)
    if not m or int(m.group(1)) >= int(m.group(2)):
        return None
    return int(m.group(1)) / int(m.group(2))


def split_glued(text: str) -> tuple[float, str] | None:
    """Split a digit token glued to a suffix ("1.2bn" -> (1.2, "bn")), lower-case input."""
    m = GLUED_RE.match(text)
    if not m:
        return None
    return float(m.group(1).replace(",", "")), m.group(2)


def word_value(word: str) -> int | None:
    """Value of a single number word ("fourteen", "ninety"), or None."""
    if word in SMALL:
        return SMALL[word]
    return TENS.get(word)


@dataclass(slots=True, frozen=True)
class Cardinal:
    """A cardinal read from a run of tokens: ``end`` is exclusive."""

    value: float
    end: int
    spelled: bool  # written only in words ("fourteen", "one million")
    bare_one: bool  # just "one"/"a" with nothing else: usually a pronoun or article
    pending_suffix: str | None = None  # an unknown letters suffix glued to the digits


def read_cardinal(
    words: Sequence[str], start: int, glued_next: Sequence[bool], end: int | None = None
) -> Cardinal | None:
    """Read the cardinal starting at ``words[start]``.

    ``glued_next[i]`` tells whether token i touches token i+1 (no space), which is how
    "twenty-five" is told from a dash between two clauses.  Handles digits with separators
    and decimals, glued scales ("1.2bn"), number words with "and"/hyphens ("two hundred and
    fifty"), "a"/"half a" before a scale word, "dozen", and digit-word mixtures ("1.5 million").
    Reading stops at ``end`` (a sentence end).  Returns None when nothing numeric starts here.
    """
    n = len(words) if end is None else end
    i = start
    total = 0.0
    current = 0.0
    spelled = True
    seen = False
    last_kind = ""  # "digit" | "small" | "tens" | "hundred" | "scale" | "dozen"
    w = words[i]
    if w in ("a", "an") and i + 1 < n and (words[i + 1] in WORD_SCALES or words[i + 1] in ("hundred", "dozen")):
        current = 1.0
        i += 1
        seen = True
        last_kind = "article"
    elif w == "half" and i + 2 < n and words[i + 1] in ("a", "an") and words[i + 2] in WORD_SCALES:
        return Cardinal(0.5 * SCALES[words[i + 2]], i + 3, True, False)
    elif fraction_value(w) is not None:
        return Cardinal(fraction_value(w) or 0.0, i + 1, False, False)
    while i < n:
        w = words[i]
        if seen and w.isspace():
            i += 1  # newswire copy wraps lines inside amounts: "701\nmln dlrs"
            continue
        dv = digit_value(w)
        if dv is not None:
            if seen:
                break
            current = dv
            spelled = False
            seen = True
            last_kind = "digit"
            i += 1
            # "7-1/2 pct", "7 1/2 pct": a whole number and a fraction
            if dv == int(dv) and "." not in w and i < n:
                k = i + 1 if words[i] == "-" and glued_next[i - 1] and glued_next[i] else i
                frac = fraction_value(words[k]) if k < n else None
                if frac is not None:
                    current += frac
                    i = k + 1
            continue
        glued = split_glued(w) if not seen else None
        if glued is not None:
            value, suffix = glued
            if suffix == "m" and value >= 1000:
                return Cardinal(value, i + 1, False, False, pending_suffix="m")  # "10,000m": metres
            if suffix in SCALES:
                return Cardinal(value * SCALES[suffix], i + 1, False, False)
            return Cardinal(value, i + 1, False, False, pending_suffix=suffix)
        wv = word_value(w)
        if wv is not None:
            if last_kind == "digit":
                break
            if last_kind == "tens" and wv < 10 and wv > 0:
                current += wv
                last_kind = "small"
            elif last_kind in ("", "hundred", "scale", "and"):
                current += wv
                last_kind = "tens" if w in TENS else "small"
            else:
                break
            seen = True
            i += 1
            continue
        if w == "hundred" and seen and last_kind in ("small", "tens", "article", "digit"):
            current = (current or 1.0) * 100
            last_kind = "hundred"
            i += 1
            continue
        if w == "dozen" and seen and last_kind in ("small", "tens", "article", "digit"):
            current = (current or 1.0) * 12
            last_kind = "dozen"
            i += 1
            continue
        if w.endswith(".") and w[:-1] in DIGIT_ONLY_SCALES and last_kind == "digit":
            w = w[:-1]  # "$800m." at the end of a sentence
        if w in SCALES and seen and last_kind in ("small", "tens", "hundred", "article", "digit"):
            if w in DIGIT_ONLY_SCALES and last_kind != "digit":
                break
            if w == "m" and current >= 1000:
                break  # "10,000 m" is a distance; "£3 m" and "3 m people" are millions
            total += (current or 1.0) * SCALES[w]
            current = 0.0
            last_kind = "scale"
            i += 1
            continue
        if w == "-" and seen and last_kind == "tens" and glued_next[i - 1] and glued_next[i] and i + 1 < n:
            nv = word_value(words[i + 1])
            if nv is not None and 0 < nv < 10:
                i += 1
                continue
            break
        if w == "and" and seen and last_kind in ("hundred", "scale") and i + 1 < n:
            if word_value(words[i + 1]) is not None:
                last_kind = "and"
                i += 1
                continue
            break
        break
    while i > start and words[i - 1].isspace():
        i -= 1
    if not seen or last_kind in ("article", "and"):
        return None
    value = total + current
    bare_one = spelled and value == 1 and i - start == 1
    return Cardinal(value, i, spelled, bare_one)


# --------------------------------------------------------------------------- units


@dataclass(slots=True, frozen=True)
class Unit:
    """A unit as normalised for ``Figure.unit``; values are multiplied by ``factor``."""

    code: str
    factor: float
    dimension: str  # distance | area | mass | volume | speed | power | duration | percent | money | temperature


def _units(dimension: str, code: str, factor: float, *names: str) -> dict[tuple[str, ...], Unit]:
    unit = Unit(code, factor, dimension)
    return {tuple(name.split()): unit for name in names}


# Keys are lower-cased token sequences as spaCy splits them. Small lengths keep their own
# unit ("150mm of rain", "a 155mm shell", "3nm chips") rather than becoming tiny kilometres.
UNITS: dict[tuple[str, ...], Unit] = {
    **_units("distance", "km", 1.0, "km", "kms", "kilometre", "kilometres", "kilometer",
             "kilometers", "klicks"),
    **_units("distance", "km", 0.001, "metre", "metres", "meter", "meters", "m"),
    **_units("distance", "km", 1.609344, "mile", "miles", "mi"),
    **_units("distance", "km", 1.852, "nautical mile", "nautical miles", "nm"),
    **_units("distance", "km", 0.0003048, "foot", "feet", "ft"),
    **_units("distance", "km", 0.0009144, "yard", "yards", "yds"),
    **_units("distance", "mm", 1.0, "mm", "millimetre", "millimetres", "millimeter", "millimeters"),
    **_units("distance", "mm", 10.0, "cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    **_units("distance", "nm", 1.0, "nanometre", "nanometres", "nanometer", "nanometers"),
    **_units("temperature", "°C", 1.0, "°c", "degrees celsius", "degrees centigrade", "degree celsius",
             "celsius", "centigrade", "° c"),
    **_units("temperature", "°F", 1.0, "°f", "degrees fahrenheit", "degree fahrenheit", "fahrenheit", "° f"),
    **_units("area", "km2", 1.0, "km2", "km²", "sq km", "square km", "square kilometres",
             "square kilometers", "square kilometre", "square kilometer"),
    **_units("area", "km2", 2.589988, "sq miles", "square miles", "square mile", "sq mi"),
    **_units("area", "km2", 0.01, "hectares", "hectare", "ha"),
    **_units("area", "km2", 0.00404686, "acres", "acre"),
    **_units("mass", "t", 1.0, "tonnes", "tonne", "tons", "ton", "metric tons", "metric tonnes"),
    **_units("mass", "t", 0.001, "kg", "kgs", "kilograms", "kilogram", "kilos"),
    **_units("mass", "t", 0.000453592, "lbs", "lb"),
    **_units("mass", "oz", 1.0, "ounces", "ounce", "oz", "troy ounces"),
    **_units("volume", "barrel", 1.0, "barrels", "barrel", "bbl", "bbls"),
    **_units("volume", "l", 1.0, "litres", "litre", "liters", "liter"),
    **_units("volume", "l", 3.78541, "gallons", "gallon"),
    **_units("volume", "m3", 1.0, "cubic metres", "cubic meters", "cubic metre", "cubic meter"),
    **_units("speed", "km/h", 1.0, "km/h", "kph", "kmh"),
    **_units("speed", "km/h", 1.609344, "mph", "miles per hour"),
    **_units("power", "MW", 1.0, "megawatts", "megawatt", "mw"),
    **_units("power", "MW", 1000.0, "gigawatts", "gigawatt", "gw"),
    **_units("duration", "second", 1.0, "second", "seconds", "secs", "sec"),
    **_units("duration", "minute", 1.0, "minute", "minutes", "mins"),
    **_units("duration", "hour", 1.0, "hour", "hours", "hrs"),
    **_units("duration", "day", 1.0, "day", "days"),
    **_units("duration", "week", 1.0, "week", "weeks", "wks"),
    **_units("duration", "month", 1.0, "month", "months", "mths"),
    **_units("duration", "year", 1.0, "year", "years", "yrs"),
    **_units("duration", "year", 10.0, "decade", "decades"),
    **_units("duration", "year", 100.0, "century", "centuries"),
    **_units("percent", "%", 1.0, "%", "per cent", "percent", "pct", "p.c."),
    **_units("percent", "pp", 1.0, "percentage point", "percentage points", "pct points",
             "pct point"),
    **_units("percent", "bp", 1.0, "basis points", "basis point"),
    **_units("money", "USD", 1.0, "dollars", "dollar", "dlrs", "dlr", "usd"),
    **_units("money", "USD", 0.01, "cents", "cts", "ct"),
    **_units("money", "EUR", 1.0, "euros", "euro", "eur"),
    **_units("money", "GBP", 1.0, "pounds", "pound", "stg", "sterling", "gbp",
             "pounds sterling"),
    **_units("money", "GBP", 0.01, "pence", "penny", "p"),
    **_units("money", "RUB", 1.0, "roubles", "rouble", "rubles", "ruble", "rub"),
    **_units("money", "UAH", 1.0, "hryvnias", "hryvnia", "hryvnas", "hryvna", "uah"),
    **_units("money", "JPY", 1.0, "yen", "jpy"),
    **_units("money", "CNY", 1.0, "yuan", "renminbi", "cny"),
    **_units("money", "INR", 1.0, "rupees", "rupee", "inr"),
    **_units("money", "DEM", 1.0, "marks", "deutsche marks", "deutschmarks"),
    **_units("money", "CHF", 1.0, "swiss francs", "chf"),
    **_units("money", "FRF", 1.0, "french francs"),
    **_units("money", "franc", 1.0, "francs", "franc"),
    **_units("money", "ITL", 1.0, "lire", "lira"),
    **_units("money", "NLG", 1.0, "guilders", "guilder"),
}  # fmt: skip
MAX_UNIT_WORDS = max(len(key) for key in UNITS)

# Units written as the first half of a hyphenated adjective: "1,000-kilometer border",
# "11-month-old", "15-month period".  Singular forms only, as English writes them.
COMPOUND_UNITS: dict[str, Unit] = {
    key[0]: unit for key, unit in UNITS.items() if len(key) == 1 and unit.dimension != "percent"
}

# "dollars" is US unless an adjective says otherwise ("Canadian dlrs").
DOLLAR_COUNTRIES: dict[str, str] = {
    "canadian": "CAD", "australian": "AUD", "hong kong": "HKD", "new zealand": "NZD",
    "singapore": "SGD", "taiwan": "TWD", "u.s.": "USD", "us": "USD", "american": "USD",
}  # fmt: skip

# Currency signs and codes written before the number.
CURRENCY_PREFIXES: dict[str, str] = {
    "$": "USD", "us$": "USD", "usd": "USD", "£": "GBP", "gbp": "GBP", "€": "EUR", "eur": "EUR",
    "¥": "JPY", "₽": "RUB", "₴": "UAH", "c$": "CAD", "a$": "AUD", "hk$": "HKD", "rub": "RUB",
    "uah": "UAH", "chf": "CHF", "nz$": "NZD", "s$": "SGD",
}  # fmt: skip


def read_unit(words: Sequence[str], start: int, end: int | None = None) -> tuple[Unit, int] | None:
    """Longest unit name starting at ``words[start]`` and ending by ``end``; returns the unit
    and the index after it."""
    limit = len(words) if end is None else end
    for size in range(min(MAX_UNIT_WORDS, limit - start), 0, -1):
        unit = UNITS.get(tuple(words[start : start + size]))
        if unit is not None:
            return unit, start + size
    return None


def normalise(value: float, factor: float) -> float:
    """Apply a unit factor and round away float noise ("13 miles" -> 20.92 km)."""
    if factor == 1.0:
        return value
    converted = value * factor
    if abs(converted) >= 10:
        return round(converted, 2)
    return float(f"{converted:.4g}")


# --------------------------------------------------------------------------- numbers in free text


@dataclass(slots=True, frozen=True)
class NumberMention:
    """A number read from free text: ``text[start:end]`` is how it was written.

    ``ratio`` marks a share written as "nine in ten" / "1 in 5"; its ``value`` is the share
    in percent (90.0, 20.0), so it meets "90%" in a sentence.
    """

    value: float
    start: int
    end: int
    spelled: bool  # written only in words ("three hundred thousand", "a dozen")
    bare_one: bool = False  # just "one": usually a pronoun ("one of the tanks")
    ratio: bool = False


# Digits (with separators, decimals, a fraction or a glued suffix: "40,000", "5.5", "3/8",
# "3bn", "40%"), words, and any other single character.
_TEXT_TOKEN_RE = re.compile(
    r"\d+(?:[.,]\d+)*(?:/\d+|[^\W\d_]+|%|²)?|[^\W\d_]+(?:['’][^\W\d_]+)?|\S", re.UNICODE
)
_RATIO_LINKS: tuple[tuple[str, ...], ...] = (("in",), ("out", "of"), ("in", "every"))


def numbers_in(text: str) -> list[NumberMention]:
    """Every number written in a short free text (a question, a claim, a sentence), in order.

    Reads what :func:`read_cardinal` reads — digits with separators and decimals ("40,000",
    "5.5"), scales ("5.5 billion", "$3bn", "2 mln"), number words ("three hundred thousand",
    "twenty-five", "a dozen", "half a million") — over a plain regex tokenization, plus shares
    written "nine in ten" / "1 in 5" (not "3 in 10 days"). Reading is lexical only: whether "2" in "Leopard 2" is
    a quantity is for the caller to decide.
    """
    spans = [(m.start(), m.end()) for m in _TEXT_TOKEN_RE.finditer(text)]
    words = [text[s:e].lower().replace("’", "'") for s, e in spans]
    glued = [i + 1 < len(spans) and spans[i][1] == spans[i + 1][0] for i in range(len(spans))]
    out: list[NumberMention] = []
    i = 0
    while i < len(words):
        card = read_cardinal(words, i, glued)
        if card is None or card.end <= i:
            i += 1
            continue
        end = card.end
        ratio = None
        for link in _RATIO_LINKS:
            k = end + len(link)
            if tuple(words[end:k]) == link and k < len(words):
                of = read_cardinal(words, k, glued)
                if (
                    of is not None
                    and of.value > card.value > 0
                    and not of.bare_one
                    and (of.end >= len(words) or read_unit(words, of.end) is None)  # "3 in 10 days"
                ):
                    ratio = of
                    end = of.end
                    break
        if ratio is not None:
            out.append(NumberMention(100.0 * card.value / ratio.value, spans[i][0], spans[end - 1][1],
                                     card.spelled and ratio.spelled, ratio=True))
        else:
            out.append(NumberMention(card.value, spans[i][0], spans[end - 1][1], card.spelled, card.bare_one))
        i = end
    return out
