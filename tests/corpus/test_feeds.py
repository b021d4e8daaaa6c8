"""Feeds polled from a local feed server on loopback: RSS and Atom, conditional GET, pages
that fail, redirects to private addresses, broken XML, duplicates and backoff."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import pytest_asyncio
from aiohttp import web

from corpus.feeds import FeedPoller, canonical_url, matches_topic, parse_feed
from corpus.service import Corpus, IngestLimits
from corpus.store import stamp

WORDS = (
    "The regional council approved the new budget on Tuesday after a long debate about transport,"
    " schools and the cost of heating public buildings during the winter months."
)


def article_html(n: int, topic: str = "harbour") -> str:
    return (
        f"<html><head><title>Story {n}</title></head><body><article><h1>Story {n}</h1>"
        f"<p>Officials said {n + 2} ships reached the {topic} on day {n}, the port authority reported.</p>"
        f"<p>{WORDS} Item number {n} was discussed at length by {n * 3} councillors.</p>"
        f"<p>The mayor said the {topic} would stay open through the night for story {n}.</p>"
        "</article></body></html>"
    )


def rss(items: list[dict], title: str = "Harbour Gazette") -> str:
    body = "".join(
        f"<item><title>{i['title']}</title><link>{i['link']}</link><guid>{i.get('guid', i['link'])}</guid>"
        f"<pubDate>{format_datetime(i['date'])}</pubDate><description>{i.get('summary', '')}</description></item>"
        for i in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>{body}</channel></rss>'


@dataclass
class FeedServer:
    """Routes set per test; counts requests and 304s."""

    routes: dict[str, tuple[int, str, dict[str, str]]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    not_modified: int = 0
    etags: dict[str, str] = field(default_factory=dict)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set(self, path: str, body: str, *, status: int = 200, content_type: str = "application/rss+xml",
            headers: dict[str, str] | None = None, etag: str | None = None) -> None:
        self.routes[path] = (status, body, {"Content-Type": content_type, **(headers or {})})
        if etag:
            self.etags[path] = etag

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path_qs if request.path_qs in self.routes else request.path
        self.hits[path] = self.hits.get(path, 0) + 1
        if path not in self.routes:
            return web.Response(status=404, text="not here")
        status, body, headers = self.routes[path]
        etag = self.etags.get(path)
        if etag and request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        if etag:
            headers = {**headers, "ETag": etag}
        return web.Response(status=status, body=body.encode(), headers=headers)


@pytest_asyncio.fixture
async def server() -> AsyncIterator[FeedServer]:
    srv = FeedServer()
    app = web.Application()
    app.router.add_route("GET", "/{tail:.*}", srv.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    srv.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield srv
    await runner.cleanup()


@pytest_asyncio.fixture
async def corpus(tmp_path) -> AsyncIterator[Corpus]:
    c = await Corpus.open(tmp_path / "feeds.db", seed=False, limits=IngestLimits(fetch_timeout=5))
    yield c
    await c.close()


def poller_for(corpus: Corpus, server: FeedServer, **options) -> FeedPoller:
    """Admits this test server's loopback port only: every other private address stays refused."""

    def policy(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int) -> bool:
        return ip.is_loopback and port == server.port

    return FeedPoller(corpus, address_policy=policy, **options)


def items(server: FeedServer, ns: range, *, topic: str = "harbour", query: str = "") -> list[dict]:
    base = datetime(2024, 5, 1, tzinfo=UTC)
    out = []
    for n in ns:
        server.set(f"/a/{n}.html", article_html(n, topic), content_type="text/html")
        out.append({"title": f"Story {n}", "link": server.url(f"/a/{n}.html{query}"), "date": base + timedelta(hours=n)})
    return out


async def add(corpus: Corpus, url: str, topic: str = "") -> int:
    feed = await corpus.store.add_feed(url=url, topic=topic, title=None, added_by="mod", interval=900)
    return feed.id


def test_canonical_url_drops_tracking_and_fragments():
    assert canonical_url("HTTPS://News.Example:443/a/1/?utm_source=rss&id=7&fbclid=x#top") == "https://news.example/a/1?id=7"
    assert canonical_url("http://news.example/a/1") == canonical_url("http://news.example/a/1/?utm_medium=feed")


def test_topic_matching_uses_the_stems_of_every_topic_word():
    assert matches_topic("harbour closures", "The harbour was closed", "after two closure orders")
    assert not matches_topic("harbour closures", "The harbour stayed open")


async def test_rss_items_are_added_with_their_metadata_then_a_304_costs_nothing(corpus, server):
    server.set("/rss.xml", rss(items(server, range(1, 4))), etag='"v1"')
    feed_id = await add(corpus, server.url("/rss.xml"))
    poller = poller_for(corpus, server)
    report = await poller.poll(await corpus.store.get_feed(feed_id))
    assert report.ok and len(report.added) == 3, report
    articles = await corpus.store.list_articles(None, limit=10)
    assert sorted(a.title for a in articles) == ["Story 1", "Story 2", "Story 3"]
    assert {a.outlet for a in articles} == {"Harbour Gazette"}
    assert {a.url for a in articles} == {server.url(f"/a/{n}.html") for n in (1, 2, 3)}
    again = await poller.poll(await corpus.store.get_feed(feed_id))
    assert again.ok and again.not_modified and server.not_modified == 1
    feed = await corpus.store.get_feed(feed_id)
    assert feed.items_ingested == 3 and feed.etag == '"v1"' and feed.last_success_at and not feed.failures


async def test_atom_feeds_are_read_too(corpus, server):
    entries = "".join(
        f"<entry><title>Story {n}</title><link href='{server.url(f'/a/{n}.html')}'/><id>urn:story:{n}</id>"
        f"<updated>2024-05-0{n}T10:00:00Z</updated><summary>Short {n}</summary></entry>"
        for n in (1, 2)
    )
    items(server, range(1, 3))
    server.set("/atom.xml", f"<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>Port Wire</title>"
                            f"{entries}</feed>", content_type="application/atom+xml")
    report = await poller_for(corpus, server).poll(await corpus.store.get_feed(await add(corpus, server.url("/atom.xml"))))
    assert len(report.added) == 2 and {a.outlet for a in await corpus.store.list_articles(None)} == {"Port Wire"}


async def test_an_item_whose_page_is_gone_is_taken_from_its_summary(corpus, server):
    gone = {"title": "Harbour reopens", "link": server.url("/gone.html"), "date": datetime(2024, 5, 2, tzinfo=UTC),
            "summary": "&lt;p&gt;" + WORDS + " The harbour reopened at dawn, officials said.&lt;/p&gt;"}
    server.set("/rss.xml", rss([gone]))
    report = await poller_for(corpus, server).poll(await corpus.store.get_feed(await add(corpus, server.url("/rss.xml"))))
    assert len(report.added) == 1, report
    [article] = await corpus.store.list_articles(None)
    text = (await corpus.store.get_article(article.id)).text
    assert "The harbour reopened at dawn" in text and "<p>" not in text and article.title == "Harbour reopens"


async def test_a_feed_that_redirects_to_a_private_address_is_refused(corpus, server):
    server.set("/rss.xml", "", status=302, headers={"Location": "http://10.0.0.7/feed.xml"})
    feed_id = await add(corpus, server.url("/rss.xml"))
    report = await poller_for(corpus, server).poll(await corpus.store.get_feed(feed_id))
    assert not report.ok and "private" in report.message.lower(), report.message
    feed = await corpus.store.get_feed(feed_id)
    assert feed.failures == 1 and feed.failing_since and feed.last_error == report.message


async def test_broken_xml_still_gives_the_items_it_holds(corpus, server):
    broken = rss(items(server, range(1, 3))).replace("</channel></rss>", "<item><title>Unclosed & bad")
    server.set("/rss.xml", broken)
    report = await poller_for(corpus, server).poll(await corpus.store.get_feed(await add(corpus, server.url("/rss.xml"))))
    assert report.ok and len(report.added) >= 2
    server.set("/junk.xml", "<html><body>not a feed at all</body>", content_type="text/html")
    bad = await poller_for(corpus, server).poll(await corpus.store.get_feed(await add(corpus, server.url("/junk.xml"))))
    assert not bad.ok and "not a feed" in bad.message


async def test_each_item_lands_once_across_polls_feeds_and_a_restart(tmp_path, server):
    db = tmp_path / "restart.db"
    server.set("/one.xml", rss(items(server, range(1, 4))))
    server.set("/two.xml", rss(items(server, range(2, 5), query="?utm_source=rss&utm_medium=feed"), title="Other"))
    corpus = await Corpus.open(db, seed=False)
    try:
        one, two = await add(corpus, server.url("/one.xml")), await add(corpus, server.url("/two.xml"))
        poller = poller_for(corpus, server)
        first = await poller.poll(await corpus.store.get_feed(one))
        second = await poller.poll(await corpus.store.get_feed(two))
        assert len(first.added) == 3 and len(second.added) == 1 and second.duplicates == 2
        again = await poller.poll(await corpus.store.get_feed(one))
        assert again.new == 0 and not again.added
    finally:
        await corpus.close()
    reopened = await Corpus.open(db, seed=False)
    try:
        poller = poller_for(reopened, server)
        for feed_id in (one, two):
            report = await poller.poll(await reopened.store.get_feed(feed_id))
            assert report.new == 0 and not report.added
        assert await reopened.store.count_articles() == 4
    finally:
        await reopened.close()


async def test_a_crash_mid_poll_neither_loses_nor_repeats_an_item(corpus, server, monkeypatch):
    server.set("/rss.xml", rss(items(server, range(1, 5))))
    feed_id = await add(corpus, server.url("/rss.xml"))
    real = corpus.ingest_documents
    calls = 0

    async def crashing(docs, **kwargs):
        nonlocal calls
        calls += 1
        results = await real(docs, **kwargs)
        if calls == 2:  # the second item is stored, then the process dies before recording it
            raise RuntimeError("killed")
        return results

    monkeypatch.setattr(corpus, "ingest_documents", crashing)
    poller = poller_for(corpus, server)
    with pytest.raises(RuntimeError):
        await poller.poll(await corpus.store.get_feed(feed_id))
    monkeypatch.setattr(corpus, "ingest_documents", real)
    report = await poller.poll(await corpus.store.get_feed(feed_id))
    assert report.ok and report.new == 3 and len(report.added) == 2 and report.duplicates == 1
    assert await corpus.store.count_articles() == 4


async def test_the_first_poll_takes_only_the_newest_items(corpus, server):
    all_items = items(server, range(1, 16))
    server.set("/rss.xml", rss(all_items))
    feed_id = await add(corpus, server.url("/rss.xml"))
    poller = poller_for(corpus, server, first_items=10)
    report = await poller.poll(await corpus.store.get_feed(feed_id))
    assert len(report.added) == 10 and report.skipped_old == 5
    assert {a.title for a in await corpus.store.list_articles(None, limit=50)} == {f"Story {n}" for n in range(6, 16)}
    server.set("/rss.xml", rss(all_items + items(server, range(16, 17))))
    later = await poller.poll(await corpus.store.get_feed(feed_id))
    assert [r.title for r in later.added] == ["Story 16"] and later.skipped_old == 0


async def test_a_topic_keeps_only_the_items_about_it(corpus, server):
    server.set("/rss.xml", rss(items(server, range(1, 3)) + items(server, range(3, 5), topic="airport")))
    feed_id = (await corpus.store.add_feed(url=server.url("/rss.xml"), topic="airport", title=None,
                                           added_by="mod", interval=900)).id
    report = await poller_for(corpus, server).poll(await corpus.store.get_feed(feed_id))
    assert [r.title for r in report.added] == ["Story 4", "Story 3"] and report.skipped_topic == 2


async def test_failures_back_off_and_retry_after_is_honoured(corpus, server):
    server.set("/busy.xml", "slow down", status=429, content_type="text/plain", headers={"Retry-After": "7200"})
    server.set("/down.xml", "oops", status=500, content_type="text/plain")
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    poller = poller_for(corpus, server, clock=lambda: now)
    busy = await poller.poll(await corpus.store.get_feed(await add(corpus, server.url("/busy.xml"))))
    assert not busy.ok and busy.next_poll_at >= stamp(now + timedelta(seconds=7200))
    down_id = await add(corpus, server.url("/down.xml"))
    down = await poller.poll(await corpus.store.get_feed(down_id))
    assert stamp(now + timedelta(seconds=900 * 2 * 0.8)) <= down.next_poll_at <= stamp(now + timedelta(seconds=900 * 2 * 1.2))
    again = await poller.poll(await corpus.store.get_feed(down_id))
    assert again.next_poll_at >= stamp(now + timedelta(seconds=900 * 4 * 0.8))  # doubled
    server.set("/down.xml", rss(items(server, range(1, 2))))
    healed = await poller.poll(await corpus.store.get_feed(down_id))
    feed = await corpus.store.get_feed(down_id)
    assert healed.ok and feed.failures == 0 and feed.failing_since is None


def test_parse_feed_orders_items_newest_first():
    xml = rss([
        {"title": "old", "link": "http://x/1", "date": datetime(2024, 1, 1, tzinfo=UTC)},
        {"title": "new", "link": "http://x/2", "date": datetime(2024, 3, 1, tzinfo=UTC)},
    ])
    assert [e.title for e in parse_feed(xml.encode()).entries] == ["new", "old"]
