"""Typed records that cross the corpus boundary.

Everything the store returns and everything the extractors produce is one of these
dataclasses, so handlers never see SQLite rows and every fact carries its provenance:
the article it came from and a character span into that article's cleaned text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --------------------------------------------------------------------------- ingest


@dataclass(slots=True)
class RawDocument:
    """One item as read from a source, before cleaning.

    ``meta`` holds metadata the source itself supplied (a header block, JSON fields,
    HTML metadata); cleaning may add to it from the text but never overrides it.
    """

    text: str
    source: str  # path, URL, "pasted", or "file.jsonl.gz#<id>"
    meta: dict[str, str | None] = field(default_factory=dict)  # title/outlet/author/date/url/source_id
    is_html: bool = False


@dataclass(slots=True)
class CleanedDocument:
    """Article text after boilerplate removal, with the metadata recovered from it."""

    text: str  # paragraphs separated by a blank line ("\n\n")
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    published: str | None = None  # ISO date YYYY-MM-DD
    published_inferred: bool = False
    url: str | None = None
    dropped: list[str] = field(default_factory=list)  # boilerplate lines removed (for previews/debug)


@dataclass(slots=True, frozen=True)
class TextSpan:
    start: int
    end: int


@dataclass(slots=True, frozen=True)
class SentenceSpan:
    """A sentence of the cleaned text: offsets are into the article text."""

    paragraph: int
    index: int
    start: int
    end: int
    text: str


# --------------------------------------------------------------------------- facts

QUALIFIERS = (
    "exact",
    "approx",
    "range",
    "at_least",
    "more_than",
    "upper_bound",
    "less_than",
    "vague_magnitude",
    "estimate",
)

#: What kind of quantity a figure is, derived from its unit and the words that govern it,
#: never from one story's vocabulary: a seat count, a job cut and a casualty toll are all
#: ``count``s; what they count is in ``thing_head``/``event``/``party``.
KINDS = (
    "count",  # a number of things: seats, jobs, tanks, goals, people
    "money",
    "percent",  # a level written in per cent or percentage points
    "change",  # a rise or fall by an amount ("profits rose 12%", "shares fell 5p")
    "rate",  # a count per period ("100 soldiers a day", "daily")
    "population",
    "distance",
    "area",
    "duration",
    "age",
    "mass",
    "volume",
    "speed",
    "power",
    "temperature",
    "score",  # a match result ("won 3-1")
)


@dataclass(slots=True)
class Figure:
    """A quantity a reader could ask about: its value, what it counts, the event it measures,
    whose it is, who claims it and when.

    Two figures are on the same measure when :func:`corpus.measure.same_measure` says so;
    every command asks that one function."""

    start: int  # span of the number expression in the article text
    end: int
    surface: str  # text[start:end], e.g. "between 40,000 and 60,000", "three-digit number"
    low: float | None
    high: float | None
    qualifier: str  # one of QUALIFIERS
    unit: str | None = None  # normalized unit: "km", "%", "USD", "day"...; None for plain counts
    unit_original: str | None = None  # unit as written: "miles", "dollars"
    thing: str | None = None  # what is counted, as written: "Abrams tanks", "Conservative seats"
    kind: str = "count"  # one of KINDS
    thing_head: str | None = None  # language key of the counted noun: "tank", "seat", "job"
    event: str | None = None  # language key(s) of the governing verb or noun: "win", "kill wound"
    party: str | None = None  # whose figure it is: "Labour", "Russia", "the firm"
    claimant: str | None = None  # who says so: "British intelligence"
    time_scope: str | None = None  # "daily", "since the war began"


@dataclass(slots=True)
class Quote:
    """A direct quote and who said it."""

    start: int  # span of the quoted words (without the quote marks)
    end: int
    text: str
    speaker: str | None  # fullest form in the article: "Yevgeny Prigozhin"
    speaker_as_written: str | None = None  # "he", "Prigozhin", "said Bukkvoll"
    speaker_role: str | None = None  # "Wagner chief"
    attribution: str = "none"  # explicit | pronoun | context | none


@dataclass(slots=True)
class Mention:
    """A named entity mention with its (corrected) type."""

    start: int
    end: int
    text: str
    label: str  # PERSON, ORG, GPE, LOC, NORP


@dataclass(slots=True)
class DatedEvent:
    """A date expression resolved against the article's published date."""

    start: int  # span of the date expression
    end: int
    surface: str  # "Friday", "January 25", "this week"
    date: str  # ISO YYYY-MM-DD (first day of the period for week/month precision)
    precision: str  # day | week | month | year | day-no-year | month-no-year (undated article)
    sentence_start: int  # the sentence it dates
    sentence_end: int


@dataclass(slots=True)
class ArticleFacts:
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    events: list[DatedEvent] = field(default_factory=list)
    #: Descriptions written next to a person ("Wagner chief"); they feed the alias index.
    roles: list[tuple[Mention, str]] = field(default_factory=list)


# --------------------------------------------------------------------------- store records


@dataclass(slots=True, frozen=True)
class ArticleSummary:
    id: int
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    published_inferred: bool
    url: str | None
    added_by: str
    added_at: str
    word_count: int


@dataclass(slots=True, frozen=True)
class Article:
    id: int
    title: str
    outlet: str | None
    author: str | None
    published: str | None
    published_inferred: bool
    url: str | None
    source: str
    source_id: str | None
    added_by: str
    added_at: str
    content_hash: str
    text: str
    word_count: int

    def summary(self) -> ArticleSummary:
        return ArticleSummary(
            self.id,
            self.title,
            self.outlet,
            self.author,
            self.published,
            self.published_inferred,
            self.url,
            self.added_by,
            self.added_at,
            self.word_count,
        )


@dataclass(slots=True, frozen=True)
class SentenceHit:
    """A sentence found by search, with the article metadata a citation needs."""

    sentence_id: int
    article_id: int
    index: int
    start: int
    end: int
    text: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    score: float  # bm25 (lower is better, as SQLite returns it)


@dataclass(slots=True, frozen=True)
class DuplicateMatch:
    article_id: int
    title: str
    exact: bool
    similarity: float  # share of sentences in common, 0..1


@dataclass(slots=True, frozen=True)
class IngestResult:
    """What happened to one ingested item."""

    source: str
    status: str  # added | duplicate | error
    message: str
    article_id: int | None = None
    title: str | None = None
    duplicate_of: int | None = None
    figures: int = 0
    quotes: int = 0
    outlet: str | None = None
    published: str | None = None


@dataclass(slots=True, frozen=True)
class Change:
    id: int
    at: str
    actor: str
    action: str
    article_id: int | None
    detail: str


@dataclass(slots=True, frozen=True)
class Feed:
    """An RSS/Atom feed the bot polls (times are UTC ISO strings)."""

    id: int
    url: str
    topic: str
    title: str | None
    added_by: str
    added_at: str
    interval_seconds: int
    etag: str | None
    last_modified: str | None
    next_poll_at: str
    last_poll_at: str | None
    last_success_at: str | None
    last_error: str | None
    failing_since: str | None  # the first failure of the current run of failures
    failures: int  # consecutive failed polls
    items_ingested: int
    polled: bool  # polled successfully at least once (the first poll takes only the newest items)


@dataclass(slots=True, frozen=True)
class Subscription:
    """A channel's digest subscription (times are UTC)."""

    id: int
    channel: str
    kind: str  # daily | weekly | new
    weekday: int | None
    at_time: str | None  # HH:MM
    topic: str
    created_by: str
    created_at: str
    last_slot: str | None
    marker: str | None
    paused: str | None = None  # why posting stopped (the channel is gone or closed to the bot)
    posted_at: str | None = None  # when the last digest went out


@dataclass(slots=True, frozen=True)
class FigureHit:
    """A stored figure with the sentence and article it came from."""

    id: int
    figure: Figure
    article: ArticleSummary
    sentence: str
    score: float = 0.0
    sentence_id: int | None = None  # for the sentences around it (``Store.neighbour_texts``)


@dataclass(slots=True, frozen=True)
class QuoteHit:
    id: int
    quote: Quote
    article: ArticleSummary
    sentence: str
    score: float = 0.0


@dataclass(slots=True, frozen=True)
class EventHit:
    event: DatedEvent
    article: ArticleSummary
    sentence: str


@dataclass(slots=True, frozen=True)
class EntityInfo:
    """An alias group as stored: canonical name, type, every surface form, mention counts."""

    canonical: str
    label: str
    names: tuple[str, ...]
    mentions: int
    articles: int
