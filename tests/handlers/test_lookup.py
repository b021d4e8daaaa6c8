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


def test_chunked_scoring_answers_as_one_rapidfuzz_call_would():
    """best_matches scores 2,000 choices per call (the interpreter lock is not held for long);
    its answer, equal scores across chunks included, is process.extract's."""
    from rapidfuzz import fuzz, process

    from handlers.lookup import best_matches

    names = [name for name, _, _ in ROWS] * 3  # every name in each of several chunks
    titles = {1000 + i: name for i, name in enumerate(names)}
    for query in ("Prigozin", "Thatcher", "Person17 Name17", "zzzz", ""):
        for limit, cutoff in ((1, 75), (3, 50), (10, 0)):
            assert best_matches(query, names, limit=limit, cutoff=cutoff) == process.extract(
                query, names, scorer=fuzz.WRatio, limit=limit, score_cutoff=cutoff)
            assert best_matches(query, titles, scorer=fuzz.ratio, limit=limit, cutoff=cutoff) == process.extract(
                query, titles, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
