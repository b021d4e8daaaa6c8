"""Nothing a running bot derived is forgotten on restart: the same requests get the same
answers from the process that ingested the articles and from a fresh one over its database."""

from __future__ import annotations

from corpus.extract.pipeline import Extractor
from corpus.service import SHIPPED_ARTICLES, Corpus
from handlers.context import Context
from handlers.registry import dispatch
from handlers.types import Request

REQUESTS = [
    ("ask", {"question": "How many Russian soldiers died in Bakhmut?"}),
    ("ask", {"question": "Who leads the Wagner group?"}),
    ("ask", {"question": "When did Russia claim to have taken Bakhmut?"}),
    ("ask", {"question": "What did Zelensky say about Bakhmut?"}),
    ("ask", {"question": "How many tanks were destroyed?"}),
    ("quotes", {"person": "Prigozhin"}),
    ("quotes", {"person": "Zelenskiy"}),
    ("quotes", {"person": "Stoltenberg"}),
    ("who", {"name": "Prigozhin"}),
    ("who", {"name": "Zelensky"}),
    ("who", {"name": "Bakhmut"}),
    ("compare", {"topic": "casualties"}),
    ("source", {"claim": "Wagner fighters captured the city"}),
    ("summary", {"target": "Bakhmut"}),
]


async def _answers(corpus: Corpus) -> list[str]:
    ctx = Context(corpus, charts=False)
    out = []
    for name, args in REQUESTS:
        reply = await dispatch(ctx, Request(name, dict(args)))
        out.append("\n".join([reply.text, *(c.sentence for c in reply.citations)]))
    return out


async def test_answers_are_the_same_after_a_restart(tmp_path) -> None:
    db = tmp_path / "restart.db"
    corpus = await Corpus.open(db, extractor=Extractor(workers=0), seed=False)
    try:
        await corpus.ingest_path(SHIPPED_ARTICLES, added_by="tests")
        before = await _answers(corpus)
    finally:
        await corpus.close()
    reopened = await Corpus.open(db, extractor=Extractor(workers=0), seed=False)
    try:
        after = await _answers(reopened)
    finally:
        await reopened.close()
    assert sum(1 for text in before if text.strip()) == len(REQUESTS)
    changed = [(REQUESTS[i], before[i][:120], after[i][:120]) for i in range(len(REQUESTS)) if before[i] != after[i]]
    assert not changed, changed
