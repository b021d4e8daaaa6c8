"""Ingest end to end: sources → cleaning → dedupe → store, and what bad input does."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from aiohttp import web

from corpus.errors import FetchError, IngestError
from corpus.service import SHIPPED_ARTICLES, Corpus, IngestLimits
from tests.conftest import EVAL_ARTICLES, REPO, need_shared

SEED_TITLES = {
    "Putin’s Military and Mercenaries Are Getting Slaughtered in Bakhmut": "19FortyFive",
    "Kyiv Says Forces Outnumbered, Battling ‘Intensifying’ Russian Attacks Near Bakhmut": "RFE/RL",
    "Russian Attempt to Cover Up Bakhmut Retreat Majorly Backfires": "The Daily Beast",
}


@pytest.fixture
async def corpus(tmp_path):
    c = await Corpus.open(tmp_path / "t.db", seed=False, limits=IngestLimits(max_file_bytes=200_000))
    yield c
    await c.close()


async def test_the_five_seeds_ingest_to_five_attributed_articles(corpus):
    results = await corpus.ingest_path(SHIPPED_ARTICLES, added_by="tests")
    assert [r.status for r in results] == ["added"] * 5, results
    articles = {a.title: a for a in await corpus.store.list_articles()}
    assert len(articles) == 5
    for title, outlet in SEED_TITLES.items():
        norm = {t.replace("’", "'"): a for t, a in articles.items()}
        assert title.replace("’", "'") in norm, sorted(articles)
        assert norm[title.replace("’", "'")].outlet == outlet
    by_outlet = {a.outlet: a for a in articles.values()}
    assert by_outlet["Antiwar.com"].published == "2023-01-24"
    assert not by_outlet["Antiwar.com"].published_inferred
    assert by_outlet["Antiwar.com"].author == "Kyle Anzalone"


async def test_reingesting_changes_nothing(corpus):
    await corpus.ingest_path(SHIPPED_ARTICLES, added_by="tests")
    before = await corpus.store.fact_counts()
    again = await corpus.ingest_path(SHIPPED_ARTICLES, added_by="tests")
    assert {r.status for r in again} == {"duplicate"}
    assert all(r.duplicate_of for r in again)
    assert await corpus.store.fact_counts() == before


async def test_a_near_duplicate_is_refused_naming_the_original(corpus, tmp_path):
    src = (SHIPPED_ARTICLES / "004_bbb34c21f022f01c.txt").read_text(encoding="utf-8")
    (added,) = await corpus.ingest_path(SHIPPED_ARTICLES / "004_bbb34c21f022f01c.txt", added_by="tests")
    changed = src.replace(
        "Russia’s plan and messaging for the apparent retreat appear to remain in flux.",
        "Moscow's messaging about the pullback keeps shifting from day to day.",
    )
    assert changed != src
    result = await corpus.ingest_text(changed, added_by="tests")
    assert result.status == "duplicate"
    assert result.duplicate_of == added.article_id
    assert str(added.article_id) in result.message and "near-duplicate" in result.message


async def test_the_eval_articles_keep_their_header_metadata(corpus):
    need_shared(EVAL_ARTICLES)
    results = await corpus.ingest_path(EVAL_ARTICLES, added_by="tests")
    assert sum(r.status == "added" for r in results) == 16, [r for r in results if r.status != "added"]
    for path in sorted(EVAL_ARTICLES.glob("*.txt")):
        header = dict(
            line.split(": ", 1) for line in path.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        )
        (a,) = [x for x in await corpus.store.list_articles(limit=100) if x.url == header["url"]]
        assert (a.title, a.outlet, a.published) == (header["title"], header["outlet"], header["date"])
        assert not a.published_inferred
    again = await corpus.ingest_path(EVAL_ARTICLES, added_by="tests")
    assert {r.status for r in again} == {"duplicate"}


async def test_a_directory_of_good_and_bad_files_keeps_the_good(corpus, tmp_path):
    d = tmp_path / "mixed"
    d.mkdir()
    (d / "good.txt").write_text("title: Good one\n\nThe first good sentence is here. Another sentence follows it.\n")
    (d / "empty.txt").write_text("")
    (d / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (d / "big.txt").write_text("word " * 60_000)
    (d / "cp1252.txt").write_bytes("title: Café\n\nThe minister said “we will hold” on Monday in Kyiv.\n".encode("cp1252"))
    results = await corpus.ingest_path(d, added_by="tests")
    status = {Path(r.source).name: r for r in results}
    assert status["good.txt"].status == "added"
    assert status["cp1252.txt"].status == "added"
    reasons = {"empty.txt": "is empty", "binary.txt": "not text", "big.txt": "too large"}
    for bad, reason in reasons.items():
        assert status[bad].status == "error", status[bad]
        assert bad in status[bad].message and reason in status[bad].message, status[bad].message
    art = await corpus.store.get_article(status["cp1252.txt"].article_id)
    assert "“we will hold”" in art.text


async def test_jsonl_gz_ingest(corpus, tmp_path):
    path = tmp_path / "news.jsonl.gz"
    rows = [
        {"id": "a1", "title": "Tanks pledged", "outlet": "Wire", "date": "2023-01-25", "url": None,
         "text": "Germany will send 14 Leopard 2 tanks to Ukraine. The decision followed weeks of debate."},
        {"id": "a2", "title": "Grain deal", "outlet": "Wire", "date": None, "url": None,
         "text": "Ships left Odesa carrying grain on Tuesday. Officials said more would follow."},
    ]
    with gzip.open(path, "wt", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
        f.write("{not json\n")
    results = await corpus.ingest_path(path, added_by="tests")
    assert [r.status for r in results].count("added") == 2
    assert [r.status for r in results].count("error") == 1
    a = [x for x in await corpus.store.list_articles() if x.title == "Tanks pledged"][0]
    assert (a.outlet, a.published) == ("Wire", "2023-01-25")


async def test_pasted_text_errors_are_friendly(corpus):
    with pytest.raises(IngestError, match="no text"):
        await corpus.ingest_text("   \n ", added_by="tests")
    with pytest.raises(IngestError, match="limit"):
        await corpus.ingest_text("x" * 300_000, added_by="tests")
    # a file path is not an article: the way forward is ingest (or attaching the file)
    with pytest.raises(IngestError, match=r"looks like a file path.*briefbot ingest data\.jsonl\.gz"):
        await corpus.ingest_text("data.jsonl.gz", added_by="tests")
    with pytest.raises(IngestError, match="file path"):
        await corpus.ingest_text("~/news/today/", added_by="tests")
    # a few words are a headline, not an article: refused with their count and the minimum
    with pytest.raises(IngestError, match=r"That text is 3 words; an article needs at least 12"):
        await corpus.ingest_text("Tanks pledged today", added_by="tests")
    assert await corpus.store.count_articles() == 0


async def test_url_ingest_and_ssrf_refusal(tmp_path):
    html = (
        "<html><head><title>Soledar falls</title><script>var stolen = document.cookie;</script></head><body>"
        "<article><h1>Soledar falls</h1><p>Ukrainian forces withdrew from Soledar on January 25, the military said."
        " The town had a prewar population of around 10,000 people.</p>"
        "<p>Fighting continued around Bakhmut for months without either side prevailing.</p></article>"
        "</body></html>"
    )

    async def page(request):
        return web.Response(text=html, content_type="text/html")

    async def hop(request):
        raise web.HTTPFound("http://127.0.0.1:1/secret")

    app = web.Application()
    app.router.add_get("/a.html", page)
    app.router.add_get("/redirect", hop)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    try:
        open_corpus = await Corpus.open(tmp_path / "u.db", seed=False, limits=IngestLimits(allow_private_urls=True))
        (r,) = await open_corpus.ingest_url(f"http://127.0.0.1:{port}/a.html", added_by="tests")
        assert r.status == "added", r
        a = await open_corpus.store.get_article(r.article_id)
        assert "document.cookie" not in a.text and "Soledar" in a.text
        assert a.url == f"http://127.0.0.1:{port}/a.html"
        await open_corpus.close()

        strict = await Corpus.open(tmp_path / "s.db", seed=False)
        with pytest.raises(FetchError):
            await strict.ingest_url(f"http://127.0.0.1:{port}/a.html", added_by="tests")
        with pytest.raises(FetchError):
            await strict.ingest_url("http://localhost/", added_by="tests")
        assert await strict.store.count_articles() == 0
        await strict.close()
    finally:
        await runner.cleanup()


def _synthetic_articles(d: Path, n: int) -> None:
    rng = random.Random(7)
    words = [f"w{i}" for i in range(3000)]
    for i in range(n):
        paras = []
        for _ in range(6):
            sents = [" ".join(rng.choice(words) for _ in range(14)).capitalize() + "." for _ in range(5)]
            paras.append(" ".join(sents))
        (d / f"{i:04d}.txt").write_text(f"title: Synthetic report {i}\n\n" + "\n\n".join(paras), encoding="utf-8")


def test_killing_an_ingest_midway_leaves_the_database_consistent(tmp_path):
    d = tmp_path / "many"
    d.mkdir()
    _synthetic_articles(d, 1500)
    db = tmp_path / "k.db"
    env = {**os.environ, "BRIEFBOT_SEED": "false", "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "bot.cli", "--db", str(db), "ingest", str(d), "--no-extract", "--json"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    count = 0
    while time.time() < deadline:
        time.sleep(0.05)
        if db.exists():
            try:
                with sqlite3.connect(db, timeout=5) as conn:
                    count = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            except sqlite3.OperationalError:
                continue
            if count >= 20:
                break
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert count >= 20, proc.stderr.read().decode()[-2000:]
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 20 <= n < 1500
        # Every stored article has all its sentences and they are searchable.
        bad = conn.execute(
            "SELECT count(*) FROM articles a WHERE a.sentence_count !="
            " (SELECT count(*) FROM sentences s WHERE s.article_id = a.id)"
        ).fetchone()[0]
        assert bad == 0
        conn.execute("INSERT INTO sentences_fts(sentences_fts) VALUES ('integrity-check')")
    # Running the same ingest again completes it without duplicates.
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads(done.stdout)
    assert summary["counts"]["added"] + summary["counts"].get("duplicate", 0) == 1500
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 1500


async def test_a_page_of_navigation_links_is_not_an_article(corpus):
    links = b"".join(b'<li><a href="/s%d">Section %d</a></li>' % (i, i) for i in range(40))
    html = b"<html><body><nav><ul>" + links + b"</ul></nav><footer>Copyright 2024</footer></body></html>"
    [result] = await corpus.ingest_bytes(html, filename="nav.html", added_by="tests")
    assert result.status == "error" and "no article text found" in result.message
    assert await corpus.store.count_articles() == 0


async def test_a_terse_wire_item_of_figures_is_an_article(corpus):
    """A plain-text earnings table has no sentence punctuation, but it is reporting, not
    page furniture: only web pages are refused for holding no prose."""
    record = {
        "id": "w1", "title": "Harlow Foods 4th qtr net", "text": (
            "Shr 27 cts vs 29 cts\n    Net 13,555,000 vs 14,635,000\n    Revs 104,606,000 vs 110,311,000\n"
            "    Avg shrs 47.2 mln vs 47.1 mln\n    12 mths\n    Shr 4.10 dlrs vs 3.66 dlrs\n Reuter"
        ),
    }
    [result] = await corpus.ingest_bytes(json.dumps(record).encode() + b"\n", filename="wire.jsonl", added_by="tests")
    assert result.status == "added", result.message
