"""One full poll cycle of many feeds, with extraction, while members keep asking.

Run: ``.venv/bin/python bench/feeds.py`` (defaults: 200 feeds x 20 items, all taken on the
first poll). Options: ``--feeds N``, ``--items N``, ``--hosts N`` (feeds are spread over this
many host names, 127.0.0.2 … on loopback, since the poller fetches one request at a time per
host), ``--workers N`` (extraction processes, as ``BRIEFBOT_EXTRACT_WORKERS``).

Why these choices: the feed server runs in its own process, so serving pages costs the bot's
event loop nothing, as with real outlets. Item pages carry real news text (the first
``feeds x items`` records of ``news-corpus.jsonl.gz``) so cleaning, deduplication and spaCy do
their real work. While the cycle runs, a probe task sleeps 10 ms and records its lateness
(``bot.monitor``), and a member asks a question every half second through the registry as a
chat front end would; the figures are the cycle time, items per second, the loop's largest
stall and the member's latency.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import itertools
import json
import multiprocessing
import re
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.monitor import LoopProbe  # noqa: E402
from bot.runner import freeze_long_lived  # noqa: E402
from corpus.extract.pipeline import Extractor  # noqa: E402
from corpus.feeds import FeedPoller  # noqa: E402
from corpus.service import Corpus, IngestLimits  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.registry import dispatch, load_commands  # noqa: E402
from handlers.types import Request  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "news-corpus.jsonl.gz"
QUESTIONS = ["How many jobs were cut?", "What did the central bank say about interest rates?",
             "How much did oil prices rise?", "Who is the chairman of the company?"]


def _records(n: int) -> list[dict]:
    out = []
    with gzip.open(NEWS, "rt", encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            if len(rec.get("text", "").split()) >= 80 and rec["text"].count(". ") >= 3:  # prose, not a table
                out.append(rec)
            if len(out) >= n:
                break
    return out


def _site(feeds: int, items: int, hosts: int, port: int) -> dict[str, bytes]:
    """Path -> body of every feed and item page."""
    records = _records(feeds * items)
    base = datetime(2024, 5, 1, tzinfo=UTC)
    pages: dict[str, bytes] = {}
    it = iter(records)
    for f in range(feeds):
        host = f"127.0.0.{2 + f % hosts}"
        entries = []
        for i in range(items):
            rec = next(it, None)
            if rec is None:
                break
            path = f"/f{f}/item{i}.html"
            # wire text wraps lines inside paragraphs and indents the next paragraph
            blocks = re.split(r"\n\s{2,}|\n\n", rec["text"])
            paragraphs = "".join(f"<p>{html.escape(' '.join(b.split()))}</p>" for b in blocks if b.strip())
            title = html.escape(rec.get("title") or f"Item {f}-{i}")
            pages[path] = f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>{paragraphs}" \
                          f"</article></body></html>".encode()
            when = format_datetime(base + timedelta(minutes=f * items + i))
            entries.append(f"<item><title>{title}</title><link>http://{host}:{port}{path}</link>"
                           f"<guid>{host}{path}</guid><pubDate>{when}</pubDate></item>")
        pages[f"/f{f}/rss.xml"] = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>Outlet {f}</title>"
                                   + "".join(entries) + "</channel></rss>").encode()
    return pages


def _serve(feeds: int, items: int, hosts: int, port_out: multiprocessing.Queue) -> None:
    """The feed server's process: bind first, then build the pages that link to that port."""
    from aiohttp import web

    pages: dict[str, bytes] = {}

    async def handle(request: web.Request) -> web.Response:
        body = pages.get(request.path)
        if body is None:
            return web.Response(status=404)
        kind = "application/rss+xml" if request.path.endswith(".xml") else "text/html"
        return web.Response(body=body, content_type=kind)

    async def main() -> None:
        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "0.0.0.0", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        pages.update(_site(feeds, items, hosts, port))
        port_out.put(port)
        await asyncio.Event().wait()

    asyncio.run(main())


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] if ordered else float("nan")


async def run(args: argparse.Namespace) -> int:
    ports: multiprocessing.Queue = multiprocessing.Queue()
    server = multiprocessing.Process(target=_serve, args=(args.feeds, args.items, args.hosts, ports), daemon=True)
    server.start()
    port = ports.get(timeout=120)
    print(f"feed server: {args.feeds} feeds x {args.items} items on {args.hosts} loopback hosts, port {port}")

    load_commands()
    db = Path(tempfile.mkdtemp()) / "feeds.db"
    corpus = await Corpus.open(db, extractor=Extractor(workers=args.workers), seed=True,
                               limits=IngestLimits(fetch_timeout=30))
    try:
        await corpus.warm()
        freeze_long_lived()  # as a running bot does once warm
        for f in range(args.feeds):
            await corpus.store.add_feed(url=f"http://127.0.0.{2 + f % args.hosts}:{port}/f{f}/rss.xml", topic="",
                                        title=None, added_by="bench", interval=900)

        def loopback_only(ip, p) -> bool:
            return ip.is_loopback and p == port

        poller = FeedPoller(corpus, first_items=args.items, concurrency=args.concurrency, address_policy=loopback_only)
        probe = LoopProbe()
        probing = asyncio.create_task(probe.run())
        latencies: list[float] = []
        stop = asyncio.Event()

        async def member() -> None:
            ctx = Context(corpus, charts=False)
            for q in itertools.cycle(QUESTIONS):
                if stop.is_set():
                    return
                t = time.perf_counter()
                await dispatch(ctx, Request("ask", {"question": q}))
                latencies.append((time.perf_counter() - t) * 1000)
                await asyncio.sleep(0.5)

        asking = asyncio.create_task(member())
        started = time.perf_counter()
        reports = await poller.poll_due()
        took = time.perf_counter() - started
        stop.set()
        await asking
        probing.cancel()
        await asyncio.gather(probing, return_exceptions=True)
        added = sum(len(r.added) for r in reports)
        failed = [r for r in reports if not r.ok]
        errors = sum(len(r.errors) for r in reports)
        duplicates = sum(r.duplicates for r in reports)
        print(f"one poll cycle: {len(reports)} feeds in {took:.1f} s; {added:,} items added "
              f"({added / took:.1f} items/s), {duplicates} duplicates, {errors} unreadable, {len(failed)} feeds failed")
        for r in failed[:5]:
            print("  ", r.line())
        for message in list(itertools.chain.from_iterable(r.errors for r in reports))[:3]:
            print("   unreadable:", message[:160])
        print(f"event loop while polling: largest lateness {probe.largest * 1000:.0f} ms, "
              f"{probe.stalls} stalls over 100 ms")
        if latencies:
            print(f"ask during the poll: n={len(latencies)} p50 {statistics.median(latencies):.0f} ms "
                  f"p99 {pct(latencies, 99):.0f} ms max {max(latencies):.0f} ms")
        again = time.perf_counter()
        for feed in await corpus.store.feeds():
            await poller.poll(feed)
        print(f"second cycle (nothing new): {time.perf_counter() - again:.1f} s")
    finally:
        await corpus.close()
        server.terminate()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--feeds", type=int, default=200)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--hosts", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    if not NEWS.exists():
        print(f"skipped: {NEWS} is not available (the ../shared data is not beside this checkout)")
        return 0
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
