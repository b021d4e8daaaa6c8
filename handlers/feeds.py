"""``feed`` and ``feeds``: the RSS/Atom feeds that keep the corpus current.

Moderators add, remove and check feeds; anyone may list them with their health. A running
bot polls them in the background (:class:`corpus.feeds.FeedPoller`); ``feed check`` polls
one now and says what it found.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from corpus.errors import CorpusError
from corpus.feeds import FAILING_AFTER, FeedPoller, parse_feed
from corpus.models import Feed

from .context import Context
from .digest import human_time
from .registry import Arg, command
from .types import Privilege, Reply, Request, UserError


def poller(ctx: Context) -> FeedPoller:
    """The running bot's poller (its per-host limits and schedule), or one for this request."""
    if ctx.feeds is None:
        ctx.feeds = FeedPoller(ctx.corpus)
    return ctx.feeds


def _feed_id(raw: object) -> int:
    try:
        return int(str(raw).lstrip("#"))
    except ValueError:
        raise UserError(f"Feed ids are numbers (got {str(raw)[:40]!r}). `feeds` lists them.") from None


async def _feed(ctx: Context, raw: object) -> Feed:
    feed = await ctx.corpus.store.get_feed(_feed_id(raw))
    if feed is None:
        raise UserError(f"There is no feed {raw}. `feeds` lists them.")
    return feed


def state_of(feed: Feed, now: datetime) -> str:
    """ok, new (never polled), retrying (failing for a while) or failing (for over a day)."""
    if feed.failing_since:
        since = datetime.fromisoformat(feed.failing_since)
        return "failing" if now - since >= FAILING_AFTER else "retrying"
    return "ok" if feed.polled else "new"


async def _add(ctx: Context, req: Request, url: str, topic: str) -> Reply:
    store = ctx.corpus.store
    poll = poller(ctx)
    known = await store.feed_by_url(url)
    if known is not None:
        raise UserError(f"That feed is already followed (#{known.id}). `feeds` lists them.")
    try:
        fetched = await poll.fetch_feed(url)
        parsed = await asyncio.to_thread(parse_feed, fetched.body)
    except CorpusError as exc:
        raise UserError(f"Could not add that feed: {exc.message}") from None
    feed = await store.add_feed(url=url, topic=topic, title=parsed.title, added_by=req.user.name,
                                interval=poll.interval)
    await store.record_change(req.user.name, "feed add", None, f"#{feed.id} {url}")
    first = min(len(parsed.entries), poll.first_items)
    about = f" about {topic!r}" if topic else ""
    return Reply(
        "feed", True,
        f"Following feed #{feed.id}: {parsed.title or url} ({len(parsed.entries)} items). The newest {first}"
        f"{about} will be added at the first poll, then new ones every {poll.interval // 60} min.",
        data={"feed": {"id": feed.id, "url": url, "title": parsed.title, "topic": topic, "items": len(parsed.entries)}},
    )


@command(
    "feed",
    "Follow an RSS/Atom feed (add), stop following one (remove), or poll one now (check).",
    args=(
        Arg("action", "add, remove or check", kind="choice", choices=("add", "remove", "check")),
        Arg("target", "the feed's URL (add) or its id (remove, check; see `feeds`)", kind="word"),
        Arg("topic", "add only items about this", required=False),
    ),
    privilege=Privilege.MODERATOR,
    slow=True,
    example="feed add https://example.com/world/rss.xml Bakhmut",
)
async def feed_command(ctx: Context, req: Request) -> Reply:
    action, target, topic = req.args["action"], str(req.args["target"]), (req.args.get("topic") or "").strip()
    if action == "add":
        return await _add(ctx, req, target, topic)
    if topic:
        raise UserError(f"`feed {action}` takes a feed id only.")
    feed = await _feed(ctx, target)
    if action == "remove":
        await ctx.corpus.store.remove_feed(feed.id)
        await ctx.corpus.store.record_change(req.user.name, "feed remove", None, f"#{feed.id} {feed.url}")
        return Reply("feed", True, f"Stopped following feed #{feed.id} ({feed.title or feed.url}). "
                                   "Its articles stay in the corpus.")
    report = await poller(ctx).poll(feed)
    if not report.ok:
        return Reply("feed", False, f"Feed #{feed.id} could not be polled: {report.message}",
                     data={"poll": {"ok": False, "error": report.message}})
    lines = [report.line().replace(f"feed #{feed.id}: ", f"Feed #{feed.id} polled: ", 1) + "."]
    for result in report.added[:10]:
        lines.append(f"added #{result.article_id}: {result.title or result.source}")
    if len(report.added) > 10:
        lines.append(f"… and {len(report.added) - 10} more")
    for error in report.errors[:5]:
        lines.append(f"could not read: {error}")
    return Reply(
        "feed", True, "\n".join(lines),
        data={"poll": {"ok": True, "not_modified": report.not_modified, "found": report.found, "new": report.new,
                       "added": [r.article_id for r in report.added], "duplicates": report.duplicates,
                       "off_topic": report.skipped_topic, "skipped_old": report.skipped_old,
                       "errors": report.errors}},
    )


@command(
    "feeds",
    "List the feeds the corpus follows, with their health and next poll.",
    example="feeds",
)
async def feeds_command(ctx: Context, req: Request) -> Reply:
    feeds = await ctx.corpus.store.feeds()
    if not feeds:
        return Reply("feeds", False, "No feeds are followed. A moderator can add one: `feed add <url> [topic]`.")
    now = ctx.clock()
    rows = []
    failing = 0
    for f in feeds:
        state = state_of(f, now)
        failing += state == "failing"
        note = f"{state}: {f.last_error}" if f.failing_since and f.last_error else state
        rows.append([
            str(f.id), (f.title or f.url)[:60], f.topic or "", note[:120],
            human_time(f.last_success_at) if f.last_success_at else "never",
            str(f.items_ingested), human_time(f.next_poll_at),
        ])
    head = f"{len(feeds)} feed{'s' if len(feeds) != 1 else ''} followed" + (f", {failing} failing for over a day" if failing else "")
    return Reply(
        "feeds", True, head, title="Feeds",
        columns=["id", "feed", "topic", "state", "last success", "items added", "next poll"],
        table=rows,
        data={"feeds": [
            {"id": f.id, "url": f.url, "title": f.title, "topic": f.topic, "state": state_of(f, now),
             "last_success": f.last_success_at, "last_error": f.last_error, "items_ingested": f.items_ingested,
             "next_poll": f.next_poll_at}
            for f in feeds
        ]},
    )
