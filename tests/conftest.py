"""Shared fixtures: real SQLite corpora in temp files, built once per session and copied.

Extraction with spaCy takes a few seconds for the seed corpus, so the indexed databases
are built once per test session and each test gets its own copy of the file.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from corpus.extract.pipeline import Extractor
from corpus.service import SHIPPED_ARTICLES, Corpus
from handlers.context import Context
from handlers.registry import load_commands

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EVAL_ARTICLES = SHARED / "eval" / "articles"
DEV_GOLD = SHARED / "eval" / "dev"
NEWS_CORPUS = SHARED / "data" / "news-corpus.jsonl.gz"

load_commands()


def need_shared(path: Path) -> Path:
    """Skip (with the reason) when the evaluation data beside the repo is absent."""
    if not path.exists():
        pytest.skip(f"{path} is not available (the ../shared evaluation data is not beside this checkout)")
    return path


async def _build(path: Path, sources: list[Path]) -> None:
    corpus = await Corpus.open(path, extractor=Extractor(workers=0), seed=False)
    try:
        for src in sources:
            await corpus.ingest_path(src, added_by="tests")
    finally:
        await corpus.close()


@pytest.fixture(scope="session")
def seed_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the five shipped articles with their facts."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    asyncio.run(_build(path, [SHIPPED_ARTICLES]))
    return path


@pytest.fixture(scope="session")
def full_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeds plus the 16 evaluation articles (skips when those are absent)."""
    need_shared(EVAL_ARTICLES)
    path = tmp_path_factory.mktemp("full") / "full.db"
    asyncio.run(_build(path, [SHIPPED_ARTICLES, EVAL_ARTICLES]))
    return path


def _copy_db(src: Path, dst_dir: Path) -> Path:
    dst = dst_dir / src.name
    for suffix in ("", "-wal", "-shm"):
        s = Path(str(src) + suffix)
        if s.exists():
            shutil.copy(s, str(dst) + suffix)
    return dst


@pytest.fixture
async def seed_corpus(seed_db: Path, tmp_path: Path):
    corpus = await Corpus.open(_copy_db(seed_db, tmp_path), extractor=Extractor(workers=0), seed=False)
    yield corpus
    await corpus.close()


@pytest.fixture
async def full_corpus(full_db: Path, tmp_path: Path):
    corpus = await Corpus.open(_copy_db(full_db, tmp_path), extractor=Extractor(workers=0), seed=False)
    yield corpus
    await corpus.close()


@pytest.fixture
def seed_ctx(seed_corpus: Corpus) -> Context:
    return Context(seed_corpus)


@pytest.fixture
def full_ctx(full_corpus: Corpus) -> Context:
    return Context(full_corpus)
