"""``status``: how the bot and its corpus are doing, for the people who run it.

A moderator command because it shows channel ids and operational detail members need not
see. The command line runs it as owner (``briefbot status``), where there is no running
bot: uptime, front ends and the event loop are then reported as not running.
"""

from __future__ import annotations

from datetime import datetime

from corpus.extract.pipeline import FACTS_VERSION

from .context import Context
from .feeds import state_of
from .registry import command
from .types import Field, Privilege, Reply, Request


def _size(n: int) -> str:
    for unit, scale in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def _when(stamp: str | None, now: datetime) -> str:
    if not stamp:
        return "never"
    try:
        at = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if at.tzinfo is None:
        return stamp
    return f"{stamp[:16].replace('T', ' ')} UTC ({_duration((now - at).total_seconds())} ago)"


@command(
    "status",
    "How the bot is doing: articles, facts, database size, digests, uptime and connections.",
    privilege=Privilege.MODERATOR,
    example="status",
)
async def status_command(ctx: Context, req: Request) -> Reply:
    store = ctx.corpus.store
    now = ctx.clock()
    articles = await store.count_articles()
    versions = await store.facts_versions()
    stale = sum(n for v, n in versions.items() if v != FACTS_VERSION)
    size = store.database_bytes()
    subs = await store.subscriptions()
    feeds = await store.feeds()
    runtime = ctx.runtime

    facts = f"version {FACTS_VERSION}" + (f"; {stale:,} articles from an older version, being updated" if stale else "")
    fields = [
        Field("Articles", f"{articles:,}"),
        Field("Facts", facts),
        Field("Database", f"{_size(size)} at {store.path}"),
    ]
    if feeds:
        states = [state_of(f, now) for f in feeds]
        counts = ", ".join(f"{states.count(s)} {s}" for s in ("ok", "new", "retrying", "failing") if states.count(s))
        failing = [f"#{f.id} {f.title or f.url}: {f.last_error}" for f, s in zip(feeds, states) if s == "failing"]
        fields.append(Field(f"Feeds ({len(feeds)})", "\n".join([counts, *failing[:5]])))
    else:
        fields.append(Field("Feeds", "none"))
    if subs:
        lines = []
        for s in subs:
            what = s.kind + (f" {s.topic!r}" if s.topic else "")
            state = f"paused: {s.paused}" if s.paused else f"last digest {_when(s.posted_at, now)}"
            lines.append(f"#{s.id} {s.channel}: {what}, {state}")
        fields.append(Field(f"Digest subscriptions ({len(subs)})", "\n".join(lines)))
    else:
        fields.append(Field("Digest subscriptions", "none"))
    if runtime is not None:
        fields.append(Field("Uptime", _duration((now - runtime.started).total_seconds())))
        fronts = ", ".join(f"{name} {state}" for name, state in sorted(runtime.front_ends.items()))
        fields.append(Field("Front ends", fronts or "none connected"))
        if runtime.loop_lateness is not None:
            fields.append(Field("Event loop", f"largest delay {runtime.loop_lateness() * 1000:.0f} ms since start"))
    else:
        fields.append(Field("Bot", "not running in this process (a one-shot command line)"))
    head = f"{articles:,} articles, database {_size(size)}"
    if runtime is not None:
        head += f", up {_duration((now - runtime.started).total_seconds())}"
    if stale:
        head += f", {stale:,} articles' facts being updated"
    data = {
        "articles": articles,
        "facts_version": FACTS_VERSION,
        "facts_versions": {str(v): n for v, n in versions.items()},
        "database_bytes": size,
        "feeds": [{"id": f.id, "url": f.url, "state": state_of(f, now), "last_success": f.last_success_at,
                   "items_ingested": f.items_ingested} for f in feeds],
        "subscriptions": [
            {"id": s.id, "channel": s.channel, "kind": s.kind, "topic": s.topic, "posted_at": s.posted_at,
             "paused": s.paused}
            for s in subs
        ],
        "uptime_seconds": (now - runtime.started).total_seconds() if runtime else None,
        "front_ends": dict(runtime.front_ends) if runtime else {},
        "loop_lateness_ms": round(runtime.loop_lateness() * 1000) if runtime and runtime.loop_lateness else None,
    }
    return Reply("status", True, head, title="Status", fields=fields, data=data)
