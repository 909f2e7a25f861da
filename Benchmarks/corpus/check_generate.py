#!/usr/bin/env python3
"""Self-check for generate.py: builds a small corpus and checks its structure.

  python3 Benchmarks/corpus/check_generate.py [--keep DIR]

Checks, for every generated file: it decodes strictly with the encoding files.tsv
names (BOM only for utf-8-sig, no U+2014 in CP932 files); line ends are uniformly LF
or CRLF; every page has blank line(s), the title line (with the file's fiscal year
and organization) and three header rows; every table row has 21 cells on page 1 and
20 after; listing numbers run 1..n and add up to files.tsv and manifest.json. Then:
the planted pairs appear in their organizations' files; the corpus shows each
variation generate.py promises; the same seed gives the same bytes; a
--wrap-anywhere --cut --truth corpus is consistent with its truth files. The same
structural reader also runs over the real sample (Samples/digital_R5.txt) so the
checks describe the real layout, not only the generator's idea of it.

Stdlib only; no durations are asserted. Exit status 0 when everything holds.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
GENERATE = os.path.join(HERE, "generate.py")
SAMPLE = os.path.join(REPO, "Samples", "digital_R5.txt")

TITLE_RE = re.compile(r"^(令和|平成)(\d+)年度 行政評価の取組結果（(.+)）$")
DIGITS = re.compile(r"^\d+$")
WRAP_RE = re.compile(r"[^\x00-\x7f ] [^\x00-\x7f ]")  # space between two Japanese characters
LATIN_SPACE_RE = re.compile(r"[A-Za-z] [^\x00-\x7f]|[A-Za-z] [A-Za-z]")

failures: list[str] = []


def check(cond: bool, message: str) -> bool:
    if not cond:
        failures.append(message)
        if len(failures) <= 30:
            print("FAIL:", message)
    return cond


def fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def read_structure(path: str, text: str, observed: dict, cut_line: int = 0,
                   program_rows: dict | None = None) -> dict:
    """Walk a document's pages; return {'listings', 'fiscal_year', 'organization', 'pages'}.

    `cut_line`: the document was cut inside that (last) row. `program_rows`, when given,
    receives {line: (No., cells)} of every complete program row."""
    lines = text.split("\n")
    if cut_line:
        check(cut_line == len(lines) and not text.endswith("\n"),
              f"{path}: cut at line {cut_line} but the text has {len(lines)} lines or ends with a line break")
    i, n = 0, len(lines)
    page = 0
    numbers: list[int] = []
    fiscal_year = org = None
    while i < n:
        # Blank lines before the title (at least one).
        blanks = 0
        while i < n and lines[i] == "":
            blanks += 1
            i += 1
        if i >= n:
            break
        where = f"{path}:{i + 1}"
        m = TITLE_RE.match(lines[i])
        if not check(blanks >= 1 and m is not None, f"{where}: expected blank line(s) then title, got {lines[i][:60]!r}"):
            return {"listings": len(numbers), "fiscal_year": None, "organization": None, "pages": page}
        era, year, name = m.group(1), int(m.group(2)), m.group(3)
        fy = year + (2018 if era == "令和" else 1988)
        if fiscal_year is None:
            fiscal_year, org = fy, name
        check((fy, name) == (fiscal_year, org), f"{where}: title differs from page 1's")
        observed["era_" + era] = True
        i += 1
        check(i < n and lines[i] == "", f"{where}: no blank line after the title")
        i += 1
        ncol = 21 if page == 0 else 20
        headers = lines[i:i + 3]
        check(len(headers) == 3 and headers[0].startswith("【Plan】")
              and headers[1].startswith("施策番号・施策名\tNo.")
              and headers[2].startswith("\t" * 7 + "指標名等"),
              f"{where}: three header rows expected after the title")
        i += 3
        for h in headers:
            check(len(h.split("\t")) == ncol, f"{where}: header row has {len(h.split(chr(9)))} cells, want {ncol}")
        while i < n and lines[i] != "":
            cells = lines[i].split("\t")
            if i + 1 == cut_line:
                check(len(cells) < ncol and lines[i] != "", f"{path}:{i + 1}: cut row has {len(cells)} cells, want 1..{ncol - 1}")
                observed["cut_row"] = True
                i = n
                break
            check(len(cells) == ncol, f"{path}:{i + 1}: {len(cells)} cells on page {page + 1}, want {ncol}")
            no = None
            if DIGITS.match(cells[0]):
                no = int(cells[0])
                observed["row_starts_with_no"] = True
                if len(cells) > 2 and cells[2] == "":
                    observed["shift3_row"] = True
            elif len(cells) > 1 and DIGITS.match(cells[1]):
                no = int(cells[1])
            if no is not None:
                numbers.append(no)
                if program_rows is not None:
                    program_rows[i + 1] = (no, cells)
                line = lines[i]
                if "目標 " in line and "\t実績 " in line and "\t達成率 " in line:
                    observed["flattened_indicator"] = True
                if re.search(r"[①-⑳]", line):
                    observed["sdg_circled"] = True
                sdg = cells[1] if cells[0] == str(no) else cells[2]
                if re.fullmatch(r"\d+( \d+)*", sdg):
                    observed["sdg_plain"] = True
                if WRAP_RE.search("\t".join(cells[3:7])):
                    observed["wrap_space"] = True
                if LATIN_SPACE_RE.search(cells[3] + cells[2]):
                    observed["latin_space"] = True
                if "\t指標名等\t" in line:
                    observed["placeholder"] = True
                if "再掲" in line:
                    observed["relisted_marker"] = True
                if re.search(r"\t[△▲][\d,]+\t", line):
                    observed["negative_amount"] = True
                if "H32年度" in line:
                    observed["H32"] = True
            else:
                first = next((c for c in cells if c), "")
                if first.startswith("実績"):
                    observed["continuation_rows"] = True
            i += 1
        page += 1
        observed[f"pages_{ncol}_columns"] = True
    check(numbers == list(range(1, len(numbers) + 1)), f"{path}: listing numbers are not 1..n")
    check(not cut_line or observed.get("cut_row"), f"{path}: cut line {cut_line} not reached")
    return {"listings": len(numbers), "fiscal_year": fiscal_year, "organization": org, "pages": page}


def decode(path: str, data: bytes, encoding: str, eol: str) -> str | None:
    if encoding == "utf-8-sig":
        check(data.startswith(b"\xef\xbb\xbf"), f"{path}: utf-8-sig file without BOM")
    else:
        check(not data.startswith(b"\xef\xbb\xbf"), f"{path}: BOM in a {encoding} file")
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        check(False, f"{path}: does not decode as {encoding}: {e}")
        return None
    if encoding == "cp932":
        check("—" not in text, f"{path}: U+2014 in a CP932 file")
        try:
            data.decode("utf-8")
            check(False, f"{path}: CP932 file also decodes as UTF-8 (no Japanese text?)")
        except UnicodeDecodeError:
            pass
    else:
        check("―" not in text, f"{path}: U+2015 in a UTF-8 file")
    if eol == "CRLF":
        check(text.count("\n") == text.count("\r\n"), f"{path}: bare LF in a CRLF file")
        text = text.replace("\r\n", "\n")
    else:
        check("\r" not in text, f"{path}: CR in an LF file")
    return text


def generate(out: str, *args: str) -> None:
    cmd = [sys.executable, GENERATE, "--out", out, "--quiet", *args]
    subprocess.run(cmd, check=True)


def tree_digest(root: str) -> str:
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for f in sorted(filenames):
            if f == "manifest.json":  # holds the run time
                continue
            p = os.path.join(dirpath, f)
            h.update(os.path.relpath(p, root).encode())
            with open(p, "rb") as fh:
                h.update(fh.read())
    return h.hexdigest()


def check_sample() -> None:
    if not os.path.exists(SAMPLE):
        print(f"note: {SAMPLE} not found; skipping the real-sample check")
        return
    data = open(SAMPLE, "rb").read()
    observed: dict = {}
    info = read_structure(SAMPLE, decode(SAMPLE, data, "utf-8", "LF"), observed)
    check(info["listings"] == 8 and info["pages"] == 3 and info["fiscal_year"] == 2023,
          f"real sample read as {info}, want 8 listings on 3 pages, FY2023")
    print(f"real sample: {info['listings']} listings, {info['pages']} pages, "
          f"variations seen: {', '.join(sorted(observed))}")


def check_corpus(out: str, listings: int) -> None:
    manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    rows = list(csv.DictReader(open(os.path.join(out, "files.tsv"), encoding="utf-8", newline=""),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    check(manifest["documents"] == len(rows), "manifest documents != files.tsv rows")
    check(manifest["listings"] == listings, f"manifest listings {manifest['listings']} != requested {listings}")
    observed: dict = {}
    total = 0
    by_enc: dict[str, int] = {}
    org_text: dict[str, list[str]] = {}
    for r in rows:
        path = os.path.join(out, r["path"])
        data = open(path, "rb").read()
        check(len(data) == int(r["bytes"]), f"{r['path']}: size differs from files.tsv")
        by_enc[r["encoding"]] = by_enc.get(r["encoding"], 0) + len(data)
        observed["enc_" + r["encoding"]] = True
        observed["eol_" + r["eol"]] = True
        text = decode(r["path"], data, r["encoding"], r["eol"])
        if text is None:
            continue
        info = read_structure(r["path"], text, observed)
        check(info["listings"] == int(r["listings"]),
              f"{r['path']}: {info['listings']} listing rows, files.tsv says {r['listings']}")
        check(info["fiscal_year"] == int(r["fiscal_year"]) and info["organization"] == r["organization"],
              f"{r['path']}: title says FY{info['fiscal_year']} {info['organization']}")
        check(info["pages"] >= 1, f"{r['path']}: no pages")
        total += info["listings"]
        org_text.setdefault(r["organization"], []).append(fold(text.replace("\t", "\x00")))
    check(total == listings, f"listing rows in files: {total}, want {listings}")
    check(by_enc == manifest["bytes_by_encoding"], f"bytes by encoding {by_enc} != manifest {manifest['bytes_by_encoding']}")
    check(manifest["relisted_listings"] > manifest["relisted_listings_marked"] > 0,
          "expected both marked and unmarked re-listings")
    check(manifest["unique_programs"] < listings, "unique programs should be fewer than listings")

    # Planted pairs: each side (name + department) appears in its organization's files.
    pairs = list(csv.DictReader(open(os.path.join(out, "planted_pairs.tsv"), encoding="utf-8", newline=""),
                                delimiter="\t", quoting=csv.QUOTE_NONE))
    check(len(pairs) > 0, "no planted pairs")
    check(len(pairs) == manifest["planted_pairs"], "planted_pairs.tsv rows != manifest planted_pairs")
    kinds = set()
    for p in pairs:
        kinds.add(p["kind"])
        for side in ("a", "b"):
            texts = org_text.get(p[f"organization_{side}"], [])
            name, dept = fold(p[f"program_{side}"]), fold(p[f"department_{side}"])
            check(any(f"\x00{name}\x00{dept}" in t for t in texts),
                  f"planted {side}-side {p[f'program_{side}']} / {p[f'department_{side}']} "
                  f"not found in {p[f'organization_{side}']}'s files")
        check((fold(p["program_a"]), fold(p["department_a"])) != (fold(p["program_b"]), fold(p["department_b"])),
              f"planted pair has the same identity key: {p}")
        if p["kind"] == "rename":
            check(p["organization_a"] == p["organization_b"], f"rename pair across organizations: {p}")
        else:
            check(p["organization_a"] != p["organization_b"] and p["department_a"] != p["department_b"],
                  f"moved pair without a new organization and department: {p}")
    check(kinds == {"rename", "move", "rename+move"}, f"planted kinds seen: {sorted(kinds)}")

    wanted = ["enc_utf-8", "enc_utf-8-sig", "enc_cp932", "eol_LF", "eol_CRLF", "era_令和", "era_平成",
              "pages_21_columns", "pages_20_columns", "row_starts_with_no", "shift3_row",
              "flattened_indicator", "continuation_rows", "sdg_circled", "sdg_plain", "wrap_space",
              "latin_space", "placeholder", "relisted_marker", "negative_amount", "H32"]
    for w in wanted:
        check(observed.get(w, False), f"variation never seen in the corpus: {w}")
    print(f"corpus: {len(rows)} documents, {total} listings, {len(pairs)} planted pairs; "
          f"variations seen: {len([w for w in wanted if observed.get(w)])}/{len(wanted)}")


def check_truth(out: str) -> None:
    """A --wrap-anywhere --cut --truth corpus: every cut document ends inside the row
    cuts.tsv names; truth.tsv names exactly the complete program rows, with their No.,
    identity key (the row's program and department, folded, without the 再掲 marker)
    and marker; the wrap spaces fall where --wrap-anywhere promises."""
    rows = list(csv.DictReader(open(os.path.join(out, "files.tsv"), encoding="utf-8", newline=""),
                               delimiter="\t", quoting=csv.QUOTE_NONE))
    cuts = {r["path"]: int(r["line"]) for r in csv.DictReader(
        open(os.path.join(out, "cuts.tsv"), encoding="utf-8", newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)}
    truth: dict[str, dict[int, dict]] = {}
    for t in csv.DictReader(open(os.path.join(out, "truth.tsv"), encoding="utf-8", newline=""),
                            delimiter="\t", quoting=csv.QUOTE_NONE):
        truth.setdefault(t["path"], {})[int(t["line"])] = t
    manifest = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    check(len(cuts) == manifest["cut_documents"] > 0, f"cuts.tsv has {len(cuts)} rows, manifest {manifest['cut_documents']}")
    check(sum(len(v) for v in truth.values()) == manifest["listings"], "truth.tsv rows != manifest listings")
    observed: dict = {}
    for r in rows:
        data = open(os.path.join(out, r["path"]), "rb").read()
        text = decode(r["path"], data, r["encoding"], r["eol"])
        if text is None:
            continue
        program_rows: dict = {}
        cut = cuts.get(r["path"], 0)
        info = read_structure(r["path"], text, {}, cut_line=cut, program_rows=program_rows)
        check(info["listings"] == int(r["listings"]), f"{r['path']}: listings differ from files.tsv")
        want = truth.get(r["path"], {})
        check(set(want) == set(program_rows), f"{r['path']}: truth.tsv lines {sorted(want)[:5]}… != program rows {sorted(program_rows)[:5]}…")
        for line, (no, cells) in program_rows.items():
            t = want.get(line)
            if t is None:
                continue
            check(int(t["no"]) == no, f"{r['path']}:{line}: truth No. {t['no']} != {no}")
            # The program cell is 3 after No. on shift3 rows (No., SDG, empty), else 2.
            k = cells.index(str(no))
            p = k + 3 if cells[k + 2] == "" else k + 2
            name, dept = fold(cells[p]), fold(cells[p + 1])
            marked = any(m in name for m in ("(再掲)", "【再掲】", "[再掲]", "〔再掲〕", "<再掲>"))
            check(marked == (t["relisted"] == "1"), f"{r['path']}:{line}: marker {marked}, truth says {t['relisted']}")
            for m in ("(再掲)", "【再掲】", "[再掲]", "〔再掲〕", "<再掲>"):
                name = name.replace(m, "")
            check(f"{name}|{dept}" == t["program_key"], f"{r['path']}:{line}: key {name}|{dept} != truth {t['program_key']}")
            if (re.search(r"[（(【［〔＜]\s*再\s*掲\s*[)）】］〕＞]", cells[p])
                    and not re.search(r"[（(【［〔＜]再掲[)）】］〕＞]", cells[p])):
                observed["marker_wrapped"] = True
            if re.search(r"[A-Za-z] [A-Za-z]", cells[p]) and "KitaQ" not in cells[p]:
                observed["latin_wrapped"] = True
            pol = cells[0] if cells[0] != str(no) else ""
            if re.match(r"^[IVXⅠ-Ⅻ]+[^ ]*\s[-－(（)）0-9０-９①-⑳ ]", pol):
                observed["policy_code_wrapped"] = True
            if re.search(r"[、。・] ", "\t".join(cells)):
                observed["space_after_punctuation"] = True
    for w in ("marker_wrapped", "latin_wrapped", "policy_code_wrapped", "space_after_punctuation"):
        check(observed.get(w, False), f"--wrap-anywhere variation never seen: {w}")
    print(f"truth corpus: {len(rows)} documents, {len(cuts)} cut, {manifest['listings']} complete listings; "
          f"variations seen: {', '.join(sorted(observed))}")


def main() -> int:
    ap = argparse.ArgumentParser(description="Self-check for Benchmarks/corpus/generate.py")
    ap.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    ap.add_argument("--listings", type=int, default=4000)
    args = ap.parse_args()

    check_sample()
    with tempfile.TemporaryDirectory(prefix="crosswalk-corpus-check-") as tmp:
        out = args.keep or os.path.join(tmp, "a")
        gen_args = ["--listings", str(args.listings), "--seed", "11", "--docs-per-org", "4",
                    "--plant-duplicates", "0.05"]
        generate(out, *gen_args, *(["--force"] if args.keep else []))
        check_corpus(out, args.listings)
        # Determinism: same seed, same bytes; another seed, other bytes.
        again = os.path.join(tmp, "b")
        generate(again, *gen_args)
        check(tree_digest(out) == tree_digest(again), "same seed produced different output")
        other = os.path.join(tmp, "c")
        generate(other, "--listings", "500", "--seed", "12")
        small = os.path.join(tmp, "d")
        generate(small, "--listings", "500", "--seed", "11")
        check(tree_digest(other) != tree_digest(small), "different seeds produced identical output")
        # Refuses to overwrite without --force.
        r = subprocess.run([sys.executable, GENERATE, "--out", small, "--listings", "10"],
                           capture_output=True, text=True)
        check(r.returncode != 0 and "--force" in r.stderr, "overwriting an existing corpus without --force")
        # Wrap spaces anywhere, cut documents, ground truth; deterministic too.
        truth_args = ["--listings", "1500", "--seed", "13", "--wrap-anywhere", "--cut", "0.3", "--truth"]
        hard = os.path.join(tmp, "f")
        generate(hard, *truth_args)
        check_truth(hard)
        hard_again = os.path.join(tmp, "g")
        generate(hard_again, *truth_args)
        check(tree_digest(hard) == tree_digest(hard_again), "same seed produced different output (--wrap-anywhere --cut --truth)")
        # Tiny corpora still have the right count.
        tiny = os.path.join(tmp, "e")
        generate(tiny, "--listings", "1")
        check(json.load(open(os.path.join(tiny, "manifest.json")))["listings"] == 1, "--listings 1")

    if failures:
        print(f"{len(failures)} check(s) failed")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
