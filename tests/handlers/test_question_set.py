"""The ask/source question set: every question in ``questions.json`` with its expected outcome.

The set is split in two groups so the seed questions always run, while the questions over the
evaluation articles run only when ``../shared/eval/articles`` is beside the checkout. Each group
prints its pass rate and every failure with the reason, and fails below its threshold. The
thresholds sit a little under the measured rates (seed 43/44, full 34/38, with the questions
tagged "held-out" written after the code and kept whatever their outcome), so a regression
fails the test while the known misses stay listed.

A third group, "news", asks 20 questions over seven articles from
``../shared/data/news-corpus.jsonl.gz`` (BBC business, politics, sport, tech and one Reuters 1987
item; see ``NEWS_IDS``) that nobody had tuned the answering code to. It runs on its own database
of just those records and skips when the corpus file is absent.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

import handlers.ask  # noqa: F401  (registers the command)
import handlers.source  # noqa: F401
from corpus.extract.pipeline import Extractor
from corpus.service import Corpus
from handlers.context import Context
from handlers.registry import dispatch
from handlers.types import Reply, Request
from tests.conftest import REPO, _build, _copy_db, need_shared

QUESTIONS = Path(__file__).with_name("questions.json")
THRESHOLD = {
    "seed": 0.9,
    "full": 0.85,
    # The "news" questions were written before the answering code was changed for them (measured
    # 11/20 = 0.55 when they were added). Do not edit them to make them pass; raise this as the code improves.
    "news": 0.5,
}

#: The news-corpus records the "news" group asks about. Not in ../shared/eval/stories.
NEWS_CORPUS = REPO.parent / "shared" / "data" / "news-corpus.jsonl.gz"
NEWS_IDS = (
    "bbc-business-224",  # Man Utd to open books to Glazer
    "bbc-business-242",  # Q&A: Malcolm Glazer and Man Utd
    "bbc-business-293",  # Glazer makes new Man Utd approach
    "bbc-politics-101",  # Council tax rise 'reasonable' (Wales)
    "bbc-tech-129",  # Broadband in the UK growing fast
    "bbc-sport-043",  # Collins named UK Athletics chief
    "reuters21578-4402",  # DATA TAPES ERASED IN VW FRAUD, CHAIRMAN SAYS (1987-03-12)
)


def load(group: str) -> list[dict[str, Any]]:
    return [q for q in json.loads(QUESTIONS.read_text(encoding="utf-8"))["questions"] if q["group"] == group]


def _has_value(reply: Reply, value: float) -> bool:
    for key in ("figures", "related_figures", "differing_figures"):
        for f in reply.data.get(key, []) or []:
            if value in (f.get("low"), f.get("high")):
                return True
    digits = f"{value:,.0f}" if float(value).is_integer() else str(value)
    return re.search(rf"(?<![\d,.]){re.escape(digits)}(?![\d,])", reply.text) is not None


#: A number as a chat line writes it: "40,000", "5.5", "12%", "£1.3bn", "90km".
_NUMBER = re.compile(r"^[£$€]?(\d[\d,]*(?:\.\d+)?)(?:%|bn|m|k|km|mm|p)?$")
#: Numbers an answer line computes rather than quotes, and says so.
_COMPUTED = re.compile(r"\bin \d+ (?:more |other )?articles?\b|\d+(?:\.\d+)?× |\[\d+\]|\b\d{4}-\d{2}-\d{2}\b")


def unsourced_numbers(reply: Reply) -> list[str]:
    """Numbers in an answer's lead line that no cited sentence writes: every number a reader
    is shown must be the source's (separators aside), or be labelled as computed."""
    if not reply.answered:
        return []
    lead = _COMPUTED.sub(" ", reply.text.splitlines()[0])
    cited = " ".join(c.sentence.replace(",", "") for c in reply.citations)
    out = []
    for token in lead.split():
        m = _NUMBER.match(token.strip("“”\"'()[],.;:—-·"))
        if m and m.group(1).replace(",", "") not in cited:
            out.append(token)
    return out


def check(reply: Reply, q: dict[str, Any]) -> list[str]:
    """Why a reply does not meet the question's expectations (empty when it does)."""
    problems = []
    invented = unsourced_numbers(reply)
    if invented:
        problems.append(f"numbers not in any cited sentence: {invented}")
    if reply.error:
        problems.append(f"error: {reply.text}")
    if reply.answered != q["answered"]:
        problems.append(f"answered={reply.answered}, expected {q['answered']}")
    for v in q.get("values", []):
        if not _has_value(reply, v):
            problems.append(f"value {v} missing")
    if q.get("any_values") and not any(_has_value(reply, v) for v in q["any_values"]):
        problems.append(f"none of {q['any_values']} given")
    for w in q.get("words", []):
        if w.lower() not in reply.text.lower():
            problems.append(f"word {w!r} missing from the answer")
    if q.get("cite") and not any(q["cite"].lower() in c.sentence.lower() for c in reply.citations):
        problems.append(f"no citation contains {q['cite']!r}")
    if reply.answered and not reply.citations:
        problems.append("answered without a citation")
    return problems


async def run_group(ctx, group: str) -> tuple[float, list[str]]:
    questions = load(group)
    failures = []
    for q in questions:
        arg = "question" if q["command"] == "ask" else "claim"
        reply = await dispatch(ctx, Request(q["command"], {arg: q["text"]}))
        problems = check(reply, q)
        if problems:
            failures.append(f"{q['command']} {q['text']!r}: " + "; ".join(problems))
    rate = 1 - len(failures) / len(questions)
    return rate, failures


def _report(group: str, rate: float, failures: list[str], total: int) -> None:
    print(f"\n{group} question set: {rate:.0%} passed ({total - len(failures)}/{total})")
    for f in failures:
        print("  FAIL", f)


async def test_seed_question_set(seed_ctx) -> None:
    rate, failures = await run_group(seed_ctx, "seed")
    _report("seed", rate, failures, len(load("seed")))
    assert rate >= THRESHOLD["seed"], "\n".join(failures)


async def test_full_question_set(full_ctx) -> None:
    rate, failures = await run_group(full_ctx, "full")
    _report("full", rate, failures, len(load("full")))
    assert rate >= THRESHOLD["full"], "\n".join(failures)


@pytest.fixture(scope="session")
def news_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database of just the ``NEWS_IDS`` records, ingested from a .jsonl written for it."""
    need_shared(NEWS_CORPUS)
    root = tmp_path_factory.mktemp("news")
    records = {}
    with gzip.open(NEWS_CORPUS, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if record["id"] in NEWS_IDS:
                records[record["id"]] = record
    missing = sorted(set(NEWS_IDS) - set(records))
    assert not missing, f"{NEWS_CORPUS} lacks {missing}"
    articles = root / "news.jsonl"
    articles.write_text("".join(json.dumps(records[i], ensure_ascii=False) + "\n" for i in NEWS_IDS), encoding="utf-8")
    path = root / "news.db"
    asyncio.run(_build(path, [articles]))
    return path


@pytest.fixture
async def news_ctx(news_db: Path, tmp_path: Path):
    corpus = await Corpus.open(_copy_db(news_db, tmp_path), extractor=Extractor(workers=0), seed=False)
    yield Context(corpus)
    await corpus.close()


async def test_news_group(news_ctx) -> None:
    rate, failures = await run_group(news_ctx, "news")
    _report("news", rate, failures, len(load("news")))
    assert rate >= THRESHOLD["news"], "\n".join(failures)


def test_question_set_is_big_enough_and_mixed() -> None:
    everything = load("seed") + load("full")
    assert len(everything) >= 40
    assert any(not q["answered"] for q in everything)
    assert any("typo" in q.get("tags", []) for q in everything)
    assert any("paraphrase" in q.get("tags", []) for q in everything)


def test_the_numbers_check_catches_digits_no_source_wrote() -> None:
    from handlers.types import Citation

    cite = Citation(1, "T", "O", None, None, "After all, one million have fled Russia, and 40,000 died.")
    computed = Reply("ask", True, "1,000,000 people who fled Russia · [1] O", citations=[cite])
    as_written = Reply("ask", True, "“one million” people who fled Russia; 40,000 died · [1] O", citations=[cite])
    assert unsourced_numbers(computed) == ["1,000,000"]
    assert unsourced_numbers(as_written) == []
    assert unsourced_numbers(Reply("source", True, "Stated in 2 articles:", citations=[cite])) == []
