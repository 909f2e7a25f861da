#!/usr/bin/env python3
"""Score pair lists against the corpus generator's planted near-duplicates.

Usage:
  score_pairs.py --programs programs.tsv --planted planted_pairs.tsv \
                 [--label NAME=pairs.tsv ...] [--thresholds 0.5,0.6,...]

programs.tsv   `\\copy (SELECT id, name, department, …) TO …` output (COPY text format)
planted_pairs  Benchmarks/corpus/generate.py --plant-duplicates ground truth
pairs.tsv      one pair per line: `a<TAB>b[<TAB>score]` (program ids, any order)

For each pair list prints one JSON line: pairs returned, planted pairs found, recall,
recall per kind (rename / move / rename+move), and pairs that are not planted. With
--thresholds and scored pairs, the same at each threshold (for tuning). A planted pair
whose sides are not both in programs.tsv (not synced) is reported, not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata

MARKERS = ("（再掲）", "(再掲)", "【再掲】", "［再掲］", "[再掲]", "再掲")


def fold(text: str) -> str:
    """CrosswalkModel.TextKey.fold: NFKC, whitespace removed, lowercased."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def identity(name: str, department: str) -> str:
    """CrosswalkModel.ProgramKey.make."""
    for marker in MARKERS:
        name = name.replace(marker, "")
    return fold(name) + "|" + fold(department)


def unescape(field: str):
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            n = field[i + 1]
            out.append({"t": "\t", "n": "\n", "r": "\r"}.get(n, n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def load_programs(path: str) -> dict[str, int]:
    ids = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [unescape(c) for c in line.rstrip("\n").split("\t")]
            ids[identity(cells[1] or "", cells[2] or "")] = int(cells[0])
    return ids


def load_planted(path: str, ids: dict[str, int]):
    planted, missing = {}, 0
    with open(path, encoding="utf-8") as f:
        next(f)
        for line in f:
            kind, name_a, dept_a, _, name_b, dept_b, _ = line.rstrip("\n").split("\t")
            a, b = ids.get(identity(name_a, dept_a)), ids.get(identity(name_b, dept_b))
            if a is None or b is None:
                missing += 1
                continue
            planted[(min(a, b), max(a, b))] = kind
    return planted, missing


def load_pairs(path: str) -> dict[tuple[int, int], float]:
    pairs = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = line.split("\t")
            if len(cells) < 2 or not cells[0].strip().lstrip("-").isdigit():
                continue
            a, b = int(cells[0]), int(cells[1])
            score = float(cells[2]) if len(cells) > 2 and cells[2].strip() else 1.0
            pairs[(min(a, b), max(a, b))] = score
    return pairs


def summarize(pairs, planted, threshold=None):
    if threshold is not None:
        pairs = {k: v for k, v in pairs.items() if v >= threshold}
    kinds = {}
    for pair, kind in planted.items():
        total, found = kinds.get(kind, (0, 0))
        kinds[kind] = (total + 1, found + (pair in pairs))
    found = sum(f for _, f in kinds.values())
    out = {
        "pairs_returned": len(pairs),
        "planted": len(planted),
        "planted_found": found,
        "recall": round(found / len(planted), 4) if planted else None,
        "recall_by_kind": {k: round(f / t, 4) for k, (t, f) in sorted(kinds.items())},
        "other_pairs": len(pairs) - found,
    }
    if threshold is not None:
        out = {"threshold": threshold, **out}
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", required=True)
    ap.add_argument("--planted", required=True)
    ap.add_argument("--label", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--thresholds", default="")
    args = ap.parse_args()
    ids = load_programs(args.programs)
    planted, missing = load_planted(args.planted, ids)
    print(json.dumps({"programs": len(ids), "planted_pairs_in_store": len(planted), "planted_pairs_not_synced": missing}))
    for item in args.label:
        name, path = item.split("=", 1)
        pairs = load_pairs(path)
        print(json.dumps({"side": name, **summarize(pairs, planted)}, ensure_ascii=False))
        for t in [float(x) for x in args.thresholds.split(",") if x]:
            print(json.dumps({"side": name, **summarize(pairs, planted, t)}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
