"""``quotes PERSON``: what someone said, across spellings and across articles.

A quote is stored under the fullest form of the speaker's name in its article
("Yevgeniy Prigozhin" in one, "Yevgeny Prigozhin" in another), so a name typed by a
person is first resolved to its alias group and then matched against every stored
speaker by full name and by surname. The cited passage is the quote itself; when it says
only "he said", the sentence naming the speaker is cited too, so the name is never an
unsupported claim.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from corpus.boilerplate import looks_like_boilerplate
from corpus.language import longest_first
from corpus.models import ArticleSummary, QuoteHit, SentenceHit

from . import cite
from .context import Context, per_generation
from .lookup import EntityMatch, NameIndex, name_index
from .registry import Arg, command
from .types import Citation, Field, Reply, Request

_TOKEN = re.compile(r"[\w’'-]+", re.UNICODE)


def norm_name(name: str) -> str:
    """Lower case, straight apostrophes, no possessive, single spaces."""
    s = name.replace("’", "'").strip(" .,'\"“”")
    s = s[:-2] if s.endswith("'s") else s
    return " ".join(s.split()).lower()


def _tokens(name: str) -> list[str]:
    return [t for t in (x.strip("'’-").lower() for x in _TOKEN.findall(name.replace("’", "'"))) if t]


def _plausible(query: str, match: EntityMatch) -> bool:
    """Guard against a lenient fuzzy match ("Angela Merkel" → some short surname).

    The index's WRatio scorer rewards partial overlaps; a person asking for a name expects
    at least one of its words to be a near spelling of a word of the matched names.
    """
    if match.score >= 100:
        return True
    qtokens = [t for t in _tokens(query) if len(t) >= 3]
    ntokens = {t for n in match.names for t in _tokens(n) if len(t) >= 3}
    if not qtokens or not ntokens:
        return False
    best = max(fuzz.ratio(q, n) for q in qtokens for n in ntokens)
    return best >= 80


async def resolve_entity(ctx: Context, name: str) -> tuple[EntityMatch | None, NameIndex]:
    """The alias group a typed name refers to, or None when nothing is close enough."""
    index = await name_index(ctx)
    # a fuzzy scan of every name (45k at 20k articles) is ~100 ms of CPU: off the event loop
    match = await asyncio.to_thread(index.best, name)
    if match is not None and not _plausible(name, match):
        match = None
    return match, index


def suggestions(index: NameIndex, name: str, *, label: str | None = None, limit: int = 3) -> list[str]:
    """Canonical names a person may have meant, best first."""
    key = norm_name(name)
    if not key or not index.keys:
        return []
    qtokens = [t for t in _tokens(name) if len(t) >= 3]
    out: list[str] = []
    candidates = index.keys_starting(key[0])
    for hit, _score, _ in process.extract(key, candidates, scorer=fuzz.WRatio, limit=25, score_cutoff=60):
        canonical = index.by_norm[hit]
        if label and index.labels.get(canonical) != label:
            continue
        htokens = [t for t in _tokens(hit) if len(t) >= 3]
        if not qtokens or not htokens or max(fuzz.ratio(q, h) for q in qtokens for h in htokens) < 70:
            continue  # shares no word, not even a misspelt one
        if canonical not in out:
            out.append(canonical)
        if len(out) >= limit:
            break
    return out


class SpeakerIndex:
    """Every stored speaker string, normalised once per corpus generation.

    Looking a person up then costs dictionary hits plus a fuzzy pass over distinct
    surnames, instead of normalising every speaker of the corpus on each request.
    """

    def __init__(self, speakers: list[tuple[str, int]]) -> None:
        self.speakers = speakers
        by_norm: dict[str, list[str]] = {}
        by_last: dict[str, list[str]] = {}
        for speaker, _count in speakers:
            by_norm.setdefault(norm_name(speaker), []).append(speaker)
            toks = _tokens(speaker)
            if toks:
                by_last.setdefault(toks[-1], []).append(speaker)
        # tuples of strings leave the garbage collector's walks (see TitleIndex)
        self.by_norm: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in by_norm.items()}
        self.by_last: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in by_last.items()}
        self.lasts = [t for t in self.by_last if len(t) >= 5]


async def speaker_index(ctx: Context) -> SpeakerIndex:
    async def build() -> SpeakerIndex:
        speakers = await ctx.corpus.reader.quote_speakers()
        return await asyncio.to_thread(SpeakerIndex, speakers)

    return await per_generation(ctx, "quote_speakers", build)


def _surnames(match: EntityMatch) -> set[str]:
    if match.label != "PERSON":
        return set()
    out = set()
    for n in (*match.names, match.canonical):
        toks = _tokens(n)
        if len(toks) >= 1 and len(toks[-1]) >= 3:
            out.add(toks[-1])
    return out


def speakers_for(match: EntityMatch, index: SpeakerIndex) -> list[str]:
    """Stored speaker strings that name this alias group: full names, then surnames.

    Transliterations differ in a letter or two (Zelenskiy, Zelenskyy, Zelensky), so a
    surname also matches at a high fuzzy ratio.
    """
    found: set[str] = set()
    for n in (*match.names, match.canonical):
        found.update(index.by_norm.get(norm_name(n), ()))
    for surname in _surnames(match):
        found.update(index.by_last.get(surname, ()))
        if len(surname) >= 5:
            for last, _score, _ in process.extract(
                surname, index.lasts, scorer=fuzz.ratio, score_cutoff=88, limit=None
            ):
                found.update(index.by_last[last])
    return [speaker for speaker, _count in index.speakers if speaker in found]


def name_words(match: EntityMatch) -> list[str]:
    """Strings whose presence in a sentence shows it names the entity (longest first)."""
    words = {n for n in (*match.names, match.canonical) if len(n) >= 3}
    words |= {s for s in _surnames(match)}
    return sorted(words, key=longest_first)


def _names_in(text: str, words: list[str]) -> bool:
    low = text.lower()
    return any(re.search(r"\b" + re.escape(w.lower()) + r"\b", low) for w in words)


def passage(sentences: list[SentenceHit], start: int, end: int) -> list[SentenceHit]:
    """The sentences of an article that a character span touches."""
    return [s for s in sentences if s.start < end and s.end > start] or [
        s for s in sentences if s.start <= start < s.end + 2
    ]


def attribution_sentence(
    sentences: list[SentenceHit], around: list[SentenceHit], words: list[str], *, reach: int = 4
) -> SentenceHit | None:
    """The nearest sentence naming the speaker, preferring the ones just before the quote."""
    if not around or not words:
        return None
    first, last = around[0].index, around[-1].index
    by_index = {s.index: s for s in sentences}
    for step in range(1, reach + 1):
        for idx in (first - step, last + step):
            s = by_index.get(idx)
            if s is not None and _names_in(s.text, words):
                return s
    return None


def passage_citation(article: ArticleSummary, sentences: list[SentenceHit]) -> Citation:
    return cite.from_article(article, " ".join(s.text for s in sentences))


@dataclass(slots=True)
class CitedQuote:
    """A quote with the citations that support both its words and its speaker."""

    hit: QuoteHit
    citations: list[Citation]


async def cite_quotes(ctx: Context, hits: list[QuoteHit], match: EntityMatch | None) -> list[CitedQuote]:
    """Attach the quote passage and, where the passage does not name the speaker, the sentence that does."""
    store = ctx.corpus.store
    cache: dict[int, list[SentenceHit]] = {}
    out = []
    for h in hits:
        aid = h.article.id
        if aid not in cache:
            cache[aid] = await store.sentences(aid)
        sentences = cache[aid]
        around = passage(sentences, h.quote.start, h.quote.end)
        citations = [passage_citation(h.article, around)] if around else [cite.from_article(h.article, h.sentence)]
        words = name_words(match) if match else ([h.quote.speaker] if h.quote.speaker else [])
        if h.quote.speaker and h.quote.speaker not in words:
            words = [h.quote.speaker, *words]
        if words and not _names_in(citations[0].sentence, words):
            named = attribution_sentence(sentences, around, words)
            if named is not None:
                citations.append(cite.from_hit(named))
        out.append(CitedQuote(h, citations))
    return out


async def quotes_of(ctx: Context, match: EntityMatch, limit: int = 50) -> list[QuoteHit]:
    """Every stored quote by this alias group, newest article first."""
    speakers = speakers_for(match, await speaker_index(ctx))
    if not speakers:
        return []
    return await ctx.corpus.store.quotes_by_speakers(speakers, limit=limit)


def quote_heading(h: QuoteHit) -> str:
    who = h.quote.speaker or "unattributed"
    if h.quote.speaker_role:
        who += f" ({h.quote.speaker_role})"
    date = h.article.published or "undated"
    return f"{who} — {h.article.outlet or h.article.title}, {date} [{h.article.id}]"


def quote_text(h: QuoteHit, limit: int = 900) -> str:
    text = h.quote.text if len(h.quote.text) <= limit else h.quote.text[: limit - 1].rstrip() + "…"
    return f"“{text}”"


@command(
    "quotes",
    "What a person said, newest first, across spellings of their name.",
    args=(Arg("person", "a person's name (typos and other spellings are fine)", autocomplete="entity"),),
    example="quotes Prigozhin",
)
async def quotes_command(ctx: Context, req: Request) -> Reply:
    name = str(req.args["person"]).strip()
    match, index = await resolve_entity(ctx, name)
    if match is None:
        maybe = await asyncio.to_thread(
            lambda: suggestions(index, name, label="PERSON") or suggestions(index, name)
        )
        text = f"No quotes from {name!r}: no indexed article names anyone by that name."
        if maybe:
            text += " Did you mean: " + ", ".join(maybe) + "?"
        return Reply("quotes", False, text, title=f"quotes: {name}", data={"suggestions": maybe})
    hits = await quotes_of(ctx, match)
    if not hits:
        info = await ctx.corpus.store.entity(match.canonical)
        close = await asyncio.to_thread(suggestions, index, name, label="PERSON", limit=5)
        others = [s for s in close if s != match.canonical]
        text = f"No quotes from {match.canonical} in the indexed articles."
        citations: list[Citation] = []
        if info is not None and info.mentions:
            text += f" The name appears {info.mentions} time(s) in {info.articles} article(s) without a direct quote."
            mentions = await ctx.corpus.store.entity_mentions(list(info.names), limit=20)
            readable = [h for h in mentions if not looks_like_boilerplate(h.text, h.title)] or mentions
            citations = [cite.from_hit(h) for h in readable[:1]]
        if others:
            text += " Did you mean: " + ", ".join(others[:3]) + "?"
        return Reply(
            "quotes", False, text, title=f"quotes: {match.canonical}", citations=citations,
            data={"entity": match.canonical, "suggestions": others[:3]},
        )
    shown = hits[: ctx.max_results]
    cited = await cite_quotes(ctx, shown, match)
    articles = len({h.article.id for h in hits})
    more = f" Showing the newest {len(shown)}." if len(hits) > len(shown) else ""
    fields = [Field(quote_heading(c.hit), quote_text(c.hit)) for c in cited]
    citations = cite.dedupe([c for q in cited for c in q.citations])
    alias_note = ""
    spoken_as = sorted({h.quote.speaker for h in hits if h.quote.speaker and h.quote.speaker != match.canonical})
    if spoken_as:
        alias_note = " Named in the articles as " + ", ".join(spoken_as) + "."
    return Reply(
        "quotes",
        True,
        f"{len(hits)} quote(s) from {match.canonical} in {articles} article(s), newest first.{more}{alias_note}",
        title=f"quotes: {match.canonical}",
        fields=fields,
        citations=citations,
        data={
            "entity": match.canonical,
            "matched": match.matched,
            "quotes": [
                {"speaker": h.quote.speaker, "role": h.quote.speaker_role, "text": h.quote.text,
                 "article_id": h.article.id, "published": h.article.published}
                for h in hits
            ],
        },
    )
