"""Running a parsed command (bot.runner): what a long-running bot does while it starts."""

from __future__ import annotations

import gc

import pytest

from bot.runner import _warm
from handlers.chart import ChartProcess


@pytest.fixture
def collector():
    """The warm-up changes the process's collector (thresholds, frozen objects): put it back."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


async def test_the_warm_up_loads_the_model_before_the_helpers_and_freezes_what_it_loaded(seed_corpus, collector):
    """The model's vocabulary holds the interpreter lock ~40 ms in one call: it is read before
    the helper processes start and take the cores. What the warm-up loaded is then frozen out
    of the collector's walks, and full collections are kept rare."""
    order: list[str] = []
    corpus_warm = seed_corpus.warm

    async def warm() -> None:
        await corpus_warm()
        order.append("model")

    class Charts(ChartProcess):
        async def start(self) -> None:
            order.append("chart process")
            await super().start()

    seed_corpus.warm = warm
    charts = Charts()
    gc.unfreeze()
    try:
        await _warm(seed_corpus, charts)
    finally:
        charts.close()
    assert order == ["model", "chart process"]
    assert seed_corpus.aliases.loaded
    assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 50_000
