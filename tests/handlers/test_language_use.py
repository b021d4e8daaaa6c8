"""The handlers read words, numbers and countries through the one language layer."""

from __future__ import annotations

from corpus.language import norm
from corpus.measure import party_key
from handlers.answering import (
    TextIndex,
    canonical_stem,
    content_words,
    country_forms,
    nationalities,
    noun_group,
    number_mentions,
    numbers_of,
    thing_similarity,
)
from handlers.compare import plan_topic
from handlers.lookup import NameIndex
from handlers.summary import _content_words, _coverage, _term_groups


def test_question_numbers_are_read_whole_and_model_numbers_skipped() -> None:
    assert numbers_of("Russia lost three hundred thousand soldiers") == [300_000]
    assert numbers_of("Germany will send 14 Leopard 2 tanks") == [14]
    assert numbers_of("How many F-16s and T-72 tanks?") == []
    assert numbers_of("Japan pledged $5.5 billion, about 40,000 each") == [5.5e9, 40_000]
    assert numbers_of("nine in ten Ukrainians") == [90]
    claim = "The US will send thirty-one Abrams"
    assert [claim[m.start : m.end] for m in number_mentions(claim)] == ["thirty-one"]


def test_stop_words_are_spacys_and_question_noise_stays_out() -> None:
    assert content_words("How many tanks did the Germans say they'd send, roughly?") == ["tanks", "Germans", "send"]
    assert content_words("Why isn't the grain deal working?") == ["grain", "deal", "working"]


def test_country_words_bring_every_form_of_their_country() -> None:
    assert {"Germany", "German", "Germans", "Berlin"} <= set(country_forms("German"))
    assert "U.S." in country_forms("US") and "American" in country_forms("Americans")
    assert not any(f.lower().startswith("the ") for f in country_forms("Kremlin"))
    # A capital asked about by name is the city: "the population of Kyiv" is not Ukraine's.
    assert country_forms("Kyiv", metonyms=False) == ()
    assert "Ukrainian" in country_forms("Ukraine", metonyms=False)
    assert country_forms("tanks") == ()


def test_nationalities_read_adjectives_names_and_capitals_but_not_the_pronoun() -> None:
    assert nationalities(["German", "troops"]) == nationalities(["Berlin"]) == {"Germany"}
    assert nationalities(["US"]) == nationalities(["Americans"]) == {"United States"}
    assert nationalities(["told", "us"]) == set()


def test_noun_groups_compare_by_key() -> None:
    assert "soldier" in noun_group("troops")
    assert canonical_stem("troops") == canonical_stem("soldiers") == canonical_stem("servicemen")
    assert canonical_stem("fatalities") == canonical_stem("killed") == canonical_stem("deaths")
    assert canonical_stem("refugees") == canonical_stem("displaced")


def test_thing_similarity_counts_shared_words_not_shared_letters() -> None:
    assert thing_similarity("Abrams tanks", "battle tanks") < 70
    assert thing_similarity("tanks", "Abrams tanks") == 100
    assert thing_similarity("Russian troops", "Russian soldiers") == 100


def test_text_index_meets_inflections_events_and_typos() -> None:
    idx = TextIndex.of("Thousands of Russian soldiers have died since the invasion began.")
    assert idx.has("soldier") and idx.has("dying") and idx.has("deaths")
    assert idx.has("invasions")
    assert idx.has("soldeirs")  # a typo still matches (words_match)
    assert not idx.has("tanks")


async def test_compare_topics_read_countries_as_parties_and_words_by_key(seed_ctx) -> None:
    plan = await plan_topic(seed_ctx, "Russian dead")
    assert (plan.parties, plan.words) == (["Russia"], ["dead"])
    assert (await plan_topic(seed_ctx, "Leopard tanks")).keys == [norm("leopard"), norm("tanks")]
    assert (await plan_topic(seed_ctx, "the price of a PSP")).kinds == ("money",)
    assert party_key("the U.S. government") == party_key("US") == party_key("Americans")
    assert party_key("German-led coalition") == party_key("Germany")


def test_summary_topic_coverage_by_key_and_name() -> None:
    groups = _term_groups("tanks sent", [])
    assert _coverage("Germany is sending a tank.", groups) == 1.0
    assert _coverage("Germany is sending aid.", groups) == 0.5
    assert _content_words("The tanks, the tank and he said so") == [norm("tanks"), norm("tank")]


def test_name_alternatives_come_in_the_same_order_whatever_the_set_order() -> None:
    """Which alternative of a name a search tries first must not depend on string hashing
    (seeded per process), or the same question gets different answers from run to run."""
    from handlers.answering.query import _entity_alts
    from handlers.lookup import EntityMatch

    forward = EntityMatch("Britain", "GPE", ("Britain", "United Kingdom", "Downing Street"), "Britain", 100.0)
    backward = EntityMatch("Britain", "GPE", ("Downing Street", "United Kingdom", "Britain"), "Britain", 100.0)
    alts = _entity_alts(forward)
    assert alts == _entity_alts(backward)
    # longest first, and equally long ones alphabetically
    assert [len(a) for a in alts] == sorted((len(a) for a in alts), reverse=True)
    same = [a for a in alts if len(a) == len("United Kingdom")]
    assert same == sorted(same) and len(same) >= 2
