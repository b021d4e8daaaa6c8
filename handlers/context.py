"""What a handler gets besides the request: the corpus and a clock.

Front ends build one :class:`Context` at start-up and pass it to every dispatch, so
handlers never reach for globals or settings of their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

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


T = TypeVar("T")


async def per_generation(ctx: Context, key: str, build: Callable[[], Awaitable[T]]) -> T:
    """A value derived from the corpus (a name index, a vocabulary), rebuilt only after
    the corpus has changed, so hot commands don't redo it on every request."""
    corpus = ctx.corpus
    hit: Any = corpus.derived.get(key)
    if hit is not None and hit[0] == corpus.generation:
        return hit[1]
    generation = corpus.generation
    value = await build()
    corpus.derived[key] = (generation, value)
    return value
