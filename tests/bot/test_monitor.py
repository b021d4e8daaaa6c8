"""The event-loop probe sees a stall and says so."""

from __future__ import annotations

import asyncio
import logging
import time

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
    assert probe.summary().startswith("event loop: largest lateness ")
