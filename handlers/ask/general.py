"""``ask`` for anything else: the sentences that best cover the question.

Any question no other shape fits, and any whose specialised answerer finds nothing, is
answered by the sentences that cover its weighted words, names included, counting words
the sentence leaves to its neighbours at part weight, a few sentences per article at most.
"""

from __future__ import annotations

from collections import Counter

from ..answering import (
    RankedSentence,
    analyse,
    closest_facts,
    coverage,
    quoted,
    ranked_sentences,
    sentence_citation,
    sentence_contexts,
    source_label_hit,
)
from ..cite import dedupe
from ..context import Context
from ..types import Reply
from .conditional import _FACTUAL, _HYPOTHETICAL
from .reply import _base_data, _correction_note, _unanswered

_ANSWER_COVERAGE = 0.7


async def answer_general(ctx: Context, question: str, kind: str = "general") -> Reply:
    query = await analyse(ctx, question)
    ranked = await ranked_sentences(ctx, query, limit=60)
    data = _base_data(question, kind, query)
    # Names and words the sentence leaves to its neighbours ("has a 6,932 majority" after
    # "… contest the Derbyshire seat of Erewash") count at part weight.
    contexts = await sentence_contexts(ctx, [r.hit for r in ranked[:40]])
    rescored = []
    for r in ranked:
        cov, matched, missed = coverage(query.terms, r.hit.text, contexts.get(r.hit.sentence_id))
        rescored.append(RankedSentence(r.hit, max(cov, r.coverage), r.similarity, matched, missed))
    rescored.sort(key=lambda r: (-r.score, r.hit.score))
    factual = bool(_FACTUAL.search(question))
    good = [
        r for r in rescored
        if r.coverage >= _ANSWER_COVERAGE and not any(t.entity and not t.generic for t in r.missed)
        and any(not t.generic for t in r.matched)
        and not (factual and _HYPOTHETICAL.search(r.hit.text))
    ]
    if not good:
        closest = await closest_facts(ctx, query)
        return _unanswered(question, kind, query, closest)
    top: list[RankedSentence] = []
    per_article: Counter = Counter()
    for r in good:
        if per_article[r.hit.article_id] >= 2:
            continue
        per_article[r.hit.article_id] += 1
        top.append(r)
        if len(top) >= 4:
            break
    lines = [f"“{quoted(top[0].hit.text, 400)}” · {source_label_hit(top[0].hit)}"]
    if len(top) > 1:
        lines.append("Also:")
        lines += [f"• “{quoted(r.hit.text)}” · {source_label_hit(r.hit)}" for r in top[1:]]
    note = _correction_note(query)
    if note:
        lines.append(note)
    data["sentences"] = [r.hit.text for r in top]
    return Reply("ask", True, "\n".join(lines), title=f"Q: {question.strip()}",
                 citations=dedupe([sentence_citation(r.hit) for r in top]), data=data)
