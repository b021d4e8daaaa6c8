"""The one language layer: how every part of briefbot reads English words.

Extraction, the store's search and every command compare words the same way, so that a
question's "voted" meets an article's "votes" and two commands never disagree on whether
two phrases name the same thing. The pieces:

* :func:`norm` — the key a word is compared by: irregular forms mapped to their base
  form ("fled" → "flee", "men" → "man"), then the Porter stem. Porter is what SQLite's
  FTS5 ``porter`` tokenizer applies to the index, so a key made here is the key the index
  holds (PyStemmer's ``porter`` is the same algorithm).
* :data:`STOP_WORDS` — spaCy's English stop words, the one list.
* :func:`tokens` — the word tokenizer for short texts (questions, claims, topics).
* the role vocabulary (``roles.json``): :func:`is_role`, :func:`role_in`, :func:`same_role`.
* numbers and dates have their own modules (``corpus.extract.numbers``,
  ``corpus.extract.dates``); countries and demonyms live in the gazetteer
  (``corpus.extract.gazetteer``). This module re-exports what handlers need from them.

Language data lives in JSON files next to this module, never in the code.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer
from spacy.lang.en.stop_words import STOP_WORDS as _SPACY_STOP_WORDS

__all__ = [
    "STOP_WORDS",
    "content_norms",
    "event_key",
    "is_honorific",
    "is_role",
    "is_role_modifier",
    "lexicon",
    "norm",
    "norms",
    "role_in",
    "role_words",
    "same_role",
    "tokens",
]

_HERE = Path(__file__).parent

#: spaCy's English stop words (lower case), shared by search, ranking and extraction.
STOP_WORDS: frozenset[str] = frozenset(w.lower() for w in _SPACY_STOP_WORDS) | frozenset(
    {"’s", "'s", "n't", "’re", "'re"}
)

_TOKEN = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)
_POSSESSIVE = re.compile(r"[’']s?$")


def _load(name: str) -> dict:
    return json.loads((_HERE / name).read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    return dict(_load("irregular.json")["forms"])


_stemmer = Stemmer.Stemmer("porter")


@lru_cache(maxsize=131072)
def norm(word: str) -> str:
    """The comparison key of one word: base form of an irregular word, then its Porter stem.

    Hyphenated and dotted words are kept whole ("f-16" stays "f-16"); possessives are
    dropped ("Russia's" → "russia").
    """
    w = word.lower().replace("’", "'").strip(".'\"-")
    if w.endswith(("'s", "s'")) and len(w) > 3:
        w = w[:-2] if w.endswith("'s") else w[:-1]
    w = _irregular().get(w, w)
    if not w.isalpha():
        return w
    return _stemmer.stemWord(w)


@lru_cache(maxsize=1)
def _derivations() -> dict[str, str]:
    return dict(_load("irregular.json").get("derivations", {}))


@lru_cache(maxsize=32768)
def event_key(word: str) -> str:
    """The key of an event word: a noun that names a verb's event takes the verb's key
    ("loss" and "lost" -> "lose", "sales" and "sold" -> "sell"), everything else :func:`norm`.

    Only events are compared this way; search keys stay :func:`norm`, as the index has them.
    """
    low = word.lower()
    return norm(_derivations().get(low, low))


def tokens(text: str) -> list[str]:
    """Words of a short text, keeping hyphenated and dotted forms whole ("F-16s", "U.S.")."""
    return _TOKEN.findall(text)


def norms(text: str) -> list[str]:
    """:func:`norm` of every word of ``text``, in order."""
    return [norm(t) for t in _TOKEN.findall(text)]


def content_norms(text: str) -> list[str]:
    """Keys of the words of ``text`` that carry content (no stop words, no one-letter words)."""
    out = []
    for t in _TOKEN.findall(text):
        low = t.lower()
        if low in STOP_WORDS or len(low) < 2:
            continue
        out.append(norm(t))
    return out


def lexicon(words: str | Iterable[str]) -> frozenset[str]:
    """A word list as a set of keys, for membership tests by :func:`norm`.

    A string is split on whitespace, which keeps long lists readable in data files.
    """
    items = words.split() if isinstance(words, str) else words
    return frozenset(norm(w) for w in items)


# --------------------------------------------------------------------------- roles


@dataclass(frozen=True, slots=True)
class _Roles:
    words: frozenset[str]  # single role words and multi-word roles, lower case
    by_field: dict[str, frozenset[str]]
    keys: frozenset[str]  # norm() of single-word roles
    phrases: tuple[tuple[str, ...], ...]  # multi-word roles, longest first
    honorifics: frozenset[str]
    modifiers: frozenset[str]
    synonyms: dict[str, frozenset[str]]


@lru_cache(maxsize=1)
def _roles() -> _Roles:
    raw = _load("roles.json")
    by_field = {name: frozenset(w.lower() for w in words) for name, words in raw["roles"].items()}
    words = frozenset().union(*by_field.values())
    phrases = tuple(
        sorted((tuple(w.split()) for w in words if " " in w), key=len, reverse=True)
    )
    synonyms: dict[str, frozenset[str]] = {}
    for group in raw["synonyms"]:
        members = frozenset(g.lower() for g in group)
        for m in members:
            synonyms[m] = synonyms.get(m, frozenset()) | members
    return _Roles(
        words=words,
        by_field=by_field,
        keys=frozenset(norm(w) for w in words if " " not in w),
        phrases=phrases,
        honorifics=frozenset(h.lower() for h in raw["honorifics"]),
        modifiers=frozenset(m.lower() for m in raw["modifiers"]),
        synonyms=synonyms,
    )


def role_words() -> frozenset[str]:
    """Every role word and phrase, lower case ("manager", "chief executive", "striker")."""
    return _roles().words


def is_role(word: str) -> bool:
    """Whether a word or phrase names a role, in any inflection ("coaches", "Chief Executive")."""
    low = word.lower().strip()
    r = _roles()
    if low in r.words:
        return True
    if " " in low:
        return False
    return norm(low) in r.keys


def is_honorific(word: str) -> bool:
    """Mr, Mrs, Dr, Sir…: a sign that a name follows, not a role."""
    return word.lower() in _roles().honorifics


def is_role_modifier(word: str) -> bool:
    """A word that may sit inside a role phrase ("deputy", "foreign", "chief", "managing")."""
    return word.lower() in _roles().modifiers


def role_in(text: str) -> str | None:
    """The role a short description names, as written ("the club's new manager" → "manager").

    Multi-word roles win over their last word ("chief executive" over "executive").
    """
    words = [w.lower() for w in tokens(text)]
    r = _roles()
    for phrase in r.phrases:
        n = len(phrase)
        for i in range(len(words) - n + 1):
            if tuple(words[i : i + n]) == phrase:
                return " ".join(phrase)
    for w in reversed(words):
        if is_role(w):
            return w
    return None


def same_role(a: str, b: str) -> bool:
    """Whether two role words name the same job ("spokeswoman"/"spokesman", "boss"/"chief")."""
    la, lb = a.lower().strip(), b.lower().strip()
    if la == lb or norm(la) == norm(lb):
        return True
    r = _roles()
    return lb in r.synonyms.get(la, frozenset())
