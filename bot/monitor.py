"""How late the event loop runs: a probe task that sleeps 10 ms and records its lateness.

Anything that blocks the loop (CPU work not moved to a thread, a synchronous call) delays every
reply and, on Discord, heartbeats and the 3-second interaction window. The probe makes such a
stall visible: a warning when one passes the limit, the largest one in ``status``, and a summary
line when the bot stops. A lateness figure alone does not say what to fix, so a watchdog thread
looks at the loop's thread while a stall is going on and the warning names the code it was in
(file, line and function of our own frames: code locations, never message text).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

#: The probe's sleep: short enough to see a 100 ms stall, long enough to cost nothing.
INTERVAL = 0.010
#: A stall longer than this is logged as it happens.
WARN_AFTER = 0.100
#: How often the watchdog thread looks at the loop, and how many of our frames a warning names.
WATCH_EVERY = 0.025
WHERE_FRAMES = 4
#: Frames under these directories are ours; the rest (asyncio, libraries) only say "waiting".
_PROJECT = Path(__file__).resolve().parents[1]
_OURS = tuple(str(_PROJECT / d) for d in ("bot", "handlers", "corpus"))


def where(frame) -> str:
    """The innermost of our own frames in a stack, as ``file:line function`` joined by " < "
    (innermost first); the innermost frame of all when none is ours."""
    stack = traceback.extract_stack(frame)
    ours = [f for f in reversed(stack) if f.filename.startswith(_OURS)]
    picked = ours[:WHERE_FRAMES] or list(reversed(stack))[:1]
    return " < ".join(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in picked)


def _short(filename: str) -> str:
    try:
        return str(Path(filename).relative_to(_PROJECT))
    except ValueError:
        return Path(filename).name


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
    #: The loop thread's last wake (monotonic) and where the watchdog saw it stuck since.
    _beat: float = field(default_factory=time.monotonic)
    _stuck_at: tuple[float, str] | None = None  # (the beat it was seen late for, where)
    _loop_thread: int | None = None
    _watching: threading.Event = field(default_factory=threading.Event)

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
        self._loop_thread = threading.get_ident()
        self._beat = time.monotonic()
        self._watching.set()
        watchdog = threading.Thread(target=self._watch, name="loop-watchdog", daemon=True)
        watchdog.start()
        try:
            await self._probe()
        finally:
            self._watching.clear()
            gc.callbacks.remove(self._on_gc)

    def _watch(self) -> None:
        """Runs in its own thread: once the loop is more than ``warn_after`` late, note where its
        thread is. The first look past the limit is kept: that is the code that kept the loop."""
        while self._watching.is_set():
            time.sleep(WATCH_EVERY)
            beat = self._beat
            seen = self._stuck_at
            if (seen is not None and seen[0] == beat) or time.monotonic() - beat < self.warn_after:
                continue
            frame = sys._current_frames().get(self._loop_thread)
            if frame is not None:
                self._stuck_at = (beat, where(frame))

    async def _probe(self) -> None:
        while True:
            before = time.monotonic()
            beat = self._beat = before + self.interval
            await asyncio.sleep(self.interval)
            late = time.monotonic() - before - self.interval
            seen = self._stuck_at
            stuck_at = seen[1] if seen is not None and seen[0] == beat else None
            self.samples += 1
            if late > self.largest:
                self.largest = late
            if late > self.warn_after:
                self.stalls += 1
                log.warning("event loop ran %.0f ms late%s", late * 1000, f"; it was in {stuck_at}" if stuck_at else "")

    def summary(self) -> str:
        return (
            f"event loop: largest lateness {self.largest * 1000:.0f} ms, "
            f"{self.stalls} stalls over {self.warn_after * 1000:.0f} ms, "
            f"over {time.monotonic() - self.started:.0f} s; {self.full_collections} full garbage collections, "
            f"the longest {self.longest_collection * 1000:.0f} ms"
        )
