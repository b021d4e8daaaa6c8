"""Score the real ingest + extraction pipeline against the hand-made dev gold.

    python bench/extraction_quality.py            # seeds vs gold, 16 eval articles, six non-war stories
    python bench/extraction_quality.py --samples 10 --seed 7

Unlike the per-extractor scorers (``bench/score_figures.py`` etc., which run spaCy on the
raw seed text), this goes through everything a user's article goes through: cleaning,
segmentation, the batched spaCy pass in a worker, the store, and the corpus-wide alias
index. Figure spans are mapped back to raw-file offsets through their sentence.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

import score_aliases  # noqa: E402
import score_figures  # noqa: E402
import score_quotes  # noqa: E402

from corpus.extract.pipeline import Extractor  # noqa: E402
from corpus.service import SHIPPED_ARTICLES, Corpus  # noqa: E402

SHARED = REPO.parent / "shared"
GOLD = SHARED / "eval" / "dev"
EVAL = SHARED / "eval" / "articles"
STORIES = SHARED / "eval" / "stories" / "articles"


def locate(raw: str, sentence: str) -> int | None:
    """Start of ``sentence`` in the raw file, tolerant of whitespace and NBSP changes."""
    i = raw.find(sentence)
    if i >= 0:
        return i
    words = sentence.split()
    if not words:
        return None
    m = re.search(r"[\s\u00a0]+".join(re.escape(w) for w in words), raw)
    return m.start() if m else None


async def build(paths: list[Path]) -> tuple[Corpus, dict[str, int]]:
    db = Path(tempfile.mkdtemp()) / "quality.db"
    corpus = await Corpus.open(db, extractor=Extractor(workers=1), seed=False)
    ids: dict[str, int] = {}
    for path in paths:
        for r in await corpus.ingest_path(path, added_by="bench"):
            if r.article_id:
                ids[Path(r.source).name] = r.article_id
            else:
                print(f"  not ingested: {r.source}: {r.message}")
    return corpus, ids


async def seeds_vs_gold() -> None:
    corpus, ids = await build([SHIPPED_ARTICLES])
    figures: dict[str, list] = {}
    quotes: dict[str, list] = {}
    texts: dict[str, str] = {}
    mentions: dict[str, list] = {}
    unmapped = 0
    for name, article_id in sorted(ids.items()):
        raw = (SHIPPED_ARTICLES / name).read_text(encoding="utf-8")
        article = await corpus.store.get_article(article_id)
        facts = await corpus.store.get_facts(article_id)
        sentences = await corpus.store.sentences(article_id)
        texts[name] = raw
        raw_quotes = []
        for q in facts.quotes:
            sent = next((s for s in sentences if s.start <= q.start < s.end + 2), None)
            base = locate(raw, sent.text) if sent else None
            if base is None:
                j = raw.find(q.text)
            else:
                guess = base + (q.start - sent.start)
                j = raw.find(q.text, max(0, guess - 10))
            if j < 0:
                unmapped += 1
                continue
            raw_quotes.append(dataclasses.replace(q, start=j, end=j + len(q.text)))
        quotes[name] = raw_quotes
        mentions[name[:3]] = facts.mentions
        pairs = []
        for f in facts.figures:
            sent = next((s for s in sentences if s.start <= f.start < s.end), None)
            if sent is None:
                unmapped += 1
                continue
            base = locate(raw, sent.text)
            if base is None:
                unmapped += 1
                continue
            guess = base + (f.start - sent.start)
            j = raw.find(f.surface, max(0, guess - 10))
            start = j if 0 <= j - guess < 40 else guess
            pairs.append((sent.text, dataclasses.replace(f, start=start, end=start + len(f.surface))))
        figures[name] = pairs
    print("== figures (through ingest: cleaned text, batched spaCy, store)")
    score_figures._print_scores(score_figures.score(figures, GOLD / "gold_figures.json"))
    if unmapped:
        print(f"  ({unmapped} figures could not be mapped back to the raw file)")

    print("\n== quotes")
    q = score_quotes.score(quotes, GOLD / "gold_quotes.json", texts=texts, aliases_path=GOLD / "gold_aliases.json")
    t = q["total"]
    print(
        f"quotes found {t['found']}/{t['gold']} (recall {t['recall']:.3f}), precision {t['precision']:.3f}, "
        f"speaker accuracy {t['speaker_ok']}/{t['found']} = {t['speaker_accuracy']:.3f}"
    )
    for name, block in q["files"].items():
        for miss in block["misses"]:
            print(f"  miss {name[:3]}: {miss[:90]!r}")
        for w in block["wrong_speakers"]:
            print(f"  wrong speaker {name[:3]}: {w['quote'][:60]!r} gold={w['gold']!r} got={w['got']!r}")

    print("\n== alias groups (corpus-wide index)")
    result = score_aliases.score(await corpus.aliases.groups(), GOLD / "gold_aliases.json", mentions=mentions,
                                 texts={k[:3]: v for k, v in texts.items()})
    for key in ("gold_groups", "groups_with_found_names", "groups_with_2plus_found", "fully_merged",
                "fully_merged_same_type", "wrong_merges", "descriptions_linked_as_roles", "label_accuracy"):
        if key in result:
            print(f"  {key}: {result[key]}")
    for problem in result.get("problems", [])[:20]:
        print(f"  {problem}")
    await corpus.close()


async def held_out(label: str, directory: Path, samples: int, seed: int) -> None:
    """Counts and random samples for a reader to judge, on articles nobody annotated."""
    corpus, ids = await build([directory])
    rng = random.Random(seed)
    all_figs, all_quotes = [], []
    labels: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    n_events = 0
    for name, article_id in sorted(ids.items()):
        facts = await corpus.store.get_facts(article_id)
        sentences = await corpus.store.sentences(article_id)
        labels.update(m.label for m in facts.mentions)
        n_events += len(facts.events)
        for f in facts.figures:
            sent = next((s for s in sentences if s.start <= f.start < s.end), None)
            all_figs.append((name[:24], f, sent.text if sent else ""))
            kinds[f.kind] += 1
        for q in facts.quotes:
            all_quotes.append((name[:24], q))
    with_speaker = sum(1 for _, q in all_quotes if q.speaker)
    with_party = sum(1 for _, f, _ in all_figs if f.party)
    with_event = sum(1 for _, f, _ in all_figs if f.event)
    print(f"\n== {label}: {len(ids)} articles")
    print(f"  figures {len(all_figs)} (with an event {with_event}, with a party {with_party}); kinds: "
          + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    print(f"  quotes {len(all_quotes)}: {with_speaker} with a speaker, {len(all_quotes) - with_speaker} without")
    print("  entity mentions by type: " + ", ".join(f"{k} {n}" for k, n in labels.most_common())
          + f"; dated events {n_events}")
    print(f"\n{samples} random figures:")
    for art, f, sent in rng.sample(all_figs, min(samples, len(all_figs))):
        rng_txt = f"{f.low:g}" if f.low == f.high else f"{f.low}–{f.high}"
        print(f"  [{art}] {f.surface!r} = {rng_txt} {f.unit or ''} | {f.qualifier} | {f.kind} | "
              f"thing={f.thing!r} event={f.event!r} party={f.party!r} claimant={f.claimant!r}\n"
              f"       “{sent[:160]}”")
    print(f"\n{samples} random quotes:")
    for art, q in rng.sample(all_quotes, min(samples, len(all_quotes))):
        role = f" [{q.speaker_role}]" if q.speaker_role else ""
        print(f"  [{art}] {q.speaker}{role} ({q.attribution}): “{q.text[:110]}”")
    await corpus.close()


async def run(args: argparse.Namespace) -> None:
    if not GOLD.exists():
        print(f"skipped: {GOLD} is not available (needs ../shared beside the repository)")
        return
    await seeds_vs_gold()
    if EVAL.exists():
        await held_out("16 held-out war articles", EVAL, args.samples, args.seed)
    if STORIES.exists():
        await held_out("six non-war developing stories", STORIES, args.stories_samples, args.seed)
    else:
        print(f"skipped the non-war stories: {STORIES} is not available")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--samples", type=int, default=10)
    p.add_argument("--stories-samples", type=int, default=20)
    p.add_argument("--seed", type=int, default=7)
    asyncio.run(run(p.parse_args()))


if __name__ == "__main__":
    main()
