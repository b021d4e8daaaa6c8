"""What a handler gets besides the request: the corpus and a clock.

Front ends build one :class:`Context` at start-up and pass it to every dispatch, so
handlers never reach for globals or settings of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from corpus.service import Corpus


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Context:
    corpus: Corpus
    clock: Callable[[], datetime] = field(default=_utcnow)
    max_results: int = 8
    #: Render chart images (compare). Latency benchmarks switch it off to time the query alone.
    charts: bool = True
