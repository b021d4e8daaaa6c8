"""Ingest throughput on the news corpus: articles/s, words/s, database size, peak RSS.

    python bench/ingest.py --limit 1000            # cleaning + storage only
    python bench/ingest.py                          # all 21,268 articles
    python bench/ingest.py --extract --limit 2000   # with fact extraction, next to bare nlp.pipe

With ``--extract`` it also times bare ``nlp.pipe`` over the same cleaned paragraphs with
the same worker count in the same run (the ceiling extraction is measured against), and
the time to fully index one new ~1,000-word article into the built database.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import itertools
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from corpus import clean, sources  # noqa: E402
from corpus.extract.pipeline import Extractor, load_nlp, paragraph_spans  # noqa: E402
from corpus.service import Corpus  # noqa: E402

NEWS = REPO.parent / "shared" / "data" / "news-corpus.jsonl.gz"


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


def limited(path: Path, limit: int | None) -> Path:
    """A temp jsonl with the first ``limit`` records (the whole file when None)."""
    if limit is None:
        return path
    out = Path(tempfile.mkdtemp()) / f"news-first-{limit}.jsonl"
    with gzip.open(path, "rt", encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        for line in itertools.islice(src, limit):
            dst.write(line)
    return out


def bare_spacy(path: Path, workers: int) -> tuple[float, int]:
    """Words/s of plain nlp.pipe over the same cleaned paragraphs the ingest extracts."""
    texts = []
    for doc in sources.iter_documents(path, max_bytes=50_000_000):
        if isinstance(doc, sources.SourceProblem):
            continue
        try:
            texts.extend(p for _, p in paragraph_spans(clean.clean_document(doc).text))
        except Exception:
            continue
    words = sum(len(t.split()) for t in texts)
    nlp = load_nlp()
    start = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=256, n_process=max(1, workers)):
        pass
    return words / (time.perf_counter() - start), words


async def run(args: argparse.Namespace) -> None:
    if not NEWS.exists():
        print(f"skipped: {NEWS} is not available (needs ../shared beside the repository)")
        return
    src = limited(NEWS, args.limit)
    db = Path(args.db) if args.db else Path(tempfile.mkdtemp()) / "bench.db"
    extractor = Extractor(workers=args.workers) if args.extract else None
    corpus = await Corpus.open(db, extractor=extractor, seed=False)
    counts: dict[str, int] = {}
    words = 0

    def progress(r) -> None:
        counts[r.status] = counts.get(r.status, 0) + 1

    start = time.perf_counter()
    results = await corpus.ingest_path(src, added_by="bench", progress=progress, batch=args.batch)
    elapsed = time.perf_counter() - start
    ids = [r.article_id for r in results if r.article_id]
    summaries = await corpus.store.get_summaries(ids)
    words = sum(s.word_count for s in summaries.values())
    print(f"items: {len(results):,}  " + "  ".join(f"{k}: {v:,}" for k, v in sorted(counts.items())))
    print(f"time: {elapsed:.1f} s   articles/s: {len(results) / elapsed:,.0f}   words/s: {words / elapsed:,.0f}")

    if args.extract:
        one = (REPO / "bench" / "one_article.txt")
        text = one.read_text(encoding="utf-8") if one.exists() else None
        if text is None:
            text = "title: Bench article\n\n" + " ".join(
                f"Officials said {i * 7} soldiers moved to Bakhmut on Friday, according to the ministry."
                for i in range(80)
            )
        await corpus.extractor.extract([])  # the pool is warm from the ingest
        t = time.perf_counter()
        r = await corpus.ingest_text(text, added_by="bench")
        print(f"one new article ({len(text.split()):,} words) fully indexed in {time.perf_counter() - t:.3f} s: {r.status}")
    await corpus.close()
    size = sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))
    print(f"database: {size / 1e6:,.1f} MB   peak RSS: {peak_rss_mb():,.0f} MB (largest of this process and its workers)")
    if args.extract:
        wps, bare_words = bare_spacy(src, args.workers)
        ratio = (words / elapsed) / wps if wps else 0
        print(f"bare nlp.pipe on the same paragraphs: {wps:,.0f} words/s ({bare_words:,} words, {args.workers} process(es))")
        print(f"ingest with extraction / bare spaCy: {ratio:.2f}x")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--limit", type=int, help="first N articles only")
    p.add_argument("--extract", action="store_true", help="extract facts too")
    p.add_argument("--workers", type=int, default=2, help="extraction worker processes")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--db", help="database path (default: a temp file)")
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
