"""``summary``: an extractive briefing of one article, a topic, or the latest news.

Nothing here is written by the bot: every line of a summary is a sentence of an article,
quoted whole and cited, so a summary can never say more than its sources. The work is in
choosing sentences — lead position, figures and quotes, named people and places, a
readable length — and in refusing the captions, promos, bylines and glued headings that
survive cleaning and would otherwise look informative to a scorer.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from corpus.boilerplate import looks_like_boilerplate
from corpus.language import STOP_WORDS, norm
from corpus.measure import figure_weight, measure_label, same_measure
from corpus.models import ArticleFacts, ArticleSummary, FigureHit, QuoteHit, SentenceHit

from . import cite
from .compare import figure_wording
from .context import Context, per_generation
from .lookup import best_matches, name_index
from .quotes import cite_quotes
from .registry import Arg, command
from .types import Citation, Field, Reply, Request, UserError

# --------------------------------------------------------------------------- boilerplate

# A subheading glued to the sentence after it: "Lost the upper hand Since the war broke out, …".
_GLUED_HEADING = re.compile(
    r"^(?:\S+ ){1,7}?[a-z][\w’'-]* (?:Since|The|He|She|It|They|We|In|On|After|But|However|While|When|"
    r"Whether|This|That|These|Those|If|As|For|According|Despite)\b"
)
_DOUBLED_CAPITAL = re.compile(r"\b([A-Z][a-z]{2,}) \1\b")
_WORD = re.compile(r"[A-Za-z][\w’'-]*")
_PRONOUN_START = re.compile(r"^[“\"–—-]?\s*(?:He|She|They|It|This|That|These|Those|His|Her|Their)\b")

#: Reporting words every news sentence has; beside the stop words they say nothing of a subject.
_NEWS_NOISE = frozenset("said says told according new".split())


async def _empty_cache() -> dict:
    return {}


#: The most relevant articles whose key sentences a topic summary looks up (each costs a read
#: of the article's sentences the first time, per corpus generation).
KEY_SENTENCE_ARTICLES = 10
#: How much being one of its article's key sentences (:func:`pick_sentences`) adds to a
#: sentence's place in a topic summary.
KEY_SENTENCE_BONUS = 1.0


def _is_noise(word: str) -> bool:
    low = word.lower()
    return low in STOP_WORDS or low in _NEWS_NOISE


def _glued_heading(text: str) -> bool:
    return bool(_GLUED_HEADING.search(text) or _DOUBLED_CAPITAL.search(text))


# --------------------------------------------------------------------------- scoring


@dataclass(slots=True)
class _Scored:
    hit: SentenceHit
    score: float
    eligible: bool


def _content_words(text: str) -> list[str]:
    """Language keys of the words that carry content ("tanks" and "tank" are one)."""
    return [norm(w) for w in _WORD.findall(text) if len(w) > 2 and not _is_noise(w.strip("’'"))]


def _length_score(words: int) -> float:
    if words < 8:
        return -1.0
    if words < 12:
        return 0.4
    if words <= 40:
        return 1.0
    if words <= 60:
        return 0.4
    return -0.5


def _score_article(sentences: list[SentenceHit], facts: ArticleFacts | None, title: str) -> list[_Scored]:
    """Score every sentence of one article for a summary (higher is better)."""
    caption_before: set[int] = set()
    for i, s in enumerate(sentences):
        if re.match(r"^\W*photo\b", s.text, re.IGNORECASE) or re.search(r"\bphoto:", s.text, re.IGNORECASE):
            caption_before.add(i - 1)
    figures = facts.figures if facts else []
    quotes = facts.quotes if facts else []
    mentions = facts.mentions if facts else []

    def inside(start: int, s: SentenceHit) -> bool:
        return s.start <= start < s.end

    # Words the article keeps coming back to (and the title's words) mark its subject.
    freq: dict[str, int] = {}
    for s in sentences:
        for w in set(_content_words(s.text)):
            freq[w] = freq.get(w, 0) + 1
    title_words = set(_content_words(title))
    top = {w for w, c in sorted(freq.items(), key=lambda kv: -kv[1])[:12] if c > 1} | title_words

    out: list[_Scored] = []
    rank = 0
    for i, s in enumerate(sentences):
        eligible = not looks_like_boilerplate(s.text, title) and i not in caption_before
        words = len(s.text.split())
        figs = [f for f in figures if inside(f.start, s)]
        fig_score = sum(figure_weight(f) for f in figs)
        quoted = [q for q in quotes if inside(q.start, s) or (q.start <= s.start < q.end)]
        quote_score = 0.0
        if quoted:
            named = any(q.speaker and q.speaker.split()[-1] in s.text for q in quoted)
            quote_score = 0.5 if named else 0.2
        names = {m.text for m in mentions if inside(m.start, s)}
        entity_score = min(len(names), 4) * 0.2
        content = set(_content_words(s.text))
        central = len(content & top) / max(len(top), 1)
        position = 1.5 / (1.0 + 0.25 * rank) if eligible else 0.0
        score = (
            position
            + min(fig_score, 2.0) * 0.6
            + quote_score
            + entity_score
            + central * 1.5
            + _length_score(words)
        )
        if _PRONOUN_START.search(s.text):
            score -= 0.4  # leans on the sentence before it
        if s.text.rstrip().endswith("?") or s.text.rstrip().endswith(":"):
            score -= 0.6
        if _glued_heading(s.text):
            score -= 1.5
        if i - 1 in caption_before:
            score -= 0.5
        if eligible:
            rank += 1
        out.append(_Scored(s, score, eligible))
    return out


def _too_similar(a: str, b: str) -> bool:
    wa, wb = set(_content_words(a)), set(_content_words(b))
    if not wa or not wb:
        return False
    return len(wa & wb) / min(len(wa), len(wb)) > 0.7


def _pick(scored: list[_Scored], n: int) -> list[_Scored]:
    chosen: list[_Scored] = []
    for item in sorted((x for x in scored if x.eligible), key=lambda x: -x.score):
        if len(chosen) >= n:
            break
        if any(_too_similar(item.hit.text, c.hit.text) for c in chosen):
            continue
        chosen.append(item)
    return chosen


async def key_sentences(ctx: Context, article_id: int, n: int = 3) -> list[SentenceHit]:
    """The ``n`` sentences that best stand for an article, in article order.

    ``score`` on the returned hits is the summary score (higher is better), not bm25.
    Articles with nothing but furniture give fewer sentences, possibly none.
    """
    store = ctx.corpus.store
    sentences = await store.sentences(article_id)
    if not sentences:
        return []
    return pick_sentences(sentences, await store.get_facts(article_id), sentences[0].title, n)


def pick_sentences(sentences: list[SentenceHit], facts: ArticleFacts | None, title: str, n: int) -> list[SentenceHit]:
    """The summariser: the ``n`` sentences that best stand for one article, in article order.

    ``summary`` and the digest both call this, so an article reads the same in both.
    """
    chosen = _pick(_score_article(sentences, facts, title), n)
    return [replace(c.hit, score=round(c.score, 3)) for c in sorted(chosen, key=lambda c: c.hit.index)]


# --------------------------------------------------------------------------- figures and quotes

def _key_figures(figures: list[FigureHit], limit: int = 5) -> list[tuple[FigureHit, str]]:
    """The figures a reader asks about first, one per measure before a second on any, in text order."""
    ranked = sorted(
        (h for h in figures if not looks_like_boilerplate(h.sentence) and (h.figure.thing or h.figure.event)),
        key=lambda h: (-figure_weight(h.figure), h.figure.start),
    )
    firsts: list[FigureHit] = []
    for h in ranked:
        if not any(same_measure(h.figure, f.figure) for f in firsts):
            firsts.append(h)
    out: list[FigureHit] = []
    seen: set[tuple] = set()
    for h in [*firsts, *ranked]:
        key = (h.figure.low, h.figure.high, (h.figure.thing or "").lower(), h.figure.event)
        if key in seen:
            continue
        seen.add(key)
        out.append(h)
        if len(out) >= limit:
            break
    return [(h, measure_label(h.figure, h.sentence)) for h in sorted(out, key=lambda h: h.figure.start)]


def _key_quotes(quotes: list[QuoteHit], limit: int = 3) -> list[QuoteHit]:
    """Full-sentence quotes with a named speaker, one per speaker before a second from anyone."""
    good = [
        q
        for q in quotes
        if q.quote.speaker and len(q.quote.text.split()) >= 6 and not looks_like_boilerplate(q.sentence)
    ]
    good.sort(key=lambda q: (q.quote.attribution != "explicit", -min(len(q.quote.text.split()), 40)))
    chosen: list[QuoteHit] = []
    speakers: set[str] = set()
    for q in good:
        if q.quote.speaker not in speakers:
            chosen.append(q)
            speakers.add(q.quote.speaker)
    chosen += [q for q in good if q not in chosen]
    return sorted(chosen[:limit], key=lambda q: q.quote.start)


def _quote_line(q: QuoteHit) -> str:
    who = q.quote.speaker or "unattributed"
    if q.quote.speaker_role:
        who += f" ({q.quote.speaker_role})"
    words = q.quote.text.rstrip(" ,")
    text = words if len(words) <= 300 else words[:297].rstrip() + "…"
    return f"{who}: “{text}”"


def _figure_line(h: FigureHit, measure: str) -> str:
    f = h.figure
    value = figure_wording(h)
    bits = [value if value in (f.surface, f"“{f.surface}”") else f"{value} (“{f.surface}”)"]
    if f.party and f.party.lower() not in measure.lower():
        bits.append(f.party)
    bits.append(f"[{measure}]")
    if f.claimant and f.claimant.lower() in h.sentence.lower():
        bits.append(f"per {f.claimant}")
    return " — ".join(bits)


# --------------------------------------------------------------------------- resolving the target


_NOT_WORD = re.compile(r"[^\w\s]")


def _norm_title(s: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", s.lower()).split())


class TitleIndex:
    """Every article's normalised title, and which titles hold each word, to find an article
    by (a piece of) its title without a fuzzy pass over all of them."""

    def __init__(self, titles: list[tuple[int, str]]) -> None:
        self.raw: dict[int, str] = dict(titles)
        self.titles: dict[int, str] = {aid: _norm_title(t) for aid, t in titles}
        by_word: dict[str, list[int]] = {}
        for aid, title in self.titles.items():
            for w in set(title.split()):
                if len(w) >= 4:
                    by_word.setdefault(w, []).append(aid)
        # tuples, not lists: a tuple of numbers is dropped from the garbage collector's
        # walks, and a full collection of a bot holding tens of thousands of lists stops
        # its event loop for tens of milliseconds
        self.by_word: dict[str, tuple[int, ...]] = {w: tuple(ids) for w, ids in by_word.items()}

    def find(self, target: str) -> int | None:
        """The article whose title the target is (fuzzily), or a long enough piece of."""
        query = _norm_title(target)
        if not query or not self.titles:
            return None
        hit = process.extractOne(query, self.titles, scorer=fuzz.ratio, score_cutoff=80)
        if hit is not None:
            return hit[2]
        # A long enough piece of a title ("Putin's military and mercenaries are getting
        # slaughtered"), nearly word for word: such a title holds one of the piece's three
        # longest words as written, so only those titles are compared.
        qwords = query.split()
        if len(qwords) < 4:
            return None
        ids: set[int] = set()
        for w in sorted(dict.fromkeys(qwords), key=len, reverse=True)[:3]:  # ties: in the order typed
            ids.update(self.by_word.get(w, ()))
        hit = process.extractOne(query, {a: self.titles[a] for a in ids}, scorer=fuzz.partial_ratio, score_cutoff=90)
        if hit is not None and len(qwords) >= 0.5 * len(hit[0].split()):
            return hit[2]
        return None


async def article_titles(ctx: Context) -> TitleIndex:
    """The title index, rebuilt only when the corpus has changed."""

    async def build() -> TitleIndex:
        return await asyncio.to_thread(TitleIndex, await ctx.corpus.reader.all_titles())

    return await per_generation(ctx, "summary_titles", build)


async def _resolve_article(ctx: Context, target: str) -> int | None:
    """An article id when the target names one (by id or by most of its title)."""
    raw = target.strip()
    if re.fullmatch(r"#?\d+", raw):
        article_id = int(raw.lstrip("#"))
        if await ctx.corpus.store.get_article(article_id) is None:
            raise UserError(f"There is no article {article_id}. Try `articles` to see what is indexed.")
        return article_id
    index = await article_titles(ctx)
    # a scan of every title: 10 ms at 100k articles, off the event loop
    return await asyncio.to_thread(index.find, raw)


# --------------------------------------------------------------------------- replies


async def _article_reply(ctx: Context, article_id: int) -> Reply:
    store = ctx.corpus.store
    article = await store.get_article(article_id)
    if article is None:
        raise UserError(f"There is no article {article_id}. Try `articles` to see what is indexed.")
    summary = article.summary()
    sentences = await store.sentences(article_id)
    n = 3 if len(sentences) < 15 else 4 if len(sentences) < 30 else 5
    key = await key_sentences(ctx, article_id, n)
    figures = _key_figures(await store.figures_for_articles([article_id]))
    quotes = _key_quotes(await store.quotes_for_articles([article_id]))
    head = cite.article_line(summary)
    if not key:
        return Reply(
            "summary",
            False,
            f"No summary: article {article_id} has no sentence that reads as reporting (only headings, "
            "captions or page furniture).",
            title=f"Summary — {head}",
        )
    citations = [cite.from_hit(h) for h in key]
    fields = []
    if figures:
        fields.append(Field("Key figures", "\n".join(f"• {_figure_line(h, m)}" for h, m in figures)))
        citations += [cite.from_article(h.article, h.sentence) for h, _m in figures]
    if quotes:
        fields.append(Field("Key quotes", "\n".join(f"• {_quote_line(q)}" for q in quotes)))
        citations += [c for q in await cite_quotes(ctx, quotes, None) for c in q.citations]
    return Reply(
        "summary",
        True,
        "\n".join(f"• {h.text}" for h in key),
        title=f"Summary — {head}",
        fields=fields,
        citations=cite.dedupe(citations),
        data={
            "mode": "article",
            "article_id": article_id,
            "sentences": [{"index": h.index, "text": h.text, "score": h.score} for h in key],
            "figures": [
                {"surface": h.figure.surface, "low": h.figure.low, "high": h.figure.high,
                 "measure": m, "kind": h.figure.kind, "sentence": h.sentence}
                for h, m in figures
            ],
            "quotes": [{"speaker": q.quote.speaker, "text": q.quote.text} for q in quotes],
        },
    )


def _term_groups(topic: str, matches: list) -> list[tuple[tuple[str, ...], frozenset[str]]]:
    """What a sentence must mention to be about the topic: each name (any spelling, or its
    words) and each other word, as (names, language keys)."""
    groups: list[tuple[tuple[str, ...], frozenset[str]]] = []
    rest = topic
    for m in matches:
        groups.append((tuple(n.lower() for n in m.names), frozenset(norm(w) for w in _WORD.findall(m.matched))))
        rest = re.sub(re.escape(m.matched), " ", rest, flags=re.IGNORECASE)
    for w in _WORD.findall(rest):
        w = w.strip("’'")
        if _is_noise(w) or len(w) < 3:
            continue
        groups.append(((), frozenset({norm(w)})))
    return groups


def _coverage(text: str, groups: list[tuple[tuple[str, ...], frozenset[str]]]) -> float:
    if not groups:
        return 1.0
    low = text.lower()
    keys = {norm(w) for w in _WORD.findall(text)}
    hit = sum(
        1 for names, words in groups
        if words & keys or any(re.search(r"\b" + re.escape(n), low) for n in names)
    )
    return hit / len(groups)


async def _topic_reply(ctx: Context, topic: str) -> Reply:
    store = ctx.corpus.store
    index = await name_index(ctx)
    matches = index.match(topic)
    expanded = topic + "".join(" " + " ".join(m.names) for m in matches)
    searches = [store.search_sentences(topic, limit=80, any_term=False),
                store.search_sentences(expanded, limit=120, any_term=True)]
    # Each word on its own too, so a frequent word cannot crowd a rare one out of the candidates.
    words = [w for w in _WORD.findall(topic) if not _is_noise(w) and len(w) >= 3]
    if len(words) > 1:
        searches += [store.search_sentences(w, limit=60) for w in words[:4]]
    # at once: the store spreads them over its read connections (and cores), in this order
    found = [h for hits in await asyncio.gather(*searches) for h in hits]
    seen: set[int] = set()
    hits = []
    for h in found:
        if h.sentence_id not in seen and not looks_like_boilerplate(h.text, h.title):
            seen.add(h.sentence_id)
            hits.append(h)
    groups = _term_groups(topic, matches)
    coverage = {h.sentence_id: _coverage(h.text, groups) for h in hits}
    if hits and len(groups) >= 2 and max(coverage.values()) >= 0.99:
        # Sentences about every part of the topic exist: the partial matches are noise beside them.
        hits = [h for h in hits if coverage[h.sentence_id] >= 0.99]
    if not hits:
        index = await article_titles(ctx)
        # every title scored (150-220 ms at 100k articles): in a thread, a chunk at a time,
        # so the event loop is not kept waiting for the interpreter lock meanwhile
        close = await asyncio.to_thread(best_matches, topic, index.raw, limit=3, cutoff=50)
        text = f"No indexed article has a sentence about {topic!r}."
        if close:
            text += " Closest titles: " + "; ".join(f"[{aid}] {title}" for title, _, aid in close)
        return Reply("summary", False, text, title=f"Summary — {topic}")
    relevance = {h.sentence_id: 3.0 * coverage[h.sentence_id] + 1.0 / (1.0 + 0.1 * rank) for rank, h in enumerate(hits)}
    # Facts are read only for the most relevant candidates: the rest could not win anyway.
    hits = sorted(hits, key=lambda h: -relevance[h.sentence_id])[:40]
    counts = await store.sentence_fact_counts(h.sentence_id for h in hits)
    key: set[int] = set()  # the sentences each article is summarised by (the one summariser)
    known: dict[int, frozenset[int]] = await per_generation(ctx, "key_sentences", _empty_cache)
    for aid in list(dict.fromkeys(h.article_id for h in hits))[:KEY_SENTENCE_ARTICLES]:
        if aid not in known:
            sentences = await store.sentences(aid)
            known[aid] = frozenset(
                k.sentence_id for k in pick_sentences(sentences, await store.get_facts(aid), sentences[0].title, 3)
            ) if sentences else frozenset()
        key |= known[aid]
    ranked: list[tuple[float, SentenceHit]] = []
    for h in hits:
        figs, quotes, names = counts.get(h.sentence_id, (0, 0, 0))
        info = min(figs, 2) * 0.6 + (0.4 if quotes else 0.0) + min(names, 4) * 0.2
        info += _length_score(len(h.text.split()))
        if h.sentence_id in key:
            info += KEY_SENTENCE_BONUS  # what the article itself leads with
        if _PRONOUN_START.search(h.text):
            info -= 0.4
        if _glued_heading(h.text):
            info -= 1.5
        ranked.append((relevance[h.sentence_id] + info, h))
    ranked.sort(key=lambda x: -x[0])
    per_article: dict[int, int] = {}
    chosen: list[tuple[float, SentenceHit]] = []
    for score, h in ranked:
        if per_article.get(h.article_id, 0) >= 2 or any(_too_similar(h.text, c.text) for _, c in chosen):
            continue
        per_article[h.article_id] = per_article.get(h.article_id, 0) + 1
        chosen.append((score, h))
        if len(chosen) >= ctx.max_results:
            break
    citations = [cite.from_hit(h) for _, h in chosen]
    lines = [f"• {h.text} [{h.article_id}]" for _, h in chosen]
    return Reply(
        "summary",
        True,
        "\n".join(lines),
        title=f"Summary — {topic}",
        citations=citations,
        data={
            "mode": "topic",
            "topic": topic,
            "sentences": [
                {"article_id": h.article_id, "index": h.index, "text": h.text, "score": round(s, 3)}
                for s, h in chosen
            ],
        },
    )


async def _latest_reply(ctx: Context) -> Reply:
    store = ctx.corpus.store
    latest: list[ArticleSummary] = await store.latest_articles(5)
    if not latest:
        return Reply("summary", False, "No indexed article yet: add some with `add`.", title="Latest briefing")
    fields: list[Field] = []
    citations: list[Citation] = []
    data = []
    for a in latest:
        key = await key_sentences(ctx, a.id, 2)
        if not key:
            continue
        fields.append(Field(cite.article_line(a), "\n".join(f"• {h.text}" for h in key)))
        citations += [cite.from_hit(h) for h in key]
        data.append({"article_id": a.id, "sentences": [h.text for h in key]})
    if not fields:
        return Reply("summary", False, "No summary: the latest articles hold no sentence that reads as reporting.")
    return Reply(
        "summary",
        True,
        f"The {len(fields)} newest articles, two key sentences each.",
        title="Latest briefing",
        fields=fields,
        citations=citations,
        data={"mode": "latest", "articles": data},
    )


@command(
    "summary",
    "Summarize an article (id or title), a topic across articles, or the latest news.",
    args=(
        Arg("target", "an article id or title, or a topic; nothing for the latest news", required=False,
            autocomplete="article"),
    ),
    example="summary 3",
)
async def summary_command(ctx: Context, req: Request) -> Reply:
    target = req.args.get("target")
    if not target:
        return await _latest_reply(ctx)
    article_id = await _resolve_article(ctx, str(target))
    if article_id is not None:
        return await _article_reply(ctx, article_id)
    return await _topic_reply(ctx, str(target))
