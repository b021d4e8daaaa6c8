"""Words of a question, claim or sentence: tokens, the words that carry meaning, and the
forms a country is written in.

Everything else in the package compares texts word by word, so the one way of splitting a
text into words (the language layer's, without possessives), of dropping stop and question
words, and of telling two spellings of one word apart lives here, below every other module.
"""

from __future__ import annotations

from rapidfuzz import fuzz

from corpus.extract import gazetteer
from corpus.language import STOP_WORDS
from corpus.language import tokens as language_tokens
from corpus.language.memo import string_memo

#: Words that shape a question or a claim without being evidence that a sentence answers
#: it, beyond the stop words every part of briefbot drops (:data:`STOP_WORDS`).
QUESTION_NOISE = frozenset(
    """far long big large old approximately exactly roughly number numbers total figure figures
    know tell told said says according happen happened happens yes""".split()
)


def tokens(text: str) -> list[str]:
    """Words of a text as the language layer splits them, without possessives ("Russia's" → "Russia")."""
    return list(_tokens(text))


@string_memo(16384)
def _tokens(text: str) -> tuple[str, ...]:
    return tuple(t[:-2] if t.endswith(("'s", "’s")) else t for t in language_tokens(text))


def _is_stop(low: str) -> bool:
    """A stop word, contractions included ("don't", "they'd" are one token here)."""
    if low in STOP_WORDS:
        return True
    head, apostrophe, tail = low.replace("’", "'").partition("'")
    return bool(apostrophe) and (tail == "t" or (head in STOP_WORDS and "'" + tail in STOP_WORDS))


#: Second halves of hyphenated words that carry no topic of their own ("Munich-style").
_AFFIX_WORDS = frozenset("style like based related backed owned made linked led type wide long old year".split())


def content_words(text: str) -> list[str]:
    """The words that carry meaning, in order, without stop and question words."""
    out = []
    for t in tokens(text):
        low = t.lower()
        if _is_stop(low) or low in QUESTION_NOISE or len(low) < 2:
            continue
        out.append(t)
    return out


def words_match(a: str, b: str) -> bool:
    """Whether two stems are the same word give or take inflection or a typo."""
    if a == b:
        return True
    if len(a) >= 5 and len(b) >= 5 and a[:3] == b[:3]:
        return fuzz.ratio(a, b) >= 85
    return False


def country_forms(word: str, *, metonyms: bool = True) -> tuple[str, ...]:
    """Every way a sentence may name the country ``word`` names (name, variants, demonyms,
    capital): a question says "Germany", a sentence "German". Empty for other words.

    ``metonyms=False`` leaves out a capital or seat of government asked about by name:
    "the population of Kyiv" is about the city, not Ukraine.
    """
    forms = gazetteer.country_forms(word)
    if not forms:
        return ()
    if not metonyms and gazetteer.demonym(word) is None:
        place = gazetteer.place(word)
        if place is None or place[0] != forms[0]:
            return ()
    return tuple(f for f in forms if not f.lower().startswith("the "))


def _country_fts(word: str, forms: tuple[str, ...]) -> tuple[str, ...]:
    """The few spellings of a country worth a full-text search: the word asked, the name,
    and one-word forms (every variant would swamp an OR query)."""
    keep = [word, *forms[:1], *(f for f in forms[1:] if " " not in f)]
    return tuple(dict.fromkeys(keep))[:8]
