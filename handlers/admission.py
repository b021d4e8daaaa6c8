"""Admission: work that piles up is refused early, not answered late.

A busy channel sends commands faster than they can be answered; queued without limit, every
answer arrives later and later, and on Discord a slash command acknowledged but answered a
minute later is as good as lost. Each request waits its turn in one of two lanes — quick
reads, and heavy work (adding articles, charts, many-article summaries: commands marked
``heavy`` or ``slow``) with its own small limit so it can never starve the quick ones — and
one that would wait longer than ``max_wait`` (judged from how many are ahead of it and how
long recent requests of its lane took) is told at once to try again in a moment.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

from .types import UserError

T = TypeVar("T")


class Busy(UserError):
    """Too much work ahead of this request: answering it would take too long."""


@dataclass
class _Lane:
    limit: int
    average: float  # seconds per request, a moving average
    waiting: int = 0
    running: int = 0
    semaphore: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.semaphore = asyncio.Semaphore(self.limit)

    def expected_wait(self) -> float:
        """Seconds before a request arriving now would start."""
        ahead = self.waiting + self.running - self.limit + 1
        return max(0, math.ceil(ahead / self.limit)) * self.average


class Admission:
    """Two lanes of bounded concurrency and the refusal of work that would wait too long."""

    def __init__(self, *, quick: int = 8, heavy: int = 1, max_wait: float = 10.0) -> None:
        self.max_wait = max_wait
        self.lanes = {"quick": _Lane(quick, 0.05), "heavy": _Lane(heavy, 2.0)}
        self.refused = 0

    async def run(self, heavy: bool, work: Callable[[], Awaitable[T]]) -> T:
        lane = self.lanes["heavy" if heavy else "quick"]
        wait = lane.expected_wait()
        if wait > self.max_wait:
            self.refused += 1
            ahead = lane.waiting + lane.running
            raise Busy(f"Busy — {ahead} requests are ahead of yours (about {wait:.0f} s); try again in a moment.")
        lane.waiting += 1
        try:
            await lane.semaphore.acquire()
        finally:
            lane.waiting -= 1
        lane.running += 1
        started = time.monotonic()
        try:
            return await work()
        finally:
            lane.running -= 1
            lane.semaphore.release()
            lane.average = 0.8 * lane.average + 0.2 * (time.monotonic() - started)
