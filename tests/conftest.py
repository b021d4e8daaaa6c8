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


#: Short articles about stories that are not a war: an election, a takeover, a results day.
#: Written for the tests (not taken from any evaluation set), so non-war behaviour is checked
#: on every run, with or without ../shared.
STORIES = {
    "election-1.md": (
        "title: Labour wins a landslide\noutlet: Wire\ndate: 2024-07-05\nurl: https://news.example/election-1\n\n"
        "Labour won 411 seats in the general election, the party said on Friday.\n\n"
        "The Conservatives won 121 seats, their worst result in history, according to the BBC.\n\n"
        "The Conservatives lost 251 seats compared with the last election.\n\n"
        "Turnout was 60% across the country, officials said."
    ),
    "election-2.md": (
        "title: Final results confirm Labour majority\noutlet: Ledger\ndate: 2024-07-06\n"
        "url: https://news.example/election-2\n\n"
        "Labour won 412 seats, according to final results published by the Electoral Commission.\n\n"
        "The Liberal Democrats won 72 seats, their best result in a century."
    ),
    "takeover-1.md": (
        "title: Deutsche Boerse bids for the LSE\noutlet: City Desk\ndate: 2005-01-20\n"
        "url: https://news.example/lse-1\n\n"
        "Deutsche Boerse offered £1.3bn for the London Stock Exchange, the company said.\n\n"
        "Euronext is preparing a rival bid of £1.4bn, according to people familiar with the talks.\n\n"
        "Shares in the London Stock Exchange rose 5% on Thursday."
    ),
    "takeover-2.md": (
        "title: LSE bid raised\noutlet: Market Watch\ndate: 2005-01-27\nurl: https://news.example/lse-2\n\n"
        "Deutsche Boerse offered £1.35bn for the London Stock Exchange, analysts said.\n\n"
        "Tesco said it would cut 3,000 jobs, and profits at Tesco rose 12% to £2.1bn."
    ),
    "takeover-3.md": (
        "title: Harlow Foods rejects Baxter approach\noutlet: Wire\ndate: 2024-03-02\n"
        "url: https://news.example/harlow-1\n\n"
        "Harlow Foods turned down an approach from Baxter Group, saying it undervalued the business.\n\n"
        "The company urged shareholders to ignore the approach.\n\n"
        "Baxter Group said it would not raise its offer.\n\n"
        "\"The offer is far too low. It is an opportunistic approach,\" said Jane Ellis, chairman of Harlow Foods.\n\n"
        "Baxter Group could face a fine of £2m if regulators find it broke takeover rules.\n\n"
        "Shares in the company have risen 8% since the approach was made public."
    ),
    "zentra-1.md": (
        "title: Zentra Z5 handset sells fast in Korea\noutlet: Wire\ndate: 2024-05-10\n"
        "url: https://news.example/zentra-1\n\n"
        "Zentra has sold more than 300,000 units of its Z5 handset in Korea since its launch in April.\n\n"
        "Rival Orbix said on Thursday it had sold 2 million units of its OX7 phone last year.\n\n"
        "Analysts at Kemp Securities estimate that 1.5 million Z5 handsets will be sold this year.\n\n"
        "Zentra expects to sell 1.2 million Z5 handsets this year, the company said.\n\n"
        "The handset costs $499 in Seoul.\n\nA charging dock for it costs $49."
    ),
}


@pytest.fixture(scope="session")
def stories_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of five short non-war articles (see ``STORIES``)."""
    root = tmp_path_factory.mktemp("stories")
    articles = root / "articles"
    articles.mkdir()
    for name, text in STORIES.items():
        (articles / name).write_text(text, encoding="utf-8")
    path = root / "stories.db"
    asyncio.run(_build(path, [articles]))
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
async def stories_corpus(stories_db: Path, tmp_path: Path):
    corpus = await Corpus.open(_copy_db(stories_db, tmp_path), extractor=Extractor(workers=0), seed=False)
    yield corpus
    await corpus.close()


@pytest.fixture
def stories_ctx(stories_corpus: Corpus) -> Context:
    return Context(stories_corpus)


@pytest.fixture
def seed_ctx(seed_corpus: Corpus) -> Context:
    return Context(seed_corpus)


@pytest.fixture
def full_ctx(full_corpus: Corpus) -> Context:
    return Context(full_corpus)
