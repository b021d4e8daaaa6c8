"""The comparison chart: one range bar (or a point, for an exact figure) per source.

Kept apart from ``compare`` because drawing is slow and optional (``Context.charts``), and
because matplotlib is only imported here, when a chart is actually drawn.

Where it is drawn: matplotlib holds the interpreter lock for most of a chart (~150 ms), so a
chart drawn in a thread of a busy bot held up its event loop (a py-spy profile of the
full-corpus load showed chart threads holding the lock for 4 s of every minute, and loop
stalls of 100-200 ms with no code of ours on the loop). A running bot therefore draws in a
process of its own (:class:`ChartProcess`); a one-shot command, with nobody waiting behind
it, draws in a thread.
"""

from __future__ import annotations

import asyncio
import io
import logging
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from corpus.helper_process import HelperProcess

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class Bar:
    """One figure on the chart: its range, the value as shown, its label and its group."""

    low: float
    high: float
    value: str
    label: str
    group: str


def render_chart(bars: list[Bar], title: str) -> bytes:
    """A PNG with one bar per figure, coloured by the measure it belongs to.

    Ranges of very different sizes are drawn on a log scale so a "three-digit number"
    and "hundreds of thousands" both stay visible.
    """
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure as MplFigure
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    fig = MplFigure(figsize=(10, 2.0 + 0.42 * len(bars)), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
    groups = list(dict.fromkeys(b.group for b in bars))
    colour = {g: palette[i % len(palette)] for i, g in enumerate(groups)}
    n = len(bars)
    for i, b in enumerate(bars):
        y = n - 1 - i
        c = colour[b.group]
        if b.high > b.low:
            ax.barh(y, b.high - b.low, left=b.low, height=0.5, color=c, alpha=0.75)
        else:
            ax.plot([b.low], [y], marker="D", color=c, markersize=8)
        ax.annotate(b.value, (b.high, y), xytext=(7, 0), textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(range(n))
    ax.set_yticklabels([b.label for b in reversed(bars)], fontsize=8)
    positive = [v for b in bars for v in (b.low, b.high) if v > 0]
    if positive and len(positive) == 2 * n and max(positive) / min(positive) > 50:
        ax.set_xscale("log")
    else:
        ax.set_xlim(left=0, right=max(b.high for b in bars) * 1.15 or 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}"))
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    ax.margins(y=0.08)
    ax.legend(
        handles=[Patch(color=colour[g], label=g[:60]) for g in groups],
        fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(len(groups), 3), frameon=False,
    )
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def warm() -> None:
    """Draw one tiny chart, so matplotlib's import and font cache (most of a second) are paid
    at start-up, not by the first person who asks for a comparison."""
    render_chart([Bar(1.0, 1.0, "1", "warm-up", "warm-up")], "warm-up")


class ChartProcess:
    """One process that draws the charts of a running bot, with matplotlib loaded once.

    If the process dies (killed, out of memory), the chart is drawn in a thread and a new
    process is started for the next one: a member still gets a chart.
    """

    def __init__(self) -> None:
        self._process = HelperProcess(initializer=warm)

    async def start(self) -> None:
        """Start the process and load matplotlib there (about a second), before any request."""
        await self._process.start()

    async def render(self, bars: list[Bar], title: str) -> bytes:
        try:
            return await self._process.call(render_chart, bars, title)
        except BrokenProcessPool:
            log.warning("the chart process stopped; drawing this chart in a thread and starting a new one")
            return await asyncio.to_thread(render_chart, bars, title)

    @property
    def pid(self) -> int | None:
        return self._process.pid

    def close(self) -> None:
        self._process.close()


async def draw(process: ChartProcess | None, bars: list[Bar], title: str) -> bytes:
    """A chart, drawn in the bot's chart process when it has one, else in a thread."""
    if process is not None:
        return await process.render(bars, title)
    return await asyncio.to_thread(render_chart, bars, title)
