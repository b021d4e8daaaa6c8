"""Shared locations for the corpus tests.

The seed articles live inside the repository and are always present; the evaluation set, the
dev gold and the news corpus live in the sibling ``../shared`` directory, which a plain
checkout may not have, so tests that need it skip with a reason instead of failing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS_DIR = REPO / "corpus" / "articles"
SHARED = (REPO / ".." / "shared").resolve()
EVAL_ARTICLES = SHARED / "eval" / "articles"
EVAL_MANIFEST = SHARED / "eval" / "manifest.json"
DEV_DIR = SHARED / "eval" / "dev"
NEWS_CORPUS = SHARED / "data" / "news-corpus.jsonl.gz"


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is not available (the shared data directory sits next to the repo)")
    return path


@pytest.fixture(scope="session")
def seed_paths() -> list[Path]:
    paths = sorted(SEEDS_DIR.glob("*.txt"))
    assert len(paths) == 5, f"expected the five seed articles in {SEEDS_DIR}"
    return paths


@pytest.fixture(scope="session")
def noise_lines() -> dict:
    return json.loads(_need(DEV_DIR / "noise_lines.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def gold_figures() -> list[dict]:
    return json.loads(_need(DEV_DIR / "gold_figures.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def gold_quotes() -> list[dict]:
    return json.loads(_need(DEV_DIR / "gold_quotes.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def eval_manifest() -> list[dict]:
    _need(EVAL_ARTICLES)
    return json.loads(_need(EVAL_MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def news_corpus() -> Path:
    return _need(NEWS_CORPUS)
