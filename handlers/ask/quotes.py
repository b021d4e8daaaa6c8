"""``ask`` for what someone said: "what did X say about Y", "who said …".

A quote answers when it is by the person asked about and it, its sentence or the lines
around it are about the topic; failing a direct quote, reported speech that names the
speaker and the topic answers. "Who said" finds the quote by its words and names its
speaker.
"""

from __future__ import annotations

import asyncio
import re

from rapidfuzz import fuzz

from corpus.models import QuoteHit, SentenceHit

from ..answering import (
    TextIndex,
    _entity_alts,
    analyse,
    closest_facts,
    coverage,
    quoted,
    sentence_citation,
    source_label,
    source_label_hit,
    vocabulary,
)
from ..cite import dedupe
from ..context import Context
from ..lookup import EntityMatch, name_index
from ..types import Citation, Reply
from .reply import _base_data, _unanswered
from .shape import Shape

_SPEECH = re.compile(
    r"\b(said|says|told|tells|warned|claimed|claims|believes|believed|admitted|complained|acknowledged|wrote|"
    r"writes|called|urged|asked|accused|insisted|according to|stressed|added|noted|argued|vowed|insists)\b",
    re.I,
)


def _speaker(index, text: str) -> EntityMatch | None:
    matches = index.match(text, limit=3)
    people = [m for m in matches if m.label == "PERSON"]
    if people:
        return people[0]
    if matches:
        return matches[0]
    return index.best(text, cutoff=85.0)


def _quote_line(q: QuoteHit) -> str:
    who = q.quote.speaker or "unattributed"
    role = f" ({q.quote.speaker_role})" if q.quote.speaker_role else ""
    return f"{who}{role}: “{quoted(q.quote.text, 400)}” · {source_label(q.article)}"


def _quote_citation(q: QuoteHit) -> Citation:
    a = q.article
    return Citation(a.id, a.title, a.outlet, a.published, a.url, q.sentence)


async def _quote_context(ctx: Context, h: QuoteHit, cache: dict[int, list[SentenceHit]]) -> str:
    """The article's title and the sentences just around a quote: what the quote is about."""
    aid = h.article.id
    if aid not in cache:
        cache[aid] = await ctx.corpus.store.sentences(aid)
    sents = cache[aid]
    i = next((k for k, s in enumerate(sents) if s.start <= h.quote.start < s.end + 2), None)
    around = sents[max(0, i - 2) : i + 2] if i is not None else []
    return " ".join([h.article.title, *(s.text for s in around)])


async def answer_quote(ctx: Context, question: str, shape: Shape) -> Reply | None:
    index = await name_index(ctx)
    query = await analyse(ctx, question)
    who_query = await analyse(ctx, shape.who, base=query)
    speaker = await asyncio.to_thread(_speaker, index, who_query.corrected)  # fuzzy: off the loop
    if speaker is None:
        return None
    alts = list(_entity_alts(speaker))
    topic_q = await analyse(ctx, shape.topic, base=query) if shape.topic.strip() else None
    store = ctx.corpus.store
    hits: list[QuoteHit] = []
    if topic_q and topic_q.terms:
        hits += await store.match_quotes(alts, [a for t in topic_q.terms for a in t.alts], limit=40)
    hits += await store.quotes_by_speakers(sorted(set(speaker.names) | {speaker.canonical}), limit=150)
    if not shape.topic:
        hits += await store.match_quotes(alts, limit=60)
    seen: set[int] = set()
    ranked: list[tuple[float, QuoteHit]] = []
    article_sentences: dict[int, list[SentenceHit]] = {}
    for h in hits:
        if h.id in seen:
            continue
        seen.add(h.id)
        if h.quote.speaker and not any(TextIndex.of(h.quote.speaker).has(a) for a in alts):
            continue
        if topic_q and topic_q.terms:
            in_quote = coverage(topic_q.terms, h.quote.text)[0]
            in_sentence = coverage(topic_q.terms, h.sentence)[0]
            in_title = coverage(topic_q.terms, h.article.title)[0]
            score = max(in_quote, 0.8 * in_sentence, 0.4 * in_title)
            if score < 0.8:
                # A quote answers "what did X say about Y" when the lines around it are about
                # Y: "Rio Ferdinand said of the bid: …" names Glazer a sentence earlier.
                context = await _quote_context(ctx, h, article_sentences)
                score = max(score, 0.65 * coverage(topic_q.terms, context)[0])
        else:
            score = 1.0
        if len(h.quote.text.split()) < 3:
            score -= 0.15  # a scare-quoted word says little about what was said
        ranked.append((score, h))
    ranked.sort(key=lambda x: (-x[0], -(int((x[1].article.published or "0").replace("-", "") or 0))))
    # Half of a two-word topic ("march" of "march on Moscow") is not the topic.
    floor = 0.6 if topic_q and len(topic_q.terms) > 1 else 0.5
    good = [h for s, h in ranked if s >= floor]
    name = max(speaker.names, key=len) if speaker.label == "PERSON" else speaker.matched
    data = _base_data(question, "quote", query)
    data["speaker"] = speaker.canonical
    if good:
        top = good[:6]
        first = top[0]
        who = first.quote.speaker or name
        lines = [f"{who} said: “{quoted(first.quote.text, 400)}” · {source_label(first.article)}"]
        if len(top) > 1:
            lines.append("Also:")
            lines += [f"• {_quote_line(q)}" for q in top[1:]]
        data["quotes"] = [
            {"text": q.quote.text, "speaker": q.quote.speaker, "role": q.quote.speaker_role,
             "article_id": q.article.id, "published": q.article.published, "sentence": q.sentence}
            for q in top
        ]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([_quote_citation(q) for q in top]), data=data)
    # No direct quote: reported speech that names the speaker and the topic still answers.
    groups = [alts] + ([[a for t in topic_q.terms for a in t.alts]] if topic_q and topic_q.terms else [])
    sentences = await store.match_sentences(groups, limit=30)
    reported = [
        s for s in sentences
        if _SPEECH.search(s.text) and topic_q and coverage(topic_q.terms, s.text)[0] >= floor
    ]
    if reported and topic_q:
        reported.sort(key=lambda s: -coverage(topic_q.terms, s.text)[0])
        top_s = reported[:4]
        lead = top_s[0]
        lines = [f"No direct quote of {name} on that, but: “{quoted(lead.text)}” · {source_label_hit(lead)}"]
        lines += [f"• “{quoted(s.text)}” · {source_label_hit(s)}" for s in top_s[1:]]
        data["sentences"] = [s.text for s in top_s]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([sentence_citation(s) for s in top_s]), data=data)
    closest = await closest_facts(ctx, query)
    for _, h in ranked[:2]:
        closest.lines.insert(0, _quote_line(h))
        closest.citations.insert(0, _quote_citation(h))
    what = f"what {name} said" + (f" about {shape.topic.strip().rstrip('?.!')}" if shape.topic else "")
    return _unanswered(question, "quote", query, closest, what=what)


async def answer_who_said(ctx: Context, question: str, shape: Shape) -> Reply | None:
    what = shape.topic.strip().strip("“”\"'")
    query = await analyse(ctx, what)
    if not query.terms:
        return None
    vocab = await vocabulary(ctx)
    groups = query.fts_groups(vocab)
    hits = await ctx.corpus.store.match_quotes([], groups, limit=40)
    probe = what.lower()
    scored = []
    for h in hits:
        text = h.quote.text.lower()
        score = max(fuzz.partial_ratio(probe, text) if len(probe) <= len(text) else fuzz.ratio(probe, text),
                    coverage(query.terms, h.quote.text)[0] * 100)
        scored.append((score, h))
    scored.sort(key=lambda x: -x[0])
    good = [h for s, h in scored if s >= 75 and h.quote.speaker]
    data = _base_data(question, "who_said", query)
    if good:
        top = good[:5]
        lines = [f"{top[0].quote.speaker}: “{quoted(top[0].quote.text, 400)}” · {source_label(top[0].article)}"]
        lines += [f"• {_quote_line(q)}" for q in top[1:]]
        data["quotes"] = [{"text": q.quote.text, "speaker": q.quote.speaker, "article_id": q.article.id} for q in top]
        return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                     citations=dedupe([_quote_citation(q) for q in top]), data=data)
    return None
