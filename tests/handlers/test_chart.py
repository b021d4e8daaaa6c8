"""Charts of a running bot are drawn in a process of their own (handlers.chart.ChartProcess)."""

from __future__ import annotations

import os
import signal

from handlers.chart import Bar, ChartProcess, draw

BARS = [Bar(10.0, 12.0, "10–12", "Wire", "tanks"), Bar(14.0, 14.0, "14", "Ledger", "tanks")]


async def test_a_chart_is_drawn_in_the_chart_process_and_survives_its_death():
    charts = ChartProcess()
    try:
        await charts.start()
        png = await draw(charts, BARS, "compare: tanks")
        assert png.startswith(b"\x89PNG")
        pid = charts.pid  # the one drawing process, not this one
        assert pid is not None and pid != os.getpid()
        os.kill(pid, signal.SIGKILL)  # out of memory, or killed by hand
        png = await draw(charts, BARS, "compare: tanks")  # drawn in a thread this time
        assert png.startswith(b"\x89PNG")
        png = await draw(charts, BARS, "compare: tanks")  # and a new process for the next one
        assert png.startswith(b"\x89PNG") and charts.pid not in (None, pid)
    finally:
        charts.close()


async def test_without_a_chart_process_a_chart_is_drawn_in_a_thread():
    assert (await draw(None, BARS, "compare: tanks")).startswith(b"\x89PNG")
