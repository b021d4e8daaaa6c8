"""The event-loop probe sees a stall and says so."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from bot.monitor import LoopProbe


async def test_a_blocking_call_shows_as_lateness(caplog) -> None:
    probe = LoopProbe(warn_after=0.1)
    task = asyncio.create_task(probe.run())
    await asyncio.sleep(0.05)
    assert probe.largest < 0.1
    with caplog.at_level(logging.WARNING, logger="bot.monitor"):
        time.sleep(0.25)  # what CPU work left on the loop does to everyone else
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert 0.2 < probe.largest < 1.0 and probe.stalls == 1
    assert "event loop ran" in caplog.text
    # the watchdog saw where: here (no frame of bot/handlers/corpus was on the stack)
    assert "it was in tests/bot/test_monitor.py:" in caplog.text and "test_a_blocking_call_shows_as_lateness" in caplog.text
    assert probe.summary().startswith("event loop: largest lateness ")


def test_where_names_our_own_frames_innermost_first() -> None:
    """A stall inside a handler is reported by the handler's frames, not the library under it."""
    import sys

    from bot.monitor import where

    project = Path(__file__).resolve().parents[2]
    namespace: dict = {}
    # two functions "in" handlers/ and corpus/: outer calls inner, which looks at the stack
    exec(compile("def outer(cb):\n    return inner(cb)\n", str(project / "handlers" / "x.py"), "exec"), namespace)
    exec(compile("def inner(cb):\n    return cb()\n", str(project / "corpus" / "y.py"), "exec"), namespace)
    text = namespace["outer"](lambda: where(sys._getframe()))
    assert text == "corpus/y.py:2 inner < handlers/x.py:2 outer"
