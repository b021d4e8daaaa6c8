"""Quantities written in a text, and the words around one.

A question, a claim and a sentence are compared on the numbers they write, read whole
("three hundred thousand", "nine in ten") while digits that belong to a name ("F-16",
"Leopard 2") are left out. The words around a number say what it counts when the
extractor did not.
"""

from __future__ import annotations

import re

from corpus.extract import gazetteer
from corpus.extract.numbers import NumberMention, numbers_in

from .words import tokens

#: A digit glued to a word is part of a name ("F-16", "M88s", "COVID-19"), not a quantity.
_GLUED = re.compile(r"[\w.-]$")
#: The capitalised word right before a number, which may name a product ("Leopard 2").
_WORD_BEFORE = re.compile(r"(?<![\w-])([A-Z][\w-]*)\s$")


def _part_of_a_name(text: str, start: int) -> bool:
    """Whether the number at ``start`` belongs to a name: glued to a word, or following a
    product a domain pack lists ("Leopard 2 tanks", "Challenger 2")."""
    before = text[:start]
    if _GLUED.search(before):
        return True
    m = _WORD_BEFORE.search(before)
    return m is not None and gazetteer.is_product(m.group(1))


def number_mentions(text: str) -> list[NumberMention]:
    """The quantities written in a question, claim or sentence ("14", "40,000", "5.5 billion",
    "three hundred thousand", "nine in ten"), with where each is written."""
    return [n for n in numbers_in(text) if n.spelled or n.ratio or not _part_of_a_name(text, n.start)]


def numbers_of(text: str) -> list[float]:
    """The values of :func:`number_mentions`."""
    return [n.value for n in number_mentions(text)]


def same_number(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1.0)


def window(sentence: str, surface: str, before: int = 4, after: int = 7) -> list[str]:
    """The words around a number in its sentence: what it counts, when ``thing`` is missing."""
    i = sentence.find(surface)
    if i < 0:
        return tokens(sentence)
    left = tokens(sentence[:i])[-before:]
    right = tokens(sentence[i + len(surface):])[:after]
    return left + right
