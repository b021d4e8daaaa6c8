"""Shared machinery of ``ask`` and ``source``: reading a question, matching it to facts.

Both commands must answer only from what an indexed sentence says, so everything here is
about *finding* and *ranking* stored facts — never composing new ones. Questions arrive
with typos and name variants, so query words are corrected against the corpus's own
vocabulary before full-text search; search terms are chosen by rarity so that an OR query
stays cheap on a large corpus; and candidates are re-ranked in Python with a weighted
word coverage that tolerates inflection ("withdraw"/"withdrawn", "Germany"/"German").

The modules, from the bottom up: :mod:`.words` (tokens and content words),
:mod:`.vocabulary` (the corpus's words and their rarity), :mod:`.numbers` (quantities
written in a text), :mod:`.query` (a question read into weighted terms), :mod:`.matching`
(term coverage and sentence ranking), :mod:`.figures` (what a figure counts and its event),
:mod:`.parties` (whose a figure is) and :mod:`.render` (lines, citations, nearest facts).
Everything is importable from ``handlers.answering`` itself.
"""

from __future__ import annotations

from .figures import (
    NOUN_GROUP_KEYS,
    NOUN_GROUPS,
    canonical_stem,
    dedupe_figures,
    event_keys,
    figure_events,
    known_event,
    noun_group,
    result_events,
    same_measure_hits,
    thing_similarity,
)
from .matching import CONTEXT_CREDIT, RankedSentence, TextIndex, coverage, ranked_sentences, sentence_contexts
from .numbers import number_mentions, numbers_of, same_number, window
from .parties import countries_in, name_test, names_in, nationalities, parties_named, party_fits
from .query import Query, Term, _entity_alts, analyse
from .render import (
    Closest,
    closest_facts,
    figure_citation,
    figure_line,
    figure_record,
    quoted,
    sentence_citation,
    source_label,
    source_label_hit,
    value_text,
)
from .vocabulary import Vocabulary, vocabulary
from .words import QUESTION_NOISE, content_words, country_forms, tokens, words_match

__all__ = [
    "CONTEXT_CREDIT",
    "NOUN_GROUPS",
    "NOUN_GROUP_KEYS",
    "QUESTION_NOISE",
    "Closest",
    "Query",
    "RankedSentence",
    "Term",
    "TextIndex",
    "Vocabulary",
    "_entity_alts",
    "analyse",
    "canonical_stem",
    "closest_facts",
    "content_words",
    "countries_in",
    "country_forms",
    "coverage",
    "dedupe_figures",
    "event_keys",
    "figure_citation",
    "figure_events",
    "figure_line",
    "figure_record",
    "known_event",
    "name_test",
    "names_in",
    "nationalities",
    "noun_group",
    "number_mentions",
    "numbers_of",
    "parties_named",
    "party_fits",
    "quoted",
    "ranked_sentences",
    "result_events",
    "same_measure_hits",
    "same_number",
    "sentence_citation",
    "sentence_contexts",
    "source_label",
    "source_label_hit",
    "thing_similarity",
    "tokens",
    "value_text",
    "vocabulary",
    "window",
    "words_match",
]
