"""Running a ``briefbot`` command once its arguments are parsed: open the corpus, start the
front ends, the warm-up and the loop probe for a long-running bot, or dispatch one command.

Kept apart from :mod:`bot.cli`, which parses the command line, so that ``briefbot help`` and a
mistyped command answer without importing the corpus service, the extractor and the feed
poller this module needs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import json
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from corpus.errors import CorpusError
from corpus.extract.pipeline import FACTS_VERSION, Extractor
from corpus.feeds import FeedPoller
from corpus.models import IngestResult
from corpus.service import Corpus, IngestLimits
from corpus.store import Store
from handlers.admission import Admission
from handlers.chart import ChartProcess
from handlers.context import Context, Runtime
from handlers.registry import REGISTRY, Command, dispatch
from handlers.types import Privilege, Reply, Request, User

from .monitor import LoopProbe
from .render_text import emit

if TYPE_CHECKING:
    from .settings import Settings

log = logging.getLogger(__name__)


def _cli_args(cmd: Command, ns: argparse.Namespace) -> dict:
    out = {}
    for arg in cmd.args:
        value = getattr(ns, arg.name, None)
        if isinstance(value, list):
            value = " ".join(value) if value else None
        out[arg.name] = value
    return out


async def _open_corpus(settings: Settings, *, extract: bool = True, long_running: bool = False) -> Corpus:
    limits = IngestLimits(
        max_file_bytes=settings.max_file_bytes,
        max_url_bytes=settings.max_url_bytes,
        fetch_timeout=settings.fetch_timeout,
        allow_private_urls=settings.allow_private_urls,
    )
    extractor = Extractor(workers=settings.extract_workers) if extract else None
    # a running bot regroups names in a helper process, unless told to keep every worker in
    # its own process (BRIEFBOT_EXTRACT_WORKERS=0); a one-shot command needs no extra process
    alias_process = long_running and settings.extract_workers > 0
    return await Corpus.open(settings.db, extractor=extractor, limits=limits, seed=settings.seed,
                             alias_process=alias_process)


def _result_reply(results: list[IngestResult]) -> Reply:
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to ingest"
    return Reply(
        "ingest",
        counts.get("added", 0) > 0,
        f"Ingest finished: {summary}.",
        data={"results": [
            {"source": r.source, "status": r.status, "message": r.message, "article_id": r.article_id,
             "title": r.title, "duplicate_of": r.duplicate_of}
            for r in results
        ], "counts": counts},
    )


def _progress(console: Console, *, quiet: bool) -> Any:
    """A progress bar for a long command line job; hidden for JSON or a non-terminal. Rich's
    progress module is imported here, by the commands that draw one, not by every command."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(
        TextColumn("[progress.description]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console, disable=quiet or not console.is_terminal,
    )


async def _ingest(corpus: Corpus, sources: Sequence[str], console: Console, json_output: bool) -> Reply:
    results: list[IngestResult] = []
    show = not json_output
    with _progress(console, quiet=json_output) as progress:
        task = progress.add_task("ingesting", total=None)

        def on_result(r: IngestResult) -> None:
            progress.advance(task)
            if show:
                mark = {"added": "[green]added[/]", "duplicate": "[yellow]skipped[/]"}.get(r.status, "[red]error[/]")
                from rich.markup import escape

                console.print(f"{mark} {escape(r.source)}: {escape(r.message)}")

        for src in sources:
            if src.startswith(("http://", "https://")):
                try:
                    for r in await corpus.ingest_url(src, added_by="cli"):
                        results.append(r)
                        on_result(r)
                except CorpusError as exc:
                    r = IngestResult(src, "error", exc.message)
                    results.append(r)
                    on_result(r)
            else:
                results += await corpus.ingest_path(src, added_by="cli", progress=on_result)
    return _result_reply(results)


async def _reindex(corpus: Corpus, console: Console, json_output: bool) -> Reply:
    with _progress(console, quiet=json_output) as progress:
        task = progress.add_task("reindexing", total=await corpus.store.count_articles())
        done = await corpus.reindex(actor="cli", progress=lambda d, t: progress.update(task, completed=d, total=t))
    return Reply("reindex", True, f"Re-extracted facts for {done} articles.", data={"reindexed": done})


def freeze_long_lived() -> int:
    """Move every object alive now out of the garbage collector's way, and keep full
    collections rare from now on; returns how many objects are frozen. For a long-running
    process: once when it starts, once more when its warm-up has loaded what it keeps.

    Such a process holds hundreds of thousands of long-lived objects (the imported
    libraries, the model's vocabulary, the word lists, the derived caches). Every full
    collection walks them all, holding the interpreter lock: at 20k articles the event loop
    stopped 100 ms at start-up and 300–400 ms at unpredictable moments later. Frozen, they
    are never walked (their memory is still freed by reference counting); what requests
    allocate afterwards is collected as before. No collection is run first: it would stop
    the loop as long, and the little cyclic garbage of start-up may stay. The thresholds
    stay high: caches rebuilt after a change are young and large, and at the defaults a full
    collection walked them every second or two under load (100+ ms each).
    """
    gc.set_threshold(50_000, 20, 20)
    gc.freeze()
    return gc.get_freeze_count()


async def _warm(corpus: Corpus, charts: ChartProcess | None = None) -> None:
    """What a long-running bot loads before its first request, while it already serves: the
    English model, the alias groups (for the first add; in their own process), the chart
    library (in its chart process, or here) and the caches derived from the corpus. What is
    loaded by then is frozen out of the garbage collector's way (so is what was imported
    before: collections while the heap grows stopped the loop 100 ms at a time).

    The model comes first, before the helper processes start: reading its vocabulary holds
    the interpreter lock ~40 ms in one call, which the event loop waits out, and while the
    helpers' start-up took the cores too, that wait grew to 120–155 ms.
    """
    from handlers import chart
    from handlers.warm import warm_caches

    freeze_long_lived()
    await corpus.warm()
    aliases = asyncio.create_task(corpus.aliases.load())
    try:
        if charts is not None:
            await charts.start()
        else:
            await asyncio.to_thread(chart.warm)
        await warm_caches(Context(corpus))
        await aliases
    finally:
        aliases.cancel()  # a bot stopped while starting: not left running past its corpus
    log.info("%d long-lived objects frozen out of garbage collection", freeze_long_lived())


async def run(ns: argparse.Namespace, settings: Settings) -> int:
    """Run one parsed command and return its exit code. ``run`` and ``shell`` serve until
    stopped: the front ends (or the console), the warm-up, the loop probe, the feed poller and
    the catch-up of stale facts, all stopped before the corpus closes."""
    console = Console(highlight=False, stderr=False)
    json_output = bool(getattr(ns, "json", False))
    command = ns.subcommand or "run"
    if command == "sync-commands":
        from .discord_bot import sync_commands

        if settings.discord_token is None:
            console.print("Set BRIEFBOT_DISCORD_TOKEN first (see README: Discord).")
            return 2
        guild = ns.guild or settings.discord_guild_id
        n = await sync_commands(settings, guild)
        console.print(f"Synced {n} slash commands" + (f" to guild {guild}." if guild else " globally."))
        return 0

    if command == "slack-manifest":
        from .slack_app import manifest_json

        print(manifest_json(settings, request_url=ns.request_url))
        return 0

    if command == "backup":
        return await _backup(settings, ns.path, force=ns.force, console=console)

    corpus = await _open_corpus(settings, extract=not getattr(ns, "no_extract", False),
                                long_running=command in ("run", "shell"))
    catch_up: asyncio.Task | None = None
    warming: asyncio.Task | None = None
    probing: asyncio.Task | None = None
    polling: asyncio.Task | None = None
    probe = LoopProbe()
    feeds = FeedPoller(corpus, interval=settings.feed_interval_minutes * 60, first_items=settings.feed_first_items)
    charts: ChartProcess | None = None
    try:
        if command in ("run", "shell"):
            runtime = Runtime(loop_lateness=lambda: probe.largest)
            charts = ChartProcess()
            ctx = Context(corpus, admission=Admission(), runtime=runtime, feeds=feeds, chart_process=charts)
            probing = asyncio.create_task(probe.run())
            _stop_on_signals()
        else:
            # a one-shot command on the command line has nobody waiting behind it: no time budget
            ctx = Context(corpus, budget=None, feeds=feeds)
        if command == "feeds" and getattr(ns, "action", None) == "poll":
            return await _poll_feeds(feeds, once=ns.once, console=console, json_output=json_output)
        stale = len(await corpus.store.stale_article_ids(FACTS_VERSION)) if command != "reindex" else 0
        if stale and command in ("run", "shell") and not getattr(ns, "no_extract", False):
            # Facts from an older extractor: bring them up to date while the bot serves.
            console.print(f"Updating the facts of {stale} articles extracted by an older version, in the background.")
            catch_up = asyncio.create_task(corpus.reindex(actor="upgrade", only_stale=True))
        elif stale and not json_output:
            print(f"Note: the facts of {stale} articles come from an older extractor; run `briefbot reindex`.",
                  file=sys.stderr)
        if command in ("run", "shell"):
            warming = asyncio.create_task(_warm(corpus, charts))
        if command == "run":
            polling = asyncio.create_task(feeds.run())  # one poller for every front end
            if settings.slack_bot_token is not None and settings.slack_app_token is None \
                    and settings.slack_signing_secret is None:
                console.print("Slack needs BRIEFBOT_SLACK_APP_TOKEN (Socket Mode) or BRIEFBOT_SLACK_SIGNING_SECRET "
                              "(HTTP mode) besides the bot token; see README: Slack.")
                return 2
            fronts = []
            # A chat library takes a quarter of a second to import, while the loop already serves
            # the warm-up and the probe: imported in a thread, so the loop keeps turning.
            if settings.discord_token is not None:
                discord_bot = await asyncio.to_thread(importlib.import_module, "bot.discord_bot")
                fronts.append(discord_bot.run_discord(settings, ctx))
            if settings.slack_bot_token is not None:
                slack_app = await asyncio.to_thread(importlib.import_module, "bot.slack_app")
                fronts.append(slack_app.run_slack(settings, ctx))
            if fronts:
                # every configured front end in one process and event loop, over one corpus; if
                # one stops with an error the others are stopped too, before the corpus closes
                async with asyncio.TaskGroup() as group:
                    for front in fronts:
                        group.create_task(front)
                return 0
            console.print("No chat token configured (BRIEFBOT_DISCORD_TOKEN, BRIEFBOT_SLACK_BOT_TOKEN): "
                          "starting the console.")
        if command in ("run", "shell"):
            from .console import run_console

            runtime.front_end("console", "open")
            await run_console(ctx, json_output=json_output, console=console)
            return 0
        if command == "ingest":
            reply = await _ingest(corpus, ns.sources, console, json_output)
        elif command == "reindex":
            reply = await _reindex(corpus, console, json_output)
        else:
            cmd = REGISTRY.get(command)
            assert cmd is not None
            req = Request(cmd.name, _cli_args(cmd, ns), user=User("cli", "cli"), privilege=Privilege.OWNER, channel="cli")
            reply = await dispatch(ctx, req)
        emit(console, reply, json_output)
        return 0 if not reply.error else 1
    finally:
        await _cancel(polling)
        await _cancel(probing)
        if probing is not None:
            log.info("%s", probe.summary())
        await _cancel(warming)
        if charts is not None:
            charts.close()
        await _cancel(catch_up)  # articles not yet re-extracted stay stale and are caught up next time
        await corpus.close()


async def _cancel(task: asyncio.Task | None) -> None:
    """Stop a background task and wait until it has (its own clean-up runs first)."""
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def _poll_feeds(feeds: FeedPoller, *, once: bool, console: Console, json_output: bool) -> int:
    """``briefbot feeds poll``: the due feeds now (``--once``), or keep polling until stopped."""
    if not once:
        console.print("Polling feeds as they fall due; Ctrl-C stops.")
        _stop_on_signals()  # a long-running poller, as `run`: SIGTERM stops it cleanly too
        await feeds.run()
        return 0
    reports = await feeds.poll_due()
    if json_output:
        print(json.dumps({"command": "feeds poll", "feeds": [
            {"id": r.feed_id, "ok": r.ok, "line": r.line(), "added": [a.article_id for a in r.added]} for r in reports
        ]}))
    else:
        for r in reports:
            console.print(r.line(), markup=False)
        if not reports:
            console.print("No feed is due.")
    return 0 if all(r.ok for r in reports) else 1


def _stop_on_signals() -> None:
    """SIGTERM (a service manager, ``docker stop``) and SIGINT stop the bot as Ctrl-C does: the
    main task is cancelled, so front ends close and the database is closed cleanly. SIGINT is
    set too because a bot started in the background by a shell script inherits it ignored."""
    main_task = asyncio.current_task()
    if main_task is None:
        return
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # not on Windows' loop
            loop.add_signal_handler(sig, main_task.cancel)


async def _backup(settings: Settings, target: Path, *, force: bool, console: Console) -> int:
    if target.exists() and not force:
        console.print(f"{target} exists; choose another path or add --force to replace it.")
        return 1
    if not settings.db.exists():
        console.print(f"There is no database at {settings.db} to back up.")
        return 1
    if target.resolve() == settings.db.resolve():
        console.print("The backup must go to another file than the database itself.")
        return 1
    store = await Store.open(settings.db)
    try:
        await store.backup(target)
    finally:
        await store.close()
    console.print(f"Backed up {settings.db} to {target} ({target.stat().st_size / (1 << 20):.1f} MB).")
    return 0
