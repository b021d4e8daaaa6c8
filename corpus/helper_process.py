"""One spawned worker process that a running bot hands pure-Python work to.

Threads do not take CPU work off a busy event loop: they hold the interpreter lock in turns
with it, and a loop that waits for the lock a few milliseconds at a time falls behind (the
full-corpus load run saw 100-300 ms stalls with no code of ours on the loop). Work that holds
the lock for long stretches (drawing charts, regrouping names) goes to a process of its own.

The process is a one-worker :class:`~concurrent.futures.ProcessPoolExecutor`, so every call
reaches the same process and whatever it loaded (matplotlib, an index) is kept between calls.
It is spawned, not forked: a forked copy of a bot with threads and open connections is unsafe.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

T = TypeVar("T")


class HelperProcess:
    """A process started on first use (or by :meth:`start`) and again after it died.

    A call to a process that died raises
    :class:`~concurrent.futures.process.BrokenProcessPool`; the next call starts a new
    process, and the caller decides what the lost state costs (redraw, reload).
    """

    def __init__(self, initializer: Callable[[], object] | None = None) -> None:
        self._initializer = initializer
        self._pool: ProcessPoolExecutor | None = None

    def _start(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=self._initializer
            )
        return self._pool

    async def start(self) -> None:
        """Start the process and run its initializer, before any request needs it.

        Starting a process takes the caller's thread a while (the bot's load run saw the loop
        stall 600 ms at start-up): it is done from a thread.
        """
        ready = await asyncio.to_thread(lambda: self._start().submit(_ready))
        await asyncio.wrap_future(ready)

    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in the process; ``fn`` and the arguments must pickle."""
        if self._pool is None:
            await self.start()
        pool = self._start()
        try:
            return await asyncio.wrap_future(pool.submit(fn, *args))
        except BrokenProcessPool:
            if self._pool is pool:
                self._pool = None  # the next call starts a new one
            raise

    @property
    def pid(self) -> int | None:
        """The worker's process id, once it has started."""
        pids = list(self._pool._processes or ()) if self._pool is not None else []
        return pids[0] if pids else None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def _ready() -> bool:
    return True
