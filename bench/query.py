"""Query latency of the chat commands on a large corpus (news-corpus.jsonl.gz + the seeds).

Run: ``.venv/bin/python bench/query.py --limit 2000``
Options: ``--db FILE`` (reused when it already holds the articles: building 21k articles with
facts takes 10+ minutes), ``--limit N`` (first N articles of the file), ``--requests N`` per
command (default 220), ``--replicate N`` (after the first run, copy articles until the corpus
holds N and measure again), ``--seed N`` (request order).

Why these choices: the commands are replayed through :func:`handlers.registry.dispatch`
exactly as a front end calls them, each with a pool of realistic requests (war questions the
seeds answer, business questions the Reuters/BBC part might, typos and unanswerable ones), in
shuffled order so caches see a mix. The first request of each command is timed apart ("cold"):
it builds the per-generation caches (name index, vocabulary), which a running bot pays once per
corpus change, not per request. Replication copies stored articles with their sentences and
facts through the store's own ``add_article`` under a changed content hash, so the copies are
indexed exactly like real articles without re-running spaCy.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import hashlib
import itertools
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.runner import _warm  # noqa: E402
from corpus import segment, sources  # noqa: E402
from corpus.extract.pipeline import FACTS_VERSION, Extractor  # noqa: E402
from corpus.language import STOP_WORDS  # noqa: E402
from corpus.models import SentenceSpan  # noqa: E402
from corpus.service import SHIPPED_ARTICLES, Corpus  # noqa: E402
from handlers.context import Context  # noqa: E402
from handlers.registry import REGISTRY, dispatch, load_commands  # noqa: E402
from handlers.types import Request  # noqa: E402

NEWS = ROOT.parent / "shared" / "data" / "news-corpus.jsonl.gz"

ASK = [
    "How many tanks is the US sending?", "how many abrams tnaks is the US sending",
    "How many Russian soldiers have died?", "how far is Soledar from Bakhmut?",
    "When did Ukraine withdraw from Soledar?", "Who is Syrskyi?", "what did Prigozin say about Bakhmut?",
    "What did Zelenskiy say about the tanks?", "Who is Stoltenburg?", "How many F-16s has Ukraine received?",
    "What is the population of Kyiv?", "Who won the 2022 World Cup?", "How many soldiers did Putin mobilize?",
    "Who is the head of Wagner?", "Why is Bakhmut important?", "How many Leopard tanks is Germany sending?",
    "How much did oil prices rise?", "What did the Bundesbank say about interest rates?",
    "How many jobs were cut?", "Who is the chairman of the Federal Reserve?", "How much is the dollar worth in yen?",
    "When did the stock market crash?", "What did Reagan say about the trade deficit?",
    "How many shares did the company buy?", "how much coffee did Brazil export", "Who said the war is going badly?",
    "What is the unemployment rate in Britain?", "How many people were displaced in 2022?",
    "what did Thatcher say about the election", "How many Russian casualties were reported?",
]
SOURCE = [
    "rifles got so hot they had to be swapped out", "Germany will send 14 Leopard tanks",
    "Russia mobilized 300,000 soldiers", "The moon is made of cheese", "Biden said America would send 31 Abrams",
    "Ukraine uses ammunition faster than it is produced", "Wagner stopped recruiting prisoners",
    "oil prices rose sharply", "the central bank cut interest rates", "the company reported a net loss",
    "Japan pledged $5.5 billion in humanitarian aid", "Germany will send 20 Leopard tanks",
    "the dollar fell against the yen", "Prigozhin said the retreat was a flight", "OPEC agreed to cut output",
]
COMPARE = ["Russian casualties", "tanks", "oil prices", "Leopard tanks", "mobilized soldiers", "interest rates",
           "refugees", "Abrams tanks", "wheat exports", "casualties"]
PEOPLE = ["Zelensky", "Prigozhin", "Prigozin", "Biden", "Putin", "Stoltenberg", "Scholz", "Reagan", "Thatcher",
          "Volcker", "Syrskyi", "Kirby", "Bukkvoll", "Peskov", "Blair"]
SUMMARY = [None, "Bakhmut", "tanks", "oil", "1", "3", "Wagner", "interest rates", "Soledar", "elections"]
TIMELINE = [None, "Bakhmut", "Soledar", "Prigozhin", "tanks", "oil", "Zelensky", "OPEC"]

#: What members type that is not a question: mentions, search syntax, SQL, a phrase repeated
#: to the length limit, emoji and full-width letters. Mixed into every command's pool.
HOSTILE = [
    "@everyone what happened in Bakhmut?", '"AND OR NEAR( tanks* ^', "' OR 1=1; DROP TABLE articles; --",
    ("Russian casualties " * 55)[:1000], "Бахмут 💥 ｔａｎｋｓ", "<script>alert(1)</script> oil",
]

#: command -> (argument name, request pool)
MIX: dict[str, tuple[str, list]] = {
    "ask": ("question", ASK + HOSTILE),
    "source": ("claim", SOURCE + HOSTILE),
    "compare": ("topic", COMPARE + HOSTILE),
    "quotes": ("person", PEOPLE + HOSTILE),
    "who": ("name", PEOPLE + HOSTILE),
    "summary": ("target", SUMMARY + HOSTILE),
    "timeline": ("topic", TIMELINE + HOSTILE),
}


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB."""
    current = 0.0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                current = int(line.split()[1]) / 1024
    except OSError:
        pass
    return current, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def build(db: Path, limit: int | None, workers: int) -> Corpus:
    """Open the database, ingesting the news file (and the seeds) unless already there."""
    corpus = await Corpus.open(db, extractor=Extractor(workers=workers), seed=False)
    have = await corpus.store.count_articles()
    want = (limit or 21_268) + 5
    if have >= want * 0.95:
        print(f"reusing {db}: {have:,} articles already indexed")
        return corpus
    start = time.perf_counter()
    done = 0

    def progress(result) -> None:
        nonlocal done
        done += 1
        if done % 500 == 0:
            rate = done / (time.perf_counter() - start)
            print(f"  {done:,} documents ({rate:.0f}/s)", flush=True)

    print(f"building {db} from {NEWS.name}" + (f" (first {limit:,})" if limit else "") + " with facts …", flush=True)
    await corpus.ingest_path(SHIPPED_ARTICLES, added_by="bench", progress=progress)
    items = sources.iter_documents(NEWS, max_bytes=corpus.limits.max_file_bytes)
    if limit:
        items = itertools.islice(items, limit)
    await corpus.ingest_documents(items, added_by="bench", progress=progress)
    print(f"built {await corpus.store.count_articles():,} articles in {time.perf_counter() - start:.0f} s", flush=True)
    return corpus


async def replicate(corpus: Corpus, target: int) -> None:
    """Copy stored articles (text, sentences, facts) under new hashes until ``target``."""
    store = corpus.store
    ids = await store.iter_article_ids()
    have = len(ids)
    start = time.perf_counter()
    copy = 0
    for article_id in itertools.cycle(ids):
        if have >= target:
            break
        a = await store.get_article(article_id)
        if a is None:
            continue
        copy += 1
        paragraphs = await store.paragraphs(a.id)
        starts = [p.start for p in paragraphs]
        sentences = [
            SentenceSpan(max(0, bisect.bisect_right(starts, s.start) - 1), s.index, s.start, s.end, s.text)
            for s in await store.sentences(a.id)
        ]
        facts = await store.get_facts(a.id)
        digest = hashlib.sha256(f"{a.content_hash}:copy:{have}".encode()).hexdigest()
        await store.add_article(
            title=a.title, outlet=a.outlet, author=a.author, published=a.published,
            published_inferred=a.published_inferred, url=a.url, source=f"{a.source}#copy{copy}",
            source_id=None, added_by="bench replicate", content_hash=digest, text=a.text,
            paragraphs=paragraphs, sentences=sentences,
            sentence_hashes=[segment.sentence_hash(s.text) for s in sentences],
            facts=facts, facts_version=FACTS_VERSION,
        )
        have += 1
        if copy % 5000 == 0:
            print(f"  {have:,} articles ({copy / (time.perf_counter() - start):.0f} copies/s)", flush=True)
    corpus.generation += 1
    print(f"replicated to {have:,} articles in {time.perf_counter() - start:.0f} s", flush=True)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def bare_fts(ctx: Context, requests: int, seed: int) -> dict[str, float]:
    """The floor every command stands on: a bare FTS5 bm25 top-10 query on the same sentence
    index (:meth:`Store.search_sentences`, ranked inside FTS5), for the same request texts,
    in the same run, so each command's cost reads as a ratio that holds on a noisy machine."""
    rng = random.Random(seed)
    # the words a search would use: stop words ("how", "is", "the") would make every query a scan
    texts = [" ".join(w for w in str(v).split() if w.lower().strip("?.,") not in STOP_WORDS)
             for _, pool in MIX.values() for v in pool if v]
    texts = [t for t in texts if t]
    plan = [texts[i % len(texts)] for i in range(requests)]
    rng.shuffle(plan)
    await ctx.corpus.store.search_sentences(plan[0], limit=10)
    times = []
    for text in plan:
        t = time.perf_counter()
        await ctx.corpus.store.search_sentences(text, limit=10)
        times.append((time.perf_counter() - t) * 1000)
    out = {"p50": statistics.median(times), "p99": pct(times, 99), "max": max(times)}
    print(f"{'bare FTS':9} n={len(plan)}                p50 {out['p50']:6.1f} ms  p99 {out['p99']:6.1f} ms"
          f"  max {out['max']:6.1f} ms  (bm25 top-10 on the sentence index)", flush=True)
    return out


async def replay(ctx: Context, requests: int, seed: int) -> dict[str, dict[str, float]]:
    rng = random.Random(seed)
    out: dict[str, dict[str, float]] = {}
    floor = (await bare_fts(ctx, requests, seed))["p99"]
    for name, (arg, pool) in MIX.items():
        if REGISTRY.get(name) is None:
            print(f"{name:9} skipped: not registered yet")
            continue
        plan = [pool[i % len(pool)] for i in range(requests)]
        rng.shuffle(plan)
        t = time.perf_counter()
        await dispatch(ctx, Request(name, {arg: plan[0]} if plan[0] is not None else {}))
        cold = (time.perf_counter() - t) * 1000
        times = []
        answered = errors = 0
        for value in plan:
            req = Request(name, {arg: value} if value is not None else {})
            t = time.perf_counter()
            reply = await dispatch(ctx, req)
            times.append((time.perf_counter() - t) * 1000)
            answered += reply.answered
            errors += reply.error  # a refusal counts: the hostile requests may earn one
        out[name] = {"cold": cold, "p50": statistics.median(times), "p99": pct(times, 99), "p99.9": pct(times, 99.9), "max": max(times),
                     "answered": answered / len(plan), "errors": errors}
        r = out[name]
        r["ratio"] = r["p99"] / floor if floor else float("nan")
        print(f"{name:9} n={len(plan)}  cold {r['cold']:7.1f} ms  p50 {r['p50']:6.1f} ms  p99 {r['p99']:6.1f} ms"
              f"  p99.9 {r['p99.9']:6.1f} ms  max {r['max']:6.1f} ms  p99/FTS {r['ratio']:4.1f}×  answered {r['answered']:.0%}  errors {errors}",
              flush=True)
    return out


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--requests", type=int, default=220)
    parser.add_argument("--replicate", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not NEWS.exists():
        print(f"skipped: {NEWS} is not available (the ../shared data is not beside this checkout)")
        return 0
    db = args.db or Path(tempfile.gettempdir()) / f"briefbot-bench-{args.limit or 'all'}.db"
    load_commands()
    corpus = await build(db, args.limit, args.workers)
    await _warm(corpus)  # as `briefbot run` does at start: chart library, model, long-lived heap frozen
    try:
        counts = await corpus.store.fact_counts()
        print("corpus: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
        # Charts are rendered off the event loop and are excluded from the latency targets;
        # time the queries alone, then one compare with its chart for reference.
        ctx = Context(corpus, charts=False)
        await replay(ctx, args.requests, args.seed)
        t = time.perf_counter()
        await dispatch(Context(corpus), Request("compare", {"topic": "Russian casualties"}))
        print(f"compare with chart rendering (one request): {(time.perf_counter() - t) * 1000:.0f} ms")
        current, peak = rss_mb()
        print(f"RSS {current:.0f} MB (peak {peak:.0f} MB)")
        if args.replicate:
            await replicate(corpus, args.replicate)
            counts = await corpus.store.fact_counts()
            print("corpus: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))
            await replay(ctx, args.requests, args.seed)
            current, peak = rss_mb()
            print(f"RSS {current:.0f} MB (peak {peak:.0f} MB)")
    finally:
        await corpus.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
