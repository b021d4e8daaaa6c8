"""``status``: what a moderator sees about the running bot and its corpus."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from corpus.service import Corpus
from handlers.context import Context, Runtime
from handlers.registry import dispatch
from handlers.types import Privilege, Request


async def test_status_is_for_moderators(seed_ctx: Context) -> None:
    reply = await dispatch(seed_ctx, Request("status", privilege=Privilege.MEMBER))
    assert reply.error and "moderator" in reply.text


async def test_status_of_a_running_bot(seed_corpus: Corpus) -> None:
    now = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    runtime = Runtime(started=now - timedelta(hours=2, minutes=5), loop_lateness=lambda: 0.042)
    runtime.front_end("discord", "connected")
    ctx = Context(seed_corpus, clock=lambda: now, runtime=runtime)
    sub = await seed_corpus.store.add_subscription(
        channel="C123", kind="new", weekday=None, at_time=None, topic="", created_by="mod", marker=None,
    )
    await seed_corpus.store.mark_posted(sub.id, slot=None, marker="m")
    await seed_corpus.store.add_feed(url="https://news.example/rss.xml", topic="", title="Example News",
                                     added_by="mod", interval=900)
    reply = await dispatch(ctx, Request("status", privilege=Privilege.MODERATOR))
    assert reply.answered and reply.text.startswith("5 articles, database ")
    assert "up 2 h 5 min" in reply.text
    fields = {f.name: f.value for f in reply.fields}
    assert fields["Front ends"] == "discord connected"
    assert fields["Event loop"] == "largest delay 42 ms since start"
    assert "#%d C123: new, last digest 20" % sub.id in fields["Digest subscriptions (1)"]
    assert reply.data["subscriptions"][0]["posted_at"] is not None
    assert reply.data["loop_lateness_ms"] == 42
    assert fields["Feeds (1)"] == "1 new" and reply.data["feeds"][0]["state"] == "new"
