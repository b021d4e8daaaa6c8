"""The store: migrations recorded in the database, cascades, FTS escaping."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from corpus.models import ArticleFacts, Figure, Mention, Quote, SentenceSpan, TextSpan
from corpus.store import Store, escape_fts


async def _add(store: Store, text: str = "Bakhmut is under fire. Russia sent 300 tanks.", **kw) -> int:
    sentences = [
        SentenceSpan(0, 0, 0, 22, "Bakhmut is under fire."),
        SentenceSpan(0, 1, 23, len(text), text[23:]),
    ]
    defaults = dict(
        title="T", outlet="O", author=None, published="2023-01-24", published_inferred=False, url=None,
        source="test", source_id=None, added_by="tests", content_hash="h1", text=text,
        paragraphs=[TextSpan(0, len(text))], sentences=sentences, sentence_hashes=[1, 2],
    )
    defaults.update(kw)
    return await store.add_article(**defaults)


async def test_migrations_are_recorded_in_the_database_and_not_reapplied(tmp_path):
    path = tmp_path / "a.db"
    store = await Store.open(path)
    version = await store.schema_version()
    await store.close()
    assert version >= 3
    store = await Store.open(path)  # a second open applies nothing and keeps the version
    assert await store.schema_version() == version
    rows = await store._all("SELECT version, name FROM schema_migrations ORDER BY version")
    assert [r["version"] for r in rows] == list(range(1, version + 1))
    await store.close()


async def test_connections_use_wal_and_foreign_keys(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    assert (await store._one("PRAGMA journal_mode"))[0] == "wal"
    assert (await store._one("PRAGMA foreign_keys"))[0] == 1
    await store.close()


async def test_removing_an_article_removes_everything_derived_from_it(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    facts = ArticleFacts(
        figures=[Figure(35, 38, "300", 300, 300, "exact", thing="tanks", kind="count", thing_head="tank", event="send", party="Germany")],
        quotes=[Quote(0, 7, "Bakhmut", "Someone")],
        mentions=[Mention(0, 7, "Bakhmut", "GPE")],
    )
    article_id = await _add(store, facts=facts)
    counts = await store.fact_counts()
    assert counts["figures"] == counts["quotes"] == counts["mentions"] == 1
    assert await store.remove_article(article_id)
    counts = await store.fact_counts()
    assert counts == {**counts, "articles": 0, "sentences": 0, "figures": 0, "quotes": 0, "mentions": 0}
    assert await store.search_sentences("Bakhmut") == []
    assert await store.search_figures("tanks") == []
    await store.close()


async def test_a_failed_insert_leaves_no_half_article(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    with pytest.raises(ValueError):  # sentence hashes do not line up with sentences
        await _add(store, sentence_hashes=[1])
    assert await store.count_articles() == 0
    assert (await store.fact_counts())["sentences"] == 0
    await _add(store)
    with pytest.raises(sqlite3.IntegrityError):
        await _add(store)  # same content hash
    assert await store.count_articles() == 1
    await store.close()


@pytest.mark.parametrize(
    ("query", "matches"),
    [
        ('"unbalanced', []), ("NEAR(a b)", []), ("-minus", []), ("col:value", []), ("AND OR NOT", []),
        ("()", []), ("🙂", []),
        ("tanks*", ["Russia sent 300 tanks."]),  # the word, not a prefix operator over everything
        ("Zelenskyy’s ‘tank’", ["Russia sent 300 tanks."]),
    ],
)
async def test_fts_syntax_in_user_text_is_searched_as_words(tmp_path, query, matches):
    """FTS operators in user text never raise and never change the search: "NEAR(a b)" must
    not match everything, "-minus" must not negate, a column filter must not apply."""
    store = await Store.open(tmp_path / "a.db")
    await _add(store)
    assert [h.text for h in await store.search_sentences(query)] == matches
    assert await store.search_quotes(query) == []
    found = await store.search_sentences(f"{query} Bakhmut")
    assert "Bakhmut is under fire." in [h.text for h in found]  # the operator did not swallow the word
    await store.close()


def test_escape_fts_quotes_every_word():
    assert escape_fts('tanks" OR 1') == '"tanks" "OR" "1"'
    assert escape_fts("tanks Tanks", any_term=True) == '"tanks"'  # a repeat adds no term


def test_an_or_query_leaves_out_words_that_match_everything():
    """Stop words in an OR query would make bm25 score half the index for nothing."""
    assert escape_fts("the price of oil", any_term=True) == '"price" OR "oil"'
    assert escape_fts('"AND OR NEAR( tanks* ^', any_term=True) == '"tanks"'  # operators typed as text
    assert escape_fts("tanks the US sends", any_term=True) == '"tanks" OR "US" OR "sends"'  # an acronym stays
    assert escape_fts("who is it", any_term=True) == '"who" OR "is" OR "it"'  # nothing else: all stay
    assert escape_fts("alert(1) oil", any_term=True) == '"alert" OR "oil"'  # a lone digit names nothing
    assert escape_fts("the price of oil") == '"the" "price" "of" "oil"'  # AND: every word, as typed
    assert escape_fts("!!!") == ""


async def test_list_articles_filter_treats_like_wildcards_literally(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    await _add(store, title="100% sure")
    assert [a.title for a in await store.list_articles("100%")] == ["100% sure"]
    assert await store.list_articles("_%_zzz") == []
    await store.close()


async def test_a_figure_keeps_its_kind_event_and_party_and_is_found_by_party(tmp_path):
    store = await Store.open(tmp_path / "a.db")
    text = "Bakhmut is under fire. Labour won 411 seats."
    fig = Figure(33, 36, "411", 411, 411, "exact", thing="seats", kind="count", thing_head="seat", event="win",
                 party="Labour")
    article_id = await _add(store, text=text, facts=ArticleFacts(figures=[fig]))
    stored = (await store.get_facts(article_id)).figures[0]
    assert (stored.kind, stored.thing_head, stored.event, stored.party) == ("count", "seat", "win", "Labour")
    assert [h.figure.surface for h in await store.search_figures("Labour")] == ["411"]
    assert [h.figure.surface for h in await store.figures_by_head(["seat"])] == ["411"]
    assert await store.figures_by_head(["tank"]) == []
    await store.close()


async def test_migration_4_brings_old_figures_to_the_neutral_model(tmp_path, monkeypatch):
    import corpus.store as store_module

    every = store_module._migrations()
    monkeypatch.setattr(store_module, "_migrations", lambda: [m for m in every if m[0] <= 3])
    path = tmp_path / "old.db"
    store = await Store.open(path)
    article_id = await _add(store)
    for category in ("money", "killed"):
        await store.conn.execute(
            "INSERT INTO figures(article_id, start, end, surface, low, high, qualifier, thing, category)"
            " VALUES (?, 35, 38, '300', 300, 300, 'exact', 'tanks', ?)",
            (article_id, category),
        )
        await store.conn.commit()
    await store.close()
    monkeypatch.setattr(store_module, "_migrations", lambda: every)
    store = await Store.open(path)
    assert await store.schema_version() >= 4
    kinds = sorted(f.kind for f in (await store.get_facts(article_id)).figures)
    assert kinds == ["count", "money"]  # a war category becomes a plain count
    columns = {r["name"] for r in await store._all("PRAGMA table_info(figures)")}
    assert {"kind", "thing_head", "event", "party"} <= columns and "category" not in columns
    assert len(await store.search_figures("tanks")) == 2  # the rebuilt search index holds old figures
    await store.close()


async def test_reads_spread_over_reader_connections_and_a_writer_sees_its_own_writes(tmp_path):
    from corpus.store import Store

    store = await Store.open(tmp_path / "pool.db")
    try:
        await store.add_readers(2)
        sub = await store.add_subscription(channel="c", kind="new", weekday=None, at_time=None, topic="",
                                           created_by="m", marker=None)
        assert [s.id for s in await store.subscriptions()] == [sub.id]  # committed: every reader sees it
        written = asyncio.Event()

        async def member() -> int:  # another task, as a member's request is
            await written.wait()
            return len(await store.subscriptions())

        outside = asyncio.create_task(member())
        async with store.transaction():
            await store.conn.execute(
                "INSERT INTO subscriptions(channel, kind, topic, created_by, created_at) VALUES ('d','new','','m','x')"
            )
            assert len(await store.subscriptions()) == 2  # inside: the writer's own view
            written.set()
            assert await outside == 1  # another task reads committed data only, while the write goes on
        assert len(await store.subscriptions()) == 2
        with pytest.raises(sqlite3.OperationalError):  # readers cannot write
            await store._readers[0].execute("DELETE FROM subscriptions")
    finally:
        await store.close()
