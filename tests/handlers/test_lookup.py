"""Finding the alias group a typed name refers to (handlers.lookup.NameIndex)."""

from __future__ import annotations

from handlers.lookup import NameIndex

ROWS = [
    ("Ben Thatcher", "Ben Thatcher", "PERSON"),
    ("Margaret Thatcher", "Margaret Thatcher", "PERSON"),
    ("Thatcher", "Thatcher", "PERSON"),
    ("Yevgeny Prigozhin", "Yevgeny Prigozhin", "PERSON"),
    ("Prigozhin", "Yevgeny Prigozhin", "PERSON"),
    ("Oleksandr Syrskyi", "Oleksandr Syrskyi", "PERSON"),
    ("National Association of Realtors", "National Association of Realtors", "ORG"),
    # filler, so that a scan would have many names to go through
    *((f"Person{i} Name{i}", f"Person{i} Name{i}", "PERSON") for i in range(2000)),
]


def test_a_name_written_alone_keeps_its_own_group():
    """A bare surname in the articles is its own group, not whichever full name came first."""
    index = NameIndex(ROWS)
    assert index.best("Thatcher").canonical == "Thatcher"
    assert index.best("Syrskyi").canonical == "Oleksandr Syrskyi"  # no bare form: the surname reaches it


def test_a_misspelt_name_is_found_through_its_words():
    index = NameIndex(ROWS)
    match = index.best("Prigozin")
    assert match.canonical == "Yevgeny Prigozhin" and 75 <= match.score < 100
    assert index.best("Yevgeni Prigozhin").canonical == "Yevgeny Prigozhin"


def test_a_word_that_shares_no_letter_block_with_a_name_finds_nothing():
    index = NameIndex(ROWS)
    assert index.best("zzzz qqqq") is None
    assert index.best("Бахмут 💥 ｔａｎｋｓ") is None


def test_an_exact_name_ignores_case_spacing_and_apostrophes_but_never_guesses():
    """What the answer's parties use to tell whether two names are one entity."""
    index = NameIndex([*ROWS, ("O'Brien", "O'Brien", "PERSON")])
    assert index.exact("  yevgeny   PRIGOZHIN. ") == "Yevgeny Prigozhin"
    assert index.exact("O’Brien") == "O'Brien"
    assert index.exact("Prigozin") is None  # a misspelling is best()'s, not exact()'s
