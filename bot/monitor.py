"""How late the event loop runs: a probe task that sleeps 10 ms and records its lateness.

Anything that blocks the loop (CPU work not moved to a thread, a synchronous call) delays every
reply and, on Discord, heartbeats and the 3-second interaction window. The probe makes such a
stall visible: a warning when one passes the limit, the largest one in ``status``, and a summary
line when the bot stops.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

#: The probe's sleep: short enough to see a 100 ms stall, long enough to cost nothing.
INTERVAL = 0.010
#: A stall longer than this is logged as it happens.
WARN_AFTER = 0.100


@dataclass
class LoopProbe:
    """Lateness of the event loop since the probe started (seconds)."""

    interval: float = INTERVAL
    warn_after: float = WARN_AFTER
    largest: float = 0.0
    stalls: int = 0  # wakes later than warn_after
    samples: int = 0
    started: float = field(default_factory=time.monotonic)
    #: Full (generation 2) garbage collections seen, and the longest one (seconds): a stall
    #: that matches one is the collector walking the heap, not our code.
    full_collections: int = 0
    longest_collection: float = 0.0
    _gc_started: float = 0.0

    def _on_gc(self, phase: str, info: dict[str, int]) -> None:
        if info.get("generation") != 2:
            return
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = time.perf_counter() - self._gc_started
            self.full_collections += 1
            self.longest_collection = max(self.longest_collection, took)
            if took > self.warn_after:
                log.warning("a full garbage collection took %.0f ms", took * 1000)

    async def run(self) -> None:
        gc.callbacks.append(self._on_gc)
        try:
            await self._probe()
        finally:
            gc.callbacks.remove(self._on_gc)

    async def _probe(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(self.interval)
            late = time.monotonic() - before - self.interval
            self.samples += 1
            if late > self.largest:
                self.largest = late
            if late > self.warn_after:
                self.stalls += 1
                log.warning("event loop ran %.0f ms late", late * 1000)

    def summary(self) -> str:
        return (
            f"event loop: largest lateness {self.largest * 1000:.0f} ms, "
            f"{self.stalls} stalls over {self.warn_after * 1000:.0f} ms, "
            f"over {time.monotonic() - self.started:.0f} s; {self.full_collections} full garbage collections, "
            f"the longest {self.longest_collection * 1000:.0f} ms"
        )
