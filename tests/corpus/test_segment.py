from __future__ import annotations

import hashlib

import pytest

from corpus.clean import clean_document
from corpus.segment import is_heading, normalize_for_hash, segment, sentence_hash, split_sentences
from corpus.sources import document_from_text, iter_documents

from .conftest import EVAL_ARTICLES


def _assert_spans_round_trip(text: str) -> None:
    paragraphs, sentences = segment(text)
    assert sentences, "every non-empty text has at least one sentence"
    for s in sentences:
        assert text[s.start:s.end] == s.text
        assert s.text == s.text.strip()
        p = paragraphs[s.paragraph]
        assert p.start <= s.start and s.end <= p.end
    assert [s.index for s in sentences] == list(range(len(sentences)))
    assert [s.paragraph for s in sentences] == sorted(s.paragraph for s in sentences)
    for p in paragraphs:
        assert "\n\n" not in text[p.start:p.end]


def test_offsets_round_trip_on_every_cleaned_seed(seed_paths):
    for path in seed_paths:
        doc = clean_document(document_from_text(path.read_text(encoding="utf-8"), str(path)))
        _assert_spans_round_trip(doc.text)


def test_offsets_round_trip_on_the_eval_articles():
    if not EVAL_ARTICLES.exists():
        pytest.skip(f"{EVAL_ARTICLES} is not available")
    docs = [d for d in iter_documents(EVAL_ARTICLES, max_bytes=1 << 20) if hasattr(d, "text")]
    assert len(docs) == 16
    for d in docs:
        _assert_spans_round_trip(clean_document(d).text)


def test_offsets_round_trip_on_raw_text_with_odd_spacing():
    text = "  First para.  Still first.\n\n\n   Second one!\nWrapped line here.  \n\n"
    paragraphs, sentences = segment(text)
    assert len(paragraphs) == 2
    assert [s.text for s in sentences] == ["First para.", "Still first.", "Second one!", "Wrapped line here."]
    assert [s.paragraph for s in sentences] == [0, 0, 1, 1]
    _assert_spans_round_trip(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Smith met Dr. Jones and Gen. Milley in St. Petersburg on Monday.",
        "The U.S. Army and the U.K. government met Col. Ivanov at 5 p.m. Friday.",
        "Russia began its invasion on Feb. 24, 2022, and the talks resumed on Jan. 5 in Minsk.",
        "He lives at No. 10 Downing Street with his family.",
        "John F. Kennedy and A. Wess Mitchell were both named in the report.",
        "Prices rose 5.9 percent to 1.25 dlrs, a 0.5 point gain.",
        "“Spain is ready…to deal with our allies in any way necessary,” Robles said.",
        "“Today we set out new visions … Our friendship is unbreakable,” Xi said.",
        "“Is it over?” Putin asked the room.",
    ],
)
def test_abbreviations_initials_decimals_and_ellipses_do_not_split(text):
    assert split_sentences(text) == [text]


def test_sentence_ends_after_an_abbreviation_when_a_new_sentence_clearly_starts():
    assert split_sentences("It was the biggest aid package from the U.S. The Kremlin objected.") == [
        "It was the biggest aid package from the U.S.",
        "The Kremlin objected.",
    ]
    assert split_sentences("The meeting ended at 5 p.m. He left at once.") == [
        "The meeting ended at 5 p.m.",
        "He left at once.",
    ]


def test_closing_quotes_question_and_exclamation_marks_end_sentences():
    text = (
        "He called it “a flight, not a regrouping.” He complained. "
        "Is Avdiivka next? Nobody knows! “The most cruel!” Lukashenko added."
    )
    assert split_sentences(text) == [
        "He called it “a flight, not a regrouping.”",
        "He complained.",
        "Is Avdiivka next?",
        "Nobody knows!",
        "“The most cruel!” Lukashenko added.",
    ]


def test_dash_led_dialogue_starts_its_own_sentence():
    text = (
        "The fighting is described as a zombie movie by soldiers. – The rifles got so hot that they "
        "had to be replaced regularly, soldier Andriy tells CNN. Poorly trained soldiers climb over corpses."
    )
    assert split_sentences(text) == [
        "The fighting is described as a zombie movie by soldiers.",
        "– The rifles got so hot that they had to be replaced regularly, soldier Andriy tells CNN.",
        "Poorly trained soldiers climb over corpses.",
    ]


def test_a_dash_inside_a_sentence_is_not_a_boundary():
    text = "Ukraine said that Avdiivka – a town roughly 90km to the south – may become a “second Bakhmut.”"
    assert split_sentences(text) == [text]


def test_headings_are_single_sentences_of_their_own_paragraph():
    text = (
        "What Wagner Is Saying\n\nEarlier in March, Prigozhin spoke. He asked for help.\n\n"
        "Is Avdiivka the Next Bakhmut?"
    )
    paragraphs, sentences = segment(text)
    assert [s.text for s in sentences] == [
        "What Wagner Is Saying",
        "Earlier in March, Prigozhin spoke.",
        "He asked for help.",
        "Is Avdiivka the Next Bakhmut?",
    ]
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2]
    assert is_heading("What Wagner Is Saying")
    assert is_heading("Is Avdiivka the Next Bakhmut?")
    assert not is_heading("Earlier in March, Prigozhin spoke. He asked for help.")
    assert not is_heading("The soldiers are tired.")


def test_the_seed_sentences_the_gold_files_cite_come_out_whole(gold_figures, seed_paths):
    by_name = {p.name: p for p in seed_paths}
    for g in gold_figures:
        cleaned = clean_document(document_from_text(by_name[g["file"]].read_text(encoding="utf-8"), g["file"]))
        _, sentences = segment(cleaned.text)
        wanted = " ".join(g["sentence"].replace("\xa0", " ").split())
        assert wanted in {" ".join(s.text.split()) for s in sentences}, wanted


def test_normalize_for_hash_ignores_quote_style_dashes_case_and_spacing():
    a = "Germany’s  “three-digit number” – 40,000 soldiers!"
    b = 'germany\'s "three-digit number" - 40000 soldiers'
    assert normalize_for_hash(a) == normalize_for_hash(b) == "germany s three digit number 40000 soldiers"
    assert normalize_for_hash("Prices rose 5.9 percent") != normalize_for_hash("Prices rose 59 percent")


def test_sentence_hash_is_a_stable_signed_64_bit_integer():
    h = sentence_hash("The BND believes the Ukrainian casualties will have severe consequences.")
    assert isinstance(h, int)
    assert -(2**63) <= h < 2**63
    assert h == sentence_hash("the BND believes the Ukrainian casualties will have severe consequences")
    assert h != sentence_hash("The BND believes the Russian casualties will have severe consequences.")
    # Stored hashes must survive restarts and upgrades: blake2b-64 of the normalised form.
    expected = int.from_bytes(hashlib.blake2b(b"hello world", digest_size=8).digest(), "big", signed=True)
    assert sentence_hash("Hello world.") == sentence_hash("hello   WORLD") == expected == -8681194425623006896
