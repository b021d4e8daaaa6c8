"""Where the corpus-wide :class:`~corpus.extract.aliases.AliasIndex` lives and works.

Folding an added article's names into the groups is pure Python over the whole index
(label votes, merge keys, typo blocks, a union-find pass): at 20k articles, seconds of the
interpreter lock per minute of adds. In a thread of a running bot that time is taken from the
event loop (a py-spy profile of the full-corpus load put it first among the threads holding
the lock while the loop stalled). A running bot therefore keeps the index in a process of its
own (``process=True``), which also keeps its few hundred thousand objects out of the bot's
heap and garbage collections. A one-shot command or a test keeps it in this process and
regroups in a thread.

The persisted ``(name, canonical, label)`` rows are the truth: the index is built from them
on start, and rebuilt from them in a new process if its process dies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from .helper_process import HelperProcess
from .models import Mention
from .extract.aliases import AliasGroup, AliasIndex

log = logging.getLogger(__name__)

#: ``(name, canonical, label)``: one persisted alias row.
NameRow = tuple[str, str, str]


@dataclass(slots=True, frozen=True)
class ArticleNames:
    """What one article adds to the alias groups: its mentions, its text (for acronyms
    defined in it) and the roles its names were given."""

    mentions: Sequence[Mention]
    text: str | None = None
    roles: Sequence[tuple[Mention, str]] = field(default_factory=tuple)


def fold(index: AliasIndex, articles: Sequence[ArticleNames]) -> list[NameRow]:
    """Add the articles' names to ``index``; the rows whose group changed, to persist."""
    for a in articles:
        index.add_article(a.mentions, a.text, a.roles)
    return index.drain_changes()


# The index of the alias process (one per process: the helper has a single worker).
_INDEX: AliasIndex | None = None


def _load(rows: list[NameRow]) -> int:
    global _INDEX
    _INDEX = AliasIndex.from_rows(rows)
    return len(rows)


def _fold(articles: Sequence[ArticleNames]) -> list[NameRow]:
    if _INDEX is None:
        raise RuntimeError("the alias process was not loaded")
    return fold(_INDEX, articles)


def _groups() -> list[AliasGroup]:
    return [] if _INDEX is None else _INDEX.groups()


class AliasWorker:
    """The alias index of one corpus, in a helper process or in this one.

    ``rows`` reads the persisted rows; it is called on :meth:`load` and again if the
    process has to be restarted. Calls are made by the corpus's writers, one at a time.
    """

    def __init__(self, rows: Callable[[], Awaitable[list[NameRow]]], *, process: bool = False) -> None:
        self._rows = rows
        self._process = HelperProcess() if process else None
        self._index = AliasIndex()
        #: Built from the persisted rows yet: seconds at 20k articles (46k names), so only when
        #: names are first folded in or read, or when a running bot starts (:meth:`load`); a
        #: one-shot command that only reads never pays for it.
        self.loaded = False
        self._lock = asyncio.Lock()

    @property
    def in_process(self) -> bool:
        """True when the index lives in a helper process."""
        return self._process is not None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def load(self) -> None:
        """Build the index from the persisted rows, unless it was built already."""
        async with self._lock:
            await self._ensure()

    async def _ensure(self) -> None:
        if self.loaded:
            return
        rows = await self._rows()
        if self._process is not None:
            await self._process.call(_load, rows)
        else:
            self._index = await asyncio.to_thread(AliasIndex.from_rows, rows)
        self.loaded = True

    async def fold(self, articles: Sequence[ArticleNames]) -> list[NameRow]:
        """Fold the articles' names into the groups; the rows to persist."""
        if not articles:
            return []
        async with self._lock:
            await self._ensure()
            if self._process is None:
                return await asyncio.to_thread(fold, self._index, articles)
            try:
                return await self._process.call(_fold, list(articles))
            except BrokenProcessPool:
                # Killed or out of memory: a new process is built from the persisted rows
                # (what a restart would do) and the fold is done again there.
                log.warning("the alias process stopped; rebuilding the alias index in a new one")
                self.loaded = False
                await self._ensure()
                return await self._process.call(_fold, list(articles))

    async def groups(self) -> list[AliasGroup]:
        """Every group, the most mentioned first."""
        async with self._lock:
            await self._ensure()
            if self._process is None:
                return await asyncio.to_thread(self._index.groups)
            return await self._process.call(_groups)

    def close(self) -> None:
        if self._process is not None:
            self._process.close()
