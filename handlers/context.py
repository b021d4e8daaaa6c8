"""What a handler gets besides the request: the corpus and a clock.

Front ends build one :class:`Context` at start-up and pass it to every dispatch, so
handlers never reach for globals or settings of their own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from .admission import Admission

if TYPE_CHECKING:
    # for the annotations only: importing the service (the cleaner, the extractor's modules)
    # is a tenth of a second that `briefbot help` does not need
    from corpus.service import Corpus


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Runtime:
    """What a running bot knows about itself, for ``status``: since when it runs, which
    front ends are connected (set by the front ends), and how late its event loop has run."""

    started: datetime = field(default_factory=_utcnow)
    front_ends: dict[str, str] = field(default_factory=dict)  # name -> "connected", "disconnected"…
    #: Largest lateness of the event loop so far, in seconds (the probe of ``bot.monitor``).
    loop_lateness: Callable[[], float] | None = None

    def front_end(self, name: str, state: str) -> None:
        self.front_ends[name] = state


@dataclass(slots=True)
class Context:
    corpus: Corpus
    clock: Callable[[], datetime] = field(default=_utcnow)
    max_results: int = 8
    #: Render chart images (compare). Latency benchmarks switch it off to time the query alone.
    charts: bool = True
    #: Where a running bot draws its charts (:class:`handlers.chart.ChartProcess`); None: a thread.
    chart_process: Any = None
    #: Seconds a read command (any member may run) may take before it is stopped with "too
    #: broad, narrow it down"; writes (add, remove, reindex) always finish. None: no limit.
    budget: float | None = 8.0
    #: Bounded concurrency and early "busy" refusals (:mod:`handlers.admission`); chat front
    #: ends set one, a one-shot command line does not need it.
    admission: Admission | None = None
    #: Set by a long-running bot (``briefbot run``, the console); None on a one-shot command line.
    runtime: Runtime | None = None
    #: The feed poller (:class:`corpus.feeds.FeedPoller`) of a running bot; ``feed`` makes one
    #: for the request when none runs.
    feeds: Any = None


T = TypeVar("T")

log = logging.getLogger(__name__)

#: A derived index whose last build took longer than this is rebuilt in the background after
#: the corpus changes, the previous one answering meanwhile; a quicker one is rebuilt at once.
#: Low, because feeds change the corpus with every item: at 0.25 s a member's question paid
#: a rebuild after each one (``bench/feeds.py`` with 40 feeds: ask p50 120 ms, p99 969 ms;
#: at 0.05 s: 35 ms and 171 ms). The seed-sized corpora of the tests still rebuild at once.
INLINE_BUILD = 0.05
#: Background rebuilds, all indexes together, run at most one part in this many of the time:
#: each waits, before it starts, this many times the previous one's duration less one. A
#: corpus that changes every few seconds (an ingest, feeds) then spends at most a tenth of a
#: core on them, however many indexes it has; a rebuild after a quiet spell starts at once.
#: (Paced per index instead, five indexes took up to half a core: a py-spy profile of the
#: full-corpus load had rebuild threads holding the interpreter lock 44% of the time.)
REFRESH_SPACING = 10.0


async def per_generation(ctx: Context, key: str, build: Callable[[], Awaitable[T]]) -> T:
    """A value derived from the corpus (a name index, a vocabulary), rebuilt only after
    the corpus has changed, so hot commands don't redo it on every request.

    No request pays for an expensive rebuild: when the last build was slow (a large
    corpus), the previous generation keeps answering while the next one is built in the
    background; a build should do its CPU work off the event loop (``asyncio.to_thread``).
    A cheap one (a small corpus) is rebuilt at once, so an answer never lags behind.
    """
    corpus = ctx.corpus
    hit: Any = corpus.derived.get(key)
    if hit is not None and hit[0] == corpus.generation:
        return hit[1]
    if hit is not None and hit[2] > INLINE_BUILD:
        _refresh(ctx, key, build, hit[2])
        return hit[1]
    return await _build(ctx, key, build)


async def _build(ctx: Context, key: str, build: Callable[[], Awaitable[T]]) -> T:
    corpus = ctx.corpus
    generation = corpus.generation
    started = time.perf_counter()
    value = await build()
    corpus.derived[key] = (generation, value, time.perf_counter() - started)
    return value


def _refresh(ctx: Context, key: str, build: Callable[[], Awaitable[Any]], took: float) -> None:
    corpus = ctx.corpus
    running = corpus.refreshing.get(key)
    if running is not None and not running.done():
        return

    async def rebuild() -> None:
        try:
            # one background rebuild at a time: several at once would each hold the
            # interpreter lock in turn and leave the event loop a fraction of a core
            async with corpus.rebuilding:
                pause = corpus.rebuild_after - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)
                if corpus.derived.get(key, (None,))[0] == corpus.generation:
                    return  # built meanwhile, by a request that could not wait
                started = time.monotonic()
                try:
                    await _build(ctx, key, build)
                finally:
                    ended = time.monotonic()
                    corpus.rebuild_after = ended + (REFRESH_SPACING - 1) * (ended - started)
        except Exception:
            log.exception("rebuilding %s failed; the previous one keeps answering", key)

    corpus.refreshing[key] = asyncio.get_running_loop().create_task(rebuild())
