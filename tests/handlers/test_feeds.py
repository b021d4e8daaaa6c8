"""``feed`` and ``feeds`` through the registry, and a ``subscribe new`` digest fired by a
feed item, against the loopback feed server of the corpus tests."""

from __future__ import annotations

from bot.digest_scheduler import digest_to_post, due_now
from corpus.service import Corpus
from handlers.context import Context
from handlers.registry import dispatch
from handlers.types import Privilege, Request
from tests.corpus.test_feeds import corpus, items, poller_for, rss, server  # noqa: F401 - fixtures

MOD = Privilege.MODERATOR


def req(command: str, privilege: Privilege = MOD, **args) -> Request:
    return Request(command, args, privilege=privilege, channel="discord:42")


async def test_a_moderator_follows_checks_lists_and_removes_a_feed(corpus: Corpus, server) -> None:  # noqa: F811
    server.set("/rss.xml", rss(items(server, range(1, 4))))
    ctx = Context(corpus, feeds=poller_for(corpus, server))
    refused = await dispatch(ctx, req("feed", Privilege.MEMBER, action="add", target=server.url("/rss.xml")))
    assert refused.error and "moderator" in refused.text
    added = await dispatch(ctx, req("feed", action="add", target=server.url("/rss.xml")))
    assert added.answered and added.text.startswith("Following feed #1: Harbour Gazette (3 items)"), added.text
    twice = await dispatch(ctx, req("feed", action="add", target=server.url("/rss.xml")))
    assert twice.error and "already followed (#1)" in twice.text
    checked = await dispatch(ctx, req("feed", action="check", target="1"))
    assert checked.text.startswith("Feed #1 polled: 3 items, 3 new, 3 added"), checked.text
    assert checked.data["poll"]["added"] and await corpus.store.count_articles() == 3
    listing = await dispatch(ctx, req("feeds", Privilege.MEMBER))
    assert listing.answered and listing.table[0][:4] == ["1", "Harbour Gazette", "", "ok"]
    assert listing.table[0][5] == "3"
    removed = await dispatch(ctx, req("feed", action="remove", target="#1"))
    assert removed.answered and "Its articles stay" in removed.text
    assert await corpus.store.count_articles() == 3 and not await corpus.store.feeds()


async def test_a_page_that_is_no_feed_is_not_followed(corpus: Corpus, server) -> None:  # noqa: F811
    server.set("/page.html", "<html><body><p>Just a page.</p></body></html>", content_type="text/html")
    ctx = Context(corpus, feeds=poller_for(corpus, server))
    reply = await dispatch(ctx, req("feed", action="add", target=server.url("/page.html")))
    assert reply.error and "not a feed" in reply.text and not await corpus.store.feeds()
    private = await dispatch(ctx, req("feed", action="add", target="http://192.168.1.20/rss.xml"))
    assert private.error and "private" in private.text.lower()


async def test_a_feed_item_fires_a_subscribe_new_digest(corpus: Corpus, server) -> None:  # noqa: F811
    server.set("/rss.xml", rss(items(server, range(1, 3))))
    ctx = Context(corpus, feeds=poller_for(corpus, server))
    sub = await dispatch(ctx, req("subscribe", schedule="new"))
    assert sub.answered, sub.text
    [subscription] = await corpus.store.subscriptions()
    assert await due_now(ctx, subscription, ctx.clock()) is None
    await dispatch(ctx, req("feed", action="add", target=server.url("/rss.xml")))
    await dispatch(ctx, req("feed", action="check", target="1"))
    due = await due_now(ctx, subscription, ctx.clock())
    assert due is not None
    digest = await digest_to_post(ctx, subscription, due[0])
    assert digest is not None and digest.text == "2 new articles since the start."
    assert digest.data["articles"] == [1, 2] and "on day 2" in "".join(f.value for f in digest.fields)


async def test_a_feed_failing_for_a_day_is_shown_as_failing_and_recovers(corpus: Corpus) -> None:  # noqa: F811
    from datetime import datetime, timedelta

    feed = await corpus.store.add_feed(url="https://gone.example/rss.xml", topic="", title="Gone",
                                       added_by="mod", interval=900)
    await corpus.store.feed_failed(feed.id, error="https://gone.example/rss.xml answered HTTP 503.",
                                   next_poll_at="2099-01-01")
    since = datetime.fromisoformat((await corpus.store.get_feed(feed.id)).failing_since)
    hour_later = await dispatch(Context(corpus, clock=lambda: since + timedelta(hours=1)), req("feeds"))
    assert hour_later.table[0][3].startswith("retrying: ") and "failing" not in hour_later.text
    day_later = await dispatch(Context(corpus, clock=lambda: since + timedelta(hours=25)), req("feeds"))
    assert day_later.text == "1 feed followed, 1 failing for over a day"
    assert day_later.table[0][3] == "failing: https://gone.example/rss.xml answered HTTP 503."
    await corpus.store.feed_polled(feed.id, etag=None, last_modified=None, title=None, next_poll_at="2099-01-01")
    healed = await dispatch(Context(corpus, clock=lambda: since + timedelta(hours=26)), req("feeds"))
    assert healed.table[0][3] == "ok"
