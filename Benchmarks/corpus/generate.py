#!/usr/bin/env python3
"""Synthetic 行政評価 (administrative evaluation) corpus for Crosswalk benchmarks.

Writes TAB-separated documents laid out like /work/shared/samples/digital_R5.txt
(see /work/shared/FORMAT-NOTES.md): pages with blank lines, a title line and three
header rows; 21 columns on page 1 (indicator flattened into one row) and 20 on later
pages, whose rows are laid out in one of three ways:

  keep    the (usually empty) policy cell stays; 実績/達成率 continuation rows at column 7
  vanish  rows without a policy cell start with No.; continuations at column 6 (page 2 of
          the sample)
  shift3  No., SDG, an empty cell, then the program; 目標 label in its own cell,
          continuations at column 9, no evaluation reasons, wrap spaces (page 3)

Variation across documents: generated organizations (municipality + bureau), fiscal
years 平成28–30 and 令和1–6, UTF-8 / UTF-8 with BOM / CP932 (— written as ―), LF / CRLF.

Usage:
  python3 generate.py --out DIR --listings N [--seed S] [--docs-per-org K]
                      [--plant-duplicates P] [--wrap-anywhere] [--cut P] [--evolve P] [--truth] [--force]

--wrap-anywhere puts wrap spaces between any two characters (markers, brackets, policy
codes, Latin names, after punctuation), --cut cuts documents inside a row, --truth
writes the ground truth (truth.tsv, cuts.tsv, yoy_truth.json) a reader's output can be
checked against. --evolve renames, moves (other department) and retags (other SDG goals)
some programs between consecutive years.

Output:
  DIR/docs/NNN/*.txt    the documents (1,000 per folder)
  DIR/files.tsv         path, encoding (utf-8 | utf-8-sig | cp932), eol, bytes, listings,
                        fiscal_year, organization — one row per document
  DIR/planted_pairs.tsv near-duplicate ground truth (see --plant-duplicates)
  DIR/truth.tsv         with --truth: every complete listing's line, identity key, 再掲
                        marker, settled amount and readable names
  DIR/cuts.tsv          with --truth: the line each cut document ends in
  DIR/yoy_truth.json    with --truth: per organization and pair of consecutive years, the
                        program keys new, ended and continuing (settled amounts in both
                        years as the store keeps them), renamed/moved pairs (--evolve),
                        programs whose goals changed, per-goal totals gross and split
  DIR/manifest.json     counts

Deterministic for a given (seed, arguments). Stdlib only; streams one organization at
a time, so memory stays bounded apart from the set of used program keys.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
import time
import unicodedata
from bisect import bisect
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import accumulate

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import vocab as V  # noqa: E402

GENERATOR_VERSION = 1
DASH = "—"  # U+2014: "none"; CP932 files get U+2015 instead.
CP932_DASH = "―"
TITLE = "{era}{n}年度 行政評価の取組結果（{org}）"
FILES_PER_FOLDER = 1000

# Encodings and line ends: (encoding, eol, weight).
ENCODINGS = (
    ("utf-8", "\n", 40), ("utf-8", "\r\n", 10),
    ("utf-8-sig", "\n", 8), ("utf-8-sig", "\r\n", 7),
    ("cp932", "\r\n", 25), ("cp932", "\n", 10),
)
# Later-page layouts: (style, weight).
PAGE_STYLES = (("keep", 30), ("vanish", 45), ("shift3", 25))
FIRST_FY, LAST_FY = 2016, 2024  # 平成28年度 … 令和6年度


def fold_key(text: str) -> str:
    """Same idea as CrosswalkModel.TextKey.fold: NFKC, no whitespace, lowercase."""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def program_key(name: str, dept: str) -> str:
    return fold_key(name) + "|" + fold_key(dept)


class Weighted:
    """Fast weighted choice over a fixed table."""

    __slots__ = ("items", "cum", "total")

    def __init__(self, pairs):
        self.items = [p[0] for p in pairs]
        self.cum = list(accumulate(p[1] for p in pairs))
        self.total = self.cum[-1]

    def pick(self, rng: random.Random):
        return self.items[bisect(self.cum, rng.random() * self.total)]


GRADE_PICK = Weighted(list(zip(V.GRADES, V.GRADE_WEIGHTS)))
ENCODING_PICK = Weighted([((e, n), w) for e, n, w in ENCODINGS])
STYLE_PICK = Weighted(PAGE_STYLES)
MARKER_PICK = Weighted(V.RELIST_MARKERS)
DOMAIN_NAMES = list(V.DOMAINS)


# --------------------------------------------------------------------------- eras

def era_of(fy: int) -> tuple[str, str, int]:
    """(era name, label letter, era year) for a Gregorian fiscal year."""
    if fy >= 2019:
        return "令和", "R", fy - 2018
    return "平成", "H", fy - 1988


def year_label(doc_fy: int, fy: int) -> str:
    """Column label for fiscal year `fy` in a document of `doc_fy`.

    平成 documents keep writing 平成 years past the era change (H32年度 = FY2020).
    令和 documents label FY2018 as H30年度.
    """
    if doc_fy < 2019 or fy < 2019:
        return f"H{fy - 1988}年度"
    return f"R{fy - 2018}年度"


# --------------------------------------------------------------------------- text helpers

def fmt_int(v: int) -> str:
    return f"{v:,}"


def is_wrappable(a: str, b: str) -> bool:
    """A PDF wrap becomes a space only between two Japanese (non-ASCII) characters."""
    return a > "\x7f" and b > "\x7f" and a not in " 　" and b not in " 　"


def wrap(text: str, width: int) -> str:
    """Insert a space every `width` characters where two Japanese characters meet."""
    if len(text) <= width:
        return text
    out = [text[:width]]
    for i in range(width, len(text), width):
        if is_wrappable(text[i - 1], text[i]):
            out.append(" ")
        out.append(text[i:i + width])
    return "".join(out)


def wrap_anywhere(rng: random.Random, text: str) -> str:
    """A space every 2–7 characters between any two characters, as a PDF extractor
    joins the lines of a narrow cell: inside words, Latin names, re-listing markers,
    brackets, policy codes, after full-width punctuation."""
    width = rng.randint(2, 7)
    if len(text) <= width:
        return text
    out = [text[:width]]
    for i in range(width, len(text), width):
        if text[i - 1] not in " 　" and text[i] not in " 　":
            out.append(" ")
        out.append(text[i:i + width])
    return "".join(out)


# --wrap-anywhere also writes re-listing markers in other widths and brackets.
ODD_MARKERS = ("［再掲］", "〔再掲〕", "（再掲)", "(再掲）", "＜再掲＞", "【再掲】")


def amount_value(text: str):
    """The thousand-yen figure of an amount cell (None for a dash)."""
    if text in (DASH, CP932_DASH):
        return None
    negative = text[0] in "△▲"
    value = int(text.lstrip("△▲").replace(",", ""))
    return -value if negative else value


def swap_synonym(rng: random.Random, text: str, tries: int = 4) -> str:
    """Replace one occurrence of one synonym pair; unchanged when none applies."""
    for _ in range(tries):
        a, b = rng.choice(V.SYNONYMS)
        if rng.random() < 0.5:
            a, b = b, a
        if a in text:
            return text.replace(a, b, 1)
    return text


def vary_sentence(rng: random.Random, text: str) -> str:
    """Small wording change between listings (検討を実施 → 検討などを実施)."""
    r = rng.random()
    if r < 0.4 and "を実施" in text:
        return text.replace("を実施", "などを実施", 1)
    if r < 0.7:
        return swap_synonym(rng, text)
    return text.replace("ことから", "ため", 1)


# --------------------------------------------------------------------------- model

class Program:
    __slots__ = (
        "pid", "name", "dept", "old_dept", "summary", "topic", "target", "sdgs",
        "ind_name", "ind_unit", "ind_low", "ind_high", "ind_text", "baseline", "midterm",
        "amount", "personnel", "policy", "relist_policy", "relist_sdgs", "relist_marker",
        "years", "planted", "retag",
    )


class Org:
    __slots__ = ("index", "name", "muni", "bureau", "domain", "depts", "policies", "programs",
                 "years", "fullwidth_codes", "percent_sign")


class Stats:
    def __init__(self):
        self.documents = 0
        self.listings = 0
        self.relisted_listings = 0
        self.marked_relisted = 0
        self.unique_programs = 0
        self.organizations = 0
        self.pages = 0
        self.lines = 0
        self.bytes_by_encoding: dict[str, int] = {}
        self.files_by_encoding: dict[str, int] = {}
        self.files_by_eol = {"LF": 0, "CRLF": 0}
        self.documents_by_fiscal_year: dict[str, int] = {}
        self.page_styles = {"flat21": 0, "keep": 0, "vanish": 0, "shift3": 0}
        self.wrapped_pages = 0
        self.cut_documents = 0
        self.placeholder_indicators = 0
        self.negative_amounts = 0
        self.planted_pairs = 0


# --------------------------------------------------------------------------- generator

class Generator:
    def __init__(self, out: str, listings: int, seed: int, docs_per_org: int, plant: float,
                 anywhere: bool = False, cut: float = 0.0, truth: bool = False, evolve: float = 0.0):
        self.out = out
        # The options below draw from their own stream: without them the corpus is
        # byte-for-byte what earlier versions wrote.
        self.xrng = random.Random(f"{seed}-extra")
        self.anywhere = anywhere
        self.cut = cut
        self.truth = truth
        self.truth_tsv = None
        self.cuts_tsv = None
        self.doc_truth: list[tuple] = []  # per listing of the rendered document
        self.data_lines: list[int] = []   # table rows (program and continuation) of it
        self.target = listings
        self.rng = random.Random(seed)
        self.docs_per_org = max(1, docs_per_org)
        self.plant = plant
        self.stats = Stats()
        self.used_keys: set[str] = set()
        self.used_orgs: set[str] = set()
        self.next_pid = 0
        # Twins planted in one organization and listed by the next one:
        # (twin, (original, original's organization, original written?), kind).
        self.pending_twins: list[tuple] = []
        # Per organization, set by build_programs / render.
        self.incoming: list[tuple] = []   # pending twins this organization adopted
        self.outgoing: list[tuple] = []   # (twin, original, kind) for the next organization
        self.local_pairs: list[tuple] = []  # (original, twin, "rename") within this organization
        self.seen_programs: set[int] = set()  # program ids in the last rendered document
        self.files_tsv = None
        self.pairs_tsv = None
        # --evolve: programs renamed, moved or retagged between consecutive years, from
        # their own stream (without the option nothing is drawn from it).
        self.evolve = evolve
        self.erng = random.Random(f"{seed}-evolve")
        self.evolved: list[tuple] = []     # (kind, from_year, original, successor) in this organization
        self.doc_programs: list[tuple] = []  # per listing of the rendered document, for yoy truth
        self.org_docs: dict[int, dict] = {}  # fiscal year -> program key -> what the document states
        self.yoy_truth: list[dict] = []

    # ----------------------------------------------------------------- names

    def municipality(self) -> str:
        rng = self.rng
        n = 2 if rng.random() < 0.8 else 3
        return "".join(rng.choice(V.PLACE_PIECES) for _ in range(n)) + rng.choice(V.PLACE_SUFFIXES)

    def new_org(self, index: int) -> Org:
        rng = self.rng
        org = Org()
        org.index = index
        org.domain = rng.choice(DOMAIN_NAMES)
        d = V.DOMAINS[org.domain]
        for _ in range(100):
            muni = self.municipality()
            bureau = rng.choice(d["bureaus"])
            sep = " " if rng.random() < 0.05 else ""
            name = muni + sep + bureau
            if name not in self.used_orgs:
                break
        self.used_orgs.add(name)
        org.name, org.muni, org.bureau = name, muni, bureau
        org.fullwidth_codes = rng.random() < 0.05
        org.percent_sign = "％" if rng.random() < 0.1 else "%"
        depts = list(d["depts"])
        rng.shuffle(depts)
        org.depts = depts[: rng.randint(2, min(6, len(depts)))]
        # Fiscal years: K consecutive years, ending recently more often than not.
        k = min(self.docs_per_org, LAST_FY - FIRST_FY + 1)
        end = min(LAST_FY, max(FIRST_FY + k - 1, LAST_FY - int(rng.expovariate(0.7))))
        org.years = list(range(end - k + 1, end + 1))
        # Policies.
        names = list(d["policies"])
        other = V.DOMAINS[rng.choice(DOMAIN_NAMES)]["policies"]
        names += [p for p in other if p not in names]
        n_pol = min(rng.randint(2, 6), len(names))
        chosen = names[:n_pol] if rng.random() < 0.5 else rng.sample(names, n_pol)
        codes = set()
        org.policies = []
        for pname in chosen:
            while True:
                c = (rng.randrange(6), rng.randint(1, 5), rng.randint(1, 6), rng.randrange(9))
                if c not in codes:
                    codes.add(c)
                    break
            org.policies.append((self.policy_code(c, org.fullwidth_codes), pname))
        org.policies.sort(key=lambda p: fold_key(p[0]))
        return org

    @staticmethod
    def policy_code(c, fullwidth: bool) -> str:
        ch, sec, sub, item = c
        if fullwidth:
            fw = str.maketrans("0123456789()-", "０１２３４５６７８９（）－")
            return f"{V.ROMAN_FULL[ch]}-{sec}-({sub})-{item + 1}".translate(fw)
        return f"{V.ROMAN[ch]}-{sec}-({sub})-{V.CIRCLED[item]}"

    def program_name(self, org: Org, topic: str, target: str) -> str:
        rng = self.rng
        action = rng.choice(V.ACTIONS)
        suffix = rng.choice(V.NAME_SUFFIXES)
        r = rng.random()
        if r < 0.35:
            name = topic + action + (suffix or "事業")
        elif r < 0.55:
            name = f"{target}の{topic}{action}"
        elif r < 0.8:
            name = target + topic + action + suffix
        elif r < 0.9:
            name = f"{rng.choice(V.BRANDS)} {topic}{action}事業"
        else:
            stem = org.muni.rstrip("市町村区")
            name = stem + topic + action + suffix
        return name

    # ----------------------------------------------------------------- programs

    def new_program(self, org: Org, d: dict) -> Program:
        rng = self.rng
        p = Program()
        p.pid = self.next_pid
        self.next_pid += 1
        topic = rng.choice(d["topics"])
        target = rng.choice(V.TARGETS)
        p.topic, p.target = topic, target
        p.dept = rng.choice(org.depts)
        for attempt in range(20):
            name = self.program_name(org, topic, target)
            if attempt >= 10:
                name = org.muni.rstrip("市町村区") + name + rng.choice(("", "事業", "（第2期）", "プラン"))
            key = program_key(name, p.dept)
            if key not in self.used_keys:
                break
        else:
            name = f"{name}{p.pid}"
            key = program_key(name, p.dept)
        self.used_keys.add(key)
        p.name = name
        r = rng.random()
        if r < 0.6:
            p.old_dept = f"{org.bureau} {rng.choice(org.depts)}"
        elif r < 0.9:
            p.old_dept = ""
        else:
            p.old_dept = DASH
        means1, means2 = rng.sample(V.MEANS, 2)
        p.summary = rng.choice(V.SUMMARY_TEMPLATES).format(
            purpose=rng.choice(V.PURPOSES), means1=means1, means2=means2, topic=topic, target=target)
        goals = d["sdgs"]
        p.sdgs = sorted(rng.sample(goals, rng.randint(1, min(3, len(goals)))))
        # Indicator: numeric (metric + unit) or text.
        if rng.random() < 0.7:
            metric, unit, low, high = rng.choice(V.METRICS)
            p.ind_name = rng.choice((f"{topic}の{metric}", f"{topic}{metric}", f"{metric}（{target}）"))
            p.ind_unit = unit
            p.ind_low, p.ind_high = low, high
            p.ind_text = None
        else:
            p.ind_name = rng.choice((f"{topic}の推進", f"「{topic}」に基づく取組の推進", f"{topic}の実施状況"))
            p.ind_unit = None
            p.ind_low = p.ind_high = 0
            p.ind_text = rng.choice(V.TEXT_TARGETS).format(topic=topic)
        p.baseline = None  # filled per document (needs the document's era)
        p.midterm = None
        p.amount = int(10 ** rng.uniform(2.5, 5.8))
        p.personnel = rng.choice((800, 1600, 2700, 3200, 5400, 6400, 8000, 12800, 15400, 20950))
        p.policy = rng.randrange(len(org.policies))
        p.relist_policy = None
        p.relist_sdgs = p.sdgs
        p.relist_marker = None
        if len(org.policies) > 1 and rng.random() < 0.09:
            rp = rng.randrange(len(org.policies) - 1)
            p.relist_policy = rp if rp < p.policy else rp + 1
            if rng.random() < 0.5:
                p.relist_sdgs = sorted(rng.sample(goals, rng.randint(1, min(3, len(goals)))))
            p.relist_marker = MARKER_PICK.pick(rng) if rng.random() < 0.6 else ""
        # Active years: most programs run through every year of the organization.
        ys = org.years
        if len(ys) > 1 and rng.random() < 0.3:
            a = rng.randrange(len(ys))
            b = rng.randrange(a, len(ys))
            p.years = (ys[a], ys[b])
        else:
            p.years = (ys[0], ys[-1])
        p.planted = False
        p.retag = None  # (first fiscal year, goals from then on), set by --evolve
        return p

    def make_twin(self, org_from: Org, p: Program, kind: str) -> Program:
        """A near-duplicate of `p`: renamed and/or moved to another organization's department."""
        rng = self.rng
        t = Program()
        t.pid = self.next_pid
        self.next_pid += 1
        for s in Program.__slots__:
            if s != "pid":
                setattr(t, s, getattr(p, s))
        t.planted = True
        t.relist_policy = None
        t.relist_marker = None
        name, dept = p.name, p.dept
        for _ in range(30):
            if kind in ("rename", "rename+move"):
                r = rng.random()
                if r < 0.4:
                    name = swap_synonym(rng, p.name)
                if name == p.name or r >= 0.4:
                    name = p.name + rng.choice(V.TWIN_NAME_SUFFIXES)
            if kind in ("move", "rename+move"):
                depts = V.DOMAINS[org_from.domain]["depts"]
                dept = rng.choice(depts)
                if fold_key(dept) == fold_key(p.dept):
                    continue
            key = program_key(name, dept)
            if key not in self.used_keys:
                break
        else:
            name = p.name + f"（第{rng.randint(2, 9)}期）"
            key = program_key(name, dept)
        self.used_keys.add(key)
        t.name, t.dept = name, dept
        t.summary = swap_synonym(rng, p.summary)
        if rng.random() < 0.5:
            t.summary = swap_synonym(rng, t.summary)
        if rng.random() < 0.3:
            t.ind_name = swap_synonym(rng, p.ind_name)
        t.amount = max(100, int(p.amount * rng.uniform(0.7, 1.3)))
        if kind != "rename":
            t.old_dept = ""  # the original's former department belongs to the other organization
        return t

    def adopt(self, org: Org, t: Program) -> None:
        """Fit a twin from another organization into `org`: policy, years, department."""
        rng = self.rng
        t.policy = rng.randrange(len(org.policies))
        t.years = (org.years[0], org.years[-1])
        if t.dept not in org.depts:
            org.depts.append(t.dept)

    def build_programs(self, org: Org) -> None:
        """Create the organization's programs, adopt pending twins, plant new ones."""
        rng = self.rng
        d = V.DOMAINS[org.domain]
        size = max(3, int(rng.triangular(5, 55, 22)))
        programs = [self.new_program(org, d) for _ in range(size)]
        # Twins planted by earlier organizations land here.
        incoming = self.pending_twins
        self.pending_twins = []
        for twin, _, _ in incoming:
            self.adopt(org, twin)
            programs.append(twin)
        org.programs = programs
        self.incoming = incoming
        # Plant new twins from this organization's programs.
        self.outgoing = []
        self.local_pairs = []
        if self.plant > 0:
            originals = [p for p in programs if not p.planted]
            for p in originals:
                if rng.random() >= self.plant:
                    continue
                p.planted = True
                p.years = (org.years[0], org.years[-1])
                r = rng.random()
                if r < 0.4:
                    kind = "rename"
                elif r < 0.7:
                    kind = "move"
                else:
                    kind = "rename+move"
                t = self.make_twin(org, p, kind)
                if kind == "rename":
                    t.policy = rng.randrange(len(org.policies))
                    programs.append(t)
                    self.local_pairs.append((p, t, kind))
                else:
                    self.outgoing.append((t, p, kind))
        self.evolved = []
        if self.evolve > 0:
            self.evolve_programs(org, d)

    def evolve_programs(self, org: Org, d: dict) -> None:
        """--evolve: between two consecutive years some programs are renamed (a new
        name from that year on), moved to another department, or retagged (other SDG
        goals from that year on). A renamed or moved program ends and its successor
        begins: to the reader they are two programs."""
        rng = self.erng
        for p in list(org.programs):
            if p.planted or p.years[0] >= p.years[1] or rng.random() >= self.evolve:
                continue
            year = rng.randint(p.years[0] + 1, p.years[1])
            kind = rng.choice(("rename", "move", "retag"))
            if kind == "retag":
                goals = d["sdgs"]
                for _ in range(20):
                    new = sorted(rng.sample(goals, rng.randint(1, min(3, len(goals)))))
                    if new != p.sdgs:
                        break
                else:
                    continue
                p.retag = (year, new)
                self.evolved.append((kind, year - 1, p, p))
                continue
            t = Program()
            for slot in Program.__slots__:
                setattr(t, slot, getattr(p, slot))
            t.pid = self.next_pid
            self.next_pid += 1
            t.relist_policy, t.relist_marker, t.relist_sdgs = None, None, p.sdgs
            name, dept = p.name, p.dept
            for _ in range(30):
                if kind == "rename":
                    name = swap_synonym(rng, p.name)
                    if name == p.name:
                        name = p.name + rng.choice(V.TWIN_NAME_SUFFIXES)
                else:
                    dept = rng.choice(d["depts"])
                    if fold_key(dept) == fold_key(p.dept):
                        continue
                if program_key(name, dept) not in self.used_keys:
                    break
            else:
                continue
            self.used_keys.add(program_key(name, dept))
            if dept not in org.depts:
                org.depts.append(dept)
            t.name, t.dept = name, dept
            t.years = (year, p.years[1])
            p.years = (p.years[0], year - 1)
            org.programs.append(t)
            self.evolved.append((kind, year - 1, p, t))

    # ----------------------------------------------------------------- documents

    def document_listings(self, org: Org, fy: int):
        """[(program, policy index, relisted?)] in document order: by policy, then program."""
        by_policy: list[list] = [[] for _ in org.policies]
        for p in org.programs:
            if p.years[0] <= fy <= p.years[1]:
                by_policy[p.policy].append((p, p.policy, False))
                if p.relist_policy is not None:
                    by_policy[p.relist_policy].append((p, p.relist_policy, True))
        out = []
        for group in by_policy:
            out.extend(group)
        return out

    def indicator_values(self, p: Program, fy: int, pct: str):
        """(target, actual, achievement) texts for fiscal year `fy`."""
        rng = self.rng
        if p.ind_unit is None:
            t = p.ind_text
            a = t if rng.random() < 0.85 else rng.choice(("一部実施", "未実施", t))
            return t, a, DASH
        if rng.random() < 0.05:
            return "単年度目標 なし", DASH, DASH
        unit = pct if p.ind_unit == "%" else p.ind_unit
        # Targets grow a little each year from a per-program base.
        span = p.ind_high - p.ind_low
        base = p.ind_low + span * ((p.pid * 7919) % 1000) / 2000
        t = max(1, int(base * (1 + 0.06 * (fy - FIRST_FY))))
        a = max(0, int(t * rng.uniform(0.55, 1.25)))
        if unit in ("%", "％"):
            t, a = min(t, 100), min(a, 100)
        rate = f"{a / t * 100:.1f}{pct}" if t else DASH
        return f"{fmt_int(t)}{unit}", f"{fmt_int(a)}{unit}", rate

    def listing_values(self, p: Program, fy: int, pct: str, mid_label: str, base_label: str) -> tuple:
        rng = self.rng
        grade = GRADE_PICK.pick(rng)
        reason = self.reason_text(p, fy, grade)
        tp, ap, rp = self.indicator_values(p, fy - 1, pct)
        tc, ac, rc = self.indicator_values(p, fy, pct)
        if p.ind_unit is None:
            baseline = DASH
            midterm = p.ind_text if rng.random() < 0.5 else f"{p.ind_text}（{mid_label}末）"
        else:
            unit = pct if p.ind_unit == "%" else p.ind_unit
            baseline = (DASH if rng.random() < 0.4 else
                        f"{fmt_int(max(1, (p.ind_low + p.ind_high) // 3))}{unit} ({base_label}調査)")
            midterm = f"{fmt_int(p.ind_high)}{unit}（{mid_label}）"
        amount = int(p.amount * (1 + 0.03 * (fy - FIRST_FY)))
        s_prev = self.amount_text(int(amount * rng.uniform(0.8, 1.1)))
        b_cur = self.amount_text(amount)
        s_cur = self.amount_text(int(amount * rng.uniform(0.7, 1.0)))
        return grade, reason, tp, ap, rp, tc, ac, rc, baseline, midterm, s_prev, b_cur, s_cur

    def amount_text(self, v: int) -> str:
        r = self.rng.random()
        if r < 0.05:
            return DASH
        if r < 0.06:
            self.stats.negative_amounts += 1
            return ("△" if r < 0.055 else "▲") + fmt_int(max(1, v // 10))
        return fmt_int(v)

    def sdg_text(self, goals, circled: bool) -> str:
        if circled:
            return " ".join(V.CIRCLED[g - 1] for g in goals)
        return " ".join(str(g) for g in goals)

    def reason_text(self, p: Program, fy: int, grade: str) -> str:
        rng = self.rng
        _, _, n = era_of(fy)
        act = rng.choice(V.ACTIVITIES).format(
            topic=p.topic, n=rng.randint(2, 300), m=fmt_int(rng.randint(100, 60000)), y=n)
        return f"{act} {rng.choice(V.RATIONALE[grade])}ことから、「{grade}」と判断。"

    def policy_texts(self, topic: str) -> tuple[str, str, str]:
        """(grade, 【評価理由】 part, 【課題】 part)."""
        rng = self.rng
        grade = GRADE_PICK.pick(rng)
        means1, means2 = rng.sample(V.MEANS, 2)
        reason = (f"【評価理由】 {rng.choice(V.PURPOSES)}に向けて、{means1}や{means2}などの取組を実施した。 "
                  f"{rng.choice(V.RATIONALE[grade])}ことから「{grade}」と判断。")
        issue = "【課題】 " + rng.choice(V.ISSUES).format(topic=topic)
        return grade, reason, issue

    def headers(self, fy: int, style: str, variant: int) -> list[list[str]]:
        """The three header rows (cells), 21 columns for page 1 and 20 afterwards."""
        cur = year_label(fy, fy)
        prev = year_label(fy, fy - 1)
        ncol = 21 if style == "flat21" else 20
        paren = "(千円)" if variant == 0 else "（千円）"
        base = "(基準値)" if variant == 0 else "（基準値）"
        r1 = [""] * ncol
        r1[0] = "【Plan】 計画 / 【Do】 実施"
        r1[14] = "【Check】 評価 / 【Action】 改善"
        r2 = ["施策番号・施策名", "No.", "SDGs ゴール 番号",
              "基本計画の施策 を構成する 主な事業・取組" if variant == 0 else "基本計画の施策を構成する 主な事業・取組",
              "主要 事業 所管 課名", "旧所管 課名", "事業・取組概要", "事業評価の成果指標（目標・実績）",
              "", "", "", "",
              prev if variant == 0 else f"{prev} 決算額 {paren}", cur, "",
              f"人件費 {'(目安)' if variant == 0 else '（目安）'} 金額 {paren}",
              f"{cur} 事業 評価", "評価の理由", f"{cur} 局施策 評価", "局施策評価の理由及び課題"]
        r3 = ["", "", "", "", "", "", "", "指標名等", f"現状値 {base}", prev, cur, "中期 目標",
              f"決算額 {paren}" if variant == 0 else "", f"予算額 {paren}", f"決算額 {paren}"]
        r2 += [""] * (ncol - len(r2))
        r3 += [""] * (ncol - len(r3))
        return [r1, r2, r3]

    def render(self, org: Org, fy: int, listings) -> tuple[str, int]:
        """The document text (LF line ends, — dashes) and its number of listing rows."""
        rng = self.rng
        st = self.stats
        era, _, n = era_of(fy)
        title = TITLE.format(era=era, n=n, org=org.name)
        pct = org.percent_sign
        mid_fy = fy + rng.choice((1, 2, 3))
        mid_label = year_label(fy, mid_fy)
        base_label = year_label(fy, fy - rng.choice((2, 3, 4)))
        header_variant = rng.randrange(2)

        # Per-policy evaluation for this year, and where its text goes.
        pol_eval = {}
        first_row_of_policy = {}
        for i, (p, pol, rel) in enumerate(listings):
            if pol not in first_row_of_policy:
                first_row_of_policy[pol] = i
                pol_eval[pol] = self.policy_texts(p.topic)

        # Paginate: 2–6 listings per page.
        pages = []
        i = 0
        while i < len(listings):
            k = rng.randint(2, 6)
            pages.append(range(i, min(i + k, len(listings))))
            i += k

        lines: list[str] = []
        self.doc_truth = []
        self.doc_programs = []
        self.data_lines = []
        seen_programs = set()
        shared: dict[int, tuple] = {}
        split_pending = {}  # policy -> 【課題】 text to put on the policy's second row
        no = 0
        for page_no, page in enumerate(pages):
            if page_no == 0:
                style = "flat21"
            else:
                style = STYLE_PICK.pick(rng)
                if style == "shift3" and any(first_row_of_policy[listings[j][1]] == j for j in page):
                    style = "vanish"
            ncol = 21 if style == "flat21" else 20
            wrapped = style == "shift3" or (style != "flat21" and rng.random() < 0.1)
            if self.anywhere and not wrapped and self.xrng.random() < 0.4:
                wrapped = True
            # Narrow name columns only: few wrapped cells on the page.
            names_only = self.anywhere and wrapped and self.xrng.random() < 0.3
            circled = rng.random() < (0.4 if style == "shift3" else 0.85)
            st.pages += 1
            st.page_styles[style] += 1
            st.wrapped_pages += wrapped

            lines.append("")
            if page_no == 0:
                lines.append("")
            lines.append(title)
            lines.append("")
            hv = header_variant if page_no == 0 else rng.randrange(2)
            for row in self.headers(fy, style, hv):
                lines.append("\t".join(row))

            for j in page:
                p, pol, relisted = listings[j]
                no += 1
                is_first = first_row_of_policy[pol] == j
                name = p.name
                sdgs = p.sdgs
                if p.retag is not None and fy >= p.retag[0]:
                    sdgs = p.retag[1]
                reason_vary = False
                placeholder = page_no > 0 and rng.random() < 0.2
                marked = False
                if relisted:
                    st.relisted_listings += 1
                    if p.relist_marker:
                        st.marked_relisted += 1
                        marked = True
                        m = p.relist_marker
                        if self.anywhere and self.xrng.random() < 0.3:
                            m = self.xrng.choice(ODD_MARKERS)
                        name = m + name if m.startswith("【") else name + m
                    if p.relist_sdgs is not p.sdgs:  # goals of its own; else the (retagged) program's
                        sdgs = p.relist_sdgs
                    reason_vary = rng.random() < 0.4
                    placeholder = page_no > 0 and rng.random() < 0.5
                seen_programs.add(p.pid)

                # A program listed twice repeats its figures; the reason may be reworded.
                values = shared.get(p.pid)
                if values is None:
                    values = shared[p.pid] = self.listing_values(p, fy, pct, mid_label, base_label)
                grade, reason, tp, ap, rp, tc, ac, rc, baseline, midterm, s_prev, b_cur, s_cur = values
                if reason_vary:
                    reason = vary_sentence(rng, reason)
                if relisted and rng.random() < 0.2:
                    s_prev = b_cur = s_cur = DASH
                ind = "指標名等" if placeholder else p.ind_name
                st.placeholder_indicators += placeholder
                pers = fmt_int(p.personnel)

                dept, old, summary = p.dept, p.old_dept, p.summary
                if names_only:
                    name, dept, old = (wrap_anywhere(self.xrng, x) for x in (name, dept, old))
                elif wrapped and self.anywhere:
                    w = lambda x: wrap_anywhere(self.xrng, x)  # noqa: E731
                    name, dept, old, summary, baseline, midterm, reason = (
                        w(x) for x in (name, dept, old, summary, baseline, midterm, reason))
                    ind = ind if placeholder else w(ind)
                    tp, tc, ap, ac = (w(x) for x in (tp, tc, ap, ac))
                elif wrapped:
                    name = wrap(name, rng.randint(5, 7))
                    dept = wrap(dept, 3)
                    old = wrap(old, rng.randint(2, 3))
                    summary = wrap(summary, 8)
                    ind = wrap(ind, 7)
                    baseline = wrap(baseline, 5)
                    tp, tc, ap, ac = (wrap(x, 6) for x in (tp, tc, ap, ac))
                    midterm = wrap(midterm, 4)

                pol_cell, pol_grade, pol_text = "", "", ""
                if is_first:
                    code, pname = org.policies[pol]
                    pol_cell = f"{code} {pname}"
                    g, reason_part, issue = pol_eval[pol]
                    pol_grade = g
                    nxt = j + 1
                    if (nxt in page and listings[nxt][1] == pol and style != "shift3"
                            and rng.random() < 0.35):
                        pol_text = reason_part
                        split_pending[pol] = issue
                    else:
                        pol_text = f"{reason_part} {issue}"
                elif pol in split_pending and style != "shift3":
                    pol_text = split_pending.pop(pol)
                if wrapped and self.anywhere and not names_only:
                    pol_cell, pol_text = wrap_anywhere(self.xrng, pol_cell), wrap_anywhere(self.xrng, pol_text)
                # Ground truth: the program row's line, its identity key, whether it
                # carries a re-listing marker, the document year's settled amount.
                self.doc_truth.append((len(lines) + 1, no, program_key(p.name, p.dept), marked,
                                       amount_value(s_cur), org.name, fy, p.name, p.dept, p.old_dept))
                self.doc_programs.append((len(lines) + 1, program_key(p.name, p.dept), p.name, p.dept,
                                          amount_value(s_prev), amount_value(b_cur), amount_value(s_cur), tuple(sdgs)))
                sdg = self.sdg_text(sdgs, circled)

                if style == "flat21":
                    row = [pol_cell, str(no), sdg, name, dept, old, summary, ind, baseline,
                           f"目標 {tc}", f"実績 {ac}", f"達成率 {rc}", midterm,
                           s_prev, b_cur, s_cur, pers, grade, reason, pol_grade, pol_text]
                    lines.append("\t".join(row))
                    continue
                if style == "shift3":
                    row = [str(no), sdg, "", name, dept, old, summary, ind, baseline,
                           "目標", tp, tc, midterm, s_prev, b_cur, s_cur, pers, grade, "", ""]
                    lines.append("\t".join(row))
                    lines.append("\t".join([""] * 9 + ["実績", ap, ac] + [""] * 8))
                    lines.append("\t".join([""] * 9 + ["達成率", rp, rc] + [""] * 8))
                    continue
                row = [pol_cell, str(no), sdg, name, dept, old, summary, ind, baseline,
                       f"目標 {tp}", tc, midterm, s_prev, b_cur, s_cur, pers, grade, reason,
                       pol_grade, pol_text]
                off = 7
                if style == "vanish" and not pol_cell:
                    row = row[1:] + [""]
                    off = 6
                lines.append("\t".join(row))
                lines.append("\t".join([""] * off + [f"実績 {ap}", ac] + [""] * (ncol - off - 2)))
                lines.append("\t".join([""] * off + ["達成率", rp, rc] + [""] * (ncol - off - 3)))
        lines.append("")
        self.seen_programs = seen_programs
        first_row = self.doc_truth[0][0] if self.doc_truth else len(lines)
        self.data_lines = [i + 1 for i, line in enumerate(lines)
                           if i + 1 > first_row and "\t" in line and not line.startswith(("【Plan】", "施策番号"))
                           and not line.startswith("\t" * 7 + "指標名等")]
        return "\n".join(lines), no

    # ----------------------------------------------------------------- output

    def write_document(self, org: Org, fy: int, listings) -> None:
        rng = self.rng
        st = self.stats
        text, n = self.render(org, fy, listings)
        truth = self.doc_truth
        cut_line = 0
        if self.cut > 0 and self.data_lines and self.xrng.random() < self.cut:
            # A download that stopped early: inside a table row after the first program
            # row, after at least one character, before the row's last TAB (so the row
            # has fewer cells than the header), at a character boundary.
            cut_line = self.xrng.choice(self.data_lines)
            lines = text.split("\n")
            row = lines[cut_line - 1]
            keep = self.xrng.randint(1, row.rfind("\t"))
            text = "\n".join(lines[:cut_line - 1] + [row[:keep]])
            truth = [t for t in truth if t[0] < cut_line]
            self.doc_programs = [t for t in self.doc_programs if t[0] < cut_line]
            n = len(truth)
            st.cut_documents += 1
        encoding, eol = ENCODING_PICK.pick(rng)
        if encoding == "cp932":
            text = text.replace(DASH, CP932_DASH)
        if eol != "\n":
            text = text.replace("\n", eol)
        data = text.encode(encoding)
        idx = st.documents
        folder = os.path.join("docs", f"{idx // FILES_PER_FOLDER:03d}")
        if idx % FILES_PER_FOLDER == 0:
            os.makedirs(os.path.join(self.out, folder), exist_ok=True)
        _, letter, era_year = era_of(fy)
        rel = os.path.join(folder, f"org{org.index:06d}_{letter}{era_year}.txt")
        with open(os.path.join(self.out, rel), "wb") as f:
            f.write(data)
        eol_name = "CRLF" if eol == "\r\n" else "LF"
        self.files_tsv.write(f"{rel}\t{encoding}\t{eol_name}\t{len(data)}\t{n}\t{fy}\t{org.name}\n")
        if self.truth:
            self.org_docs[fy] = self.document_programs()
            for line, no, key, marked, settled, org_name, year, name, dept, old in truth:
                self.truth_tsv.write(f"{rel}\t{line}\t{no}\t{key}\t{int(marked)}\t"
                                     f"{'' if settled is None else settled}\t{year}\t{org_name}\t{name}\t{dept}\t{old}\n")
            if cut_line:
                self.cuts_tsv.write(f"{rel}\t{cut_line}\n")
        st.documents += 1
        st.listings += n
        st.lines += text.count(eol)
        st.bytes_by_encoding[encoding] = st.bytes_by_encoding.get(encoding, 0) + len(data)
        st.files_by_encoding[encoding] = st.files_by_encoding.get(encoding, 0) + 1
        st.files_by_eol[eol_name] += 1
        key = str(fy)
        st.documents_by_fiscal_year[key] = st.documents_by_fiscal_year.get(key, 0) + 1

    def document_programs(self) -> dict:
        """What the rendered document states per program, as the store keeps it: amounts
        from the program's first listing, goals the union of its listings'."""
        out: dict[str, dict] = {}
        for _, key, name, dept, s_prev, b_cur, s_cur, goals in self.doc_programs:
            if key in out:
                out[key]["goals"] |= set(goals)
            else:
                out[key] = {"name": name, "department": dept, "settled_prev": s_prev, "budget": b_cur,
                            "settled": s_cur, "goals": set(goals)}
        return out

    def year_over_year(self, org: Org) -> None:
        """Ground truth for each pair of consecutive years the organization has documents
        of: programs new, ended and continuing with their settled amounts (a year's settled
        amount is restated by the next year's document, which the store prefers; `—` is 0),
        the renamed or moved pairs (--evolve) and per-goal totals, gross and split."""
        docs = self.org_docs
        for a in sorted(docs):
            b = a + 1
            if b not in docs:
                continue

            def settled(key: str, year: int):
                later = docs.get(year + 1, {}).get(key)
                value = later["settled_prev"] if later is not None else docs[year][key]["settled"]
                return value or 0

            from_keys, to_keys = set(docs[a]), set(docs[b])
            goals = {}
            for year, keys in ((a, from_keys), (b, to_keys)):
                for key in keys:
                    program_goals = docs[year][key]["goals"]
                    for g in program_goals:
                        entry = goals.setdefault(g, {"programs_from": 0, "programs_to": 0, "gross_from": 0,
                                                     "gross_to": 0, "split_from": Fraction(0), "split_to": Fraction(0)})
                        side = "from" if year == a else "to"
                        entry[f"programs_{side}"] += 1
                        entry[f"gross_{side}"] += settled(key, year)
                        entry[f"split_{side}"] += Fraction(settled(key, year), len(program_goals))
            for entry in goals.values():
                for side in ("from", "to"):
                    exact = entry[f"split_{side}"]
                    # Rounded as PostgreSQL rounds numeric (half away from zero), to 0.001.
                    rounded = (Decimal(abs(exact.numerator)) / Decimal(exact.denominator)).quantize(
                        Decimal("0.001"), rounding=ROUND_HALF_UP)
                    entry[f"split_{side}"] = str(-rounded if exact < 0 else rounded)
            renamed = [{"kind": kind, "ended": program_key(p.name, p.dept), "new": program_key(t.name, t.dept)}
                       for kind, year, p, t in self.evolved
                       if year == a and kind != "retag"
                       and program_key(p.name, p.dept) in from_keys - to_keys
                       and program_key(t.name, t.dept) in to_keys - from_keys]
            retagged = []
            for key in sorted(from_keys & to_keys):
                old, new = docs[a][key]["goals"], docs[b][key]["goals"]
                if old != new:
                    retagged.append({"program": key, "added": sorted(new - old), "removed": sorted(old - new)})
            self.yoy_truth.append({
                "organization": org.name, "from": a, "to": b,
                "new": sorted(to_keys - from_keys),
                "ended": sorted(from_keys - to_keys),
                "continuing": [{"program": key, "settled_from": settled(key, a), "settled_to": settled(key, b)}
                               for key in sorted(from_keys & to_keys)],
                "renamed": sorted(renamed, key=lambda r: (r["ended"], r["new"])),
                "goals_changed": retagged,
                "goals": {str(g): goals[g] for g in sorted(goals)},
                "settled_from": sum(settled(k, a) for k in from_keys),
                "settled_to": sum(settled(k, b) for k in to_keys),
            })

    def write_pair(self, kind, a: Program, a_org: str, b: Program, b_org: str) -> None:
        self.pairs_tsv.write(f"{kind}\t{a.name}\t{a.dept}\t{a_org}\t{b.name}\t{b.dept}\t{b_org}\n")
        self.stats.planted_pairs += 1

    def run(self) -> Stats:
        os.makedirs(self.out, exist_ok=True)
        st = self.stats
        self.files_tsv = open(os.path.join(self.out, "files.tsv"), "w", encoding="utf-8", newline="\n")
        self.files_tsv.write("path\tencoding\teol\tbytes\tlistings\tfiscal_year\torganization\n")
        self.pairs_tsv = open(os.path.join(self.out, "planted_pairs.tsv"), "w", encoding="utf-8", newline="\n")
        self.pairs_tsv.write("kind\tprogram_a\tdepartment_a\torganization_a\tprogram_b\tdepartment_b\torganization_b\n")
        if self.truth:
            self.truth_tsv = open(os.path.join(self.out, "truth.tsv"), "w", encoding="utf-8", newline="\n")
            self.truth_tsv.write("path\tline\tno\tprogram_key\trelisted\tsettled\tfiscal_year\torganization"
                                 "\tprogram\tdepartment\tformer_department\n")
            self.cuts_tsv = open(os.path.join(self.out, "cuts.tsv"), "w", encoding="utf-8", newline="\n")
            self.cuts_tsv.write("path\tline\n")
        org_index = 0
        while st.listings < self.target:
            org = self.new_org(org_index)
            org_index += 1
            st.organizations += 1
            self.build_programs(org)
            written: set[int] = set()
            for fy in org.years:
                remaining = self.target - st.listings
                if remaining <= 0:
                    break
                listings = self.document_listings(org, fy)[:remaining]
                if not listings:
                    continue
                self.write_document(org, fy, listings)
                written |= self.seen_programs
            st.unique_programs += len(written)
            if self.truth:
                self.year_over_year(org)
                self.org_docs = {}
            # Ground truth: only pairs whose both sides were written.
            for a, b, kind in self.local_pairs:
                if a.pid in written and b.pid in written:
                    self.write_pair(kind, a, org.name, b, org.name)
            for twin, (orig, orig_org, orig_written), kind in self.incoming:
                if orig_written and twin.pid in written:
                    self.write_pair(kind, orig, orig_org, twin, org.name)
            self.pending_twins = [(t, (p, org.name, p.pid in written), kind)
                                  for t, p, kind in self.outgoing]
        self.files_tsv.close()
        self.pairs_tsv.close()
        if self.truth:
            self.truth_tsv.close()
            self.cuts_tsv.close()
            with open(os.path.join(self.out, "yoy_truth.json"), "w", encoding="utf-8") as f:
                json.dump(self.yoy_truth, f, ensure_ascii=False, indent=1)
                f.write("\n")
        return st


def generator_digest() -> str:
    """SHA-256 over generate.py and vocab.py: tells whether a corpus is current."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("generate.py", "vocab.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()


def check_vocabulary() -> None:
    """Fail early if any vocabulary string cannot be written as CP932."""
    bad = []

    def visit(x):
        if isinstance(x, str):
            try:
                x.replace(DASH, CP932_DASH).encode("cp932")
            except UnicodeEncodeError:
                bad.append(x)
        elif isinstance(x, dict):
            for v in x.values():
                visit(v)
        elif isinstance(x, (list, tuple)):
            for v in x:
                visit(v)

    for name in dir(V):
        if name.isupper():
            visit(getattr(V, name))
    if bad:
        raise SystemExit(f"vocabulary not encodable in CP932: {bad[:5]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--listings", type=int, required=True, help="total listing rows to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--docs-per-org", type=int, default=3,
                    help="documents (consecutive fiscal years) per organization (default 3; at most 9, FY2016-2024)")
    ap.add_argument("--plant-duplicates", type=float, default=0.0, metavar="P",
                    help="fraction of programs that get a near-duplicate twin (default 0)")
    ap.add_argument("--wrap-anywhere", action="store_true",
                    help="wrap spaces between any two characters (markers, brackets, policy codes, Latin "
                         "names, after punctuation) on wrapped pages; ~40%% more pages wrapped, page 1 too, "
                         "30%% of them in the name columns only; re-listing markers also in other widths "
                         "and brackets")
    ap.add_argument("--cut", type=float, default=0.0, metavar="P",
                    help="fraction of documents cut short inside a table row, without a final line break")
    ap.add_argument("--truth", action="store_true",
                    help="write truth.tsv (every complete listing: line, identity key, marked 再掲, settled "
                         "amount, readable program, department and former department) and cuts.tsv "
                         "(the line each cut document ends in)")
    ap.add_argument("--evolve", type=float, default=0.0, metavar="P",
                    help="fraction of programs that change between two consecutive years of their "
                         "organization: renamed, moved to another department or retagged with other SDG goals "
                         "(with --truth, yoy_truth.json says what changed)")
    ap.add_argument("--force", action="store_true",
                    help="replace an earlier corpus in --out (docs/, files.tsv, manifest.json, planted_pairs.tsv)")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.listings < 1:
        ap.error("--listings must be at least 1")
    if not 0 <= args.plant_duplicates <= 1:
        ap.error("--plant-duplicates must be between 0 and 1")
    if not 0 <= args.cut <= 1:
        ap.error("--cut must be between 0 and 1")
    if not 0 <= args.evolve <= 1:
        ap.error("--evolve must be between 0 and 1")

    out = args.out
    owned = ["docs", "files.tsv", "manifest.json", "planted_pairs.tsv", "truth.tsv", "cuts.tsv", "yoy_truth.json"]
    existing = [o for o in owned if os.path.exists(os.path.join(out, o))]
    if existing:
        if not args.force:
            ap.error(f"{out} already holds a corpus ({', '.join(existing)}); pass --force to replace it")
        for o in existing:
            path = os.path.join(out, o)
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)

    check_vocabulary()
    t0 = time.perf_counter()
    gen = Generator(out, args.listings, args.seed, args.docs_per_org, args.plant_duplicates,
                    anywhere=args.wrap_anywhere, cut=args.cut, truth=args.truth, evolve=args.evolve)
    st = gen.run()
    elapsed = time.perf_counter() - t0
    manifest = {
        "generator": "Benchmarks/corpus/generate.py",
        "generator_version": GENERATOR_VERSION,
        "generator_sha256": generator_digest(),
        "arguments": {"listings": args.listings, "seed": args.seed, "docs_per_org": args.docs_per_org,
                      "plant_duplicates": args.plant_duplicates, "wrap_anywhere": args.wrap_anywhere,
                      "cut": args.cut, "truth": args.truth, "evolve": args.evolve},
        "documents": st.documents,
        "listings": st.listings,
        "unique_programs": st.unique_programs,
        "relisted_listings": st.relisted_listings,
        "relisted_listings_marked": st.marked_relisted,
        "organizations": st.organizations,
        "pages": st.pages,
        "lines": st.lines,
        "bytes": sum(st.bytes_by_encoding.values()),
        "bytes_by_encoding": dict(sorted(st.bytes_by_encoding.items())),
        "files_by_encoding": dict(sorted(st.files_by_encoding.items())),
        "files_by_eol": st.files_by_eol,
        "documents_by_fiscal_year": dict(sorted(st.documents_by_fiscal_year.items())),
        "page_styles": st.page_styles,
        "wrapped_pages": st.wrapped_pages,
        "cut_documents": st.cut_documents,
        "placeholder_indicators": st.placeholder_indicators,
        "negative_amounts": st.negative_amounts,
        "planted_pairs": st.planted_pairs,
        "generate_seconds": round(elapsed, 2),
    }
    with open(os.path.join(out, "manifest.json"), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
        f.write("\n")
    if not args.quiet:
        mb = manifest["bytes"] / 1e6
        print(f"wrote {st.documents:,} documents, {st.listings:,} listings, {mb:,.1f} MB "
              f"to {out} in {elapsed:.1f} s ({st.listings / max(elapsed, 1e-9):,.0f} listings/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
