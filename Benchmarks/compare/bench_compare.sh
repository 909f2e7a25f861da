#!/bin/bash
# Year over year (COMPARE), side by side in one run on the same database:
#   compare  — `crosswalk report compare --from A --to B` (crosswalk_compare plus the
#              renamed/moved candidates scored in Swift over every program of both years)
#   sql only — SELECT crosswalk_compare(A, B) through psql: the same answer without candidates
#   2 × sdg  — `crosswalk report sdg` for A and for B: what a planner ran before COMPARE
# and the candidates scored against the generator's ground truth (yoy_truth.json: the
# programs --evolve renamed or moved between A and B, in every organization).
#
# Usage: Benchmarks/compare/bench_compare.sh [--listings 20000] [--seed 1] [--evolve 0.3]
#          [--runs 3] [--crosswalk BIN] [--work DIR]
#
# BIN defaults to .build/debug/crosswalk (build it first: swift build --product crosswalk).
# Steps: (1) generate the corpus (3 consecutive years per organization); (2) `crosswalk
# sync` it into an embedded cluster under WORK; (3) start that cluster for the runs;
# (4) pick the year pair with the most organizations; (5) time each side --runs times
# (fastest counts); (6) score the candidates. Nothing asserts a duration.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
listings=20000
seed=1
evolve=0.3
runs=3
bin=${CROSSWALK_BIN:-$root/.build/debug/crosswalk}
work=${TMPDIR:-/tmp}/crosswalk-compare

while [ $# -gt 0 ]; do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --evolve) evolve=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

tag="L${listings}-s${seed}-e${evolve}"
corpus=$work/corpus-$tag
db=$work/db-$tag
out=$work/run-$tag
mkdir -p "$work" "$out" "$db"

# (1) corpus
if [ ! -f "$corpus/yoy_truth.json" ]; then
    python3 "$root/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$listings" --seed "$seed" \
        --docs-per-org 3 --evolve "$evolve" --truth --force --quiet
fi

# (2) sync into an embedded cluster
if [ ! -f "$db/synced.json" ]; then
    "$bin" sync --data-dir "$db" --source "$corpus/docs" --json > "$db/sync.json" && mv "$db/sync.json" "$db/synced.json"
fi

# (3) the cluster, started once for every run (as its unprivileged user when root)
source "$root/Benchmarks/lib.sh"
bench_embedded_cluster "$db"

# (4) the year pair most organizations have
read -r from to pairs <<< "$(python3 - "$corpus/yoy_truth.json" <<'PY'
import collections, json, sys
counts = collections.Counter((t["from"], t["to"]) for t in json.load(open(sys.argv[1])))
(a, b), n = counts.most_common(1)[0]
print(a, b, n)
PY
)"
programs=$(psql_ -At -c "SELECT count(DISTINCT program_id) FROM current_listings WHERE fiscal_year IN ($from, $to)")
echo "corpus $tag: $(python3 -c "import json; m=json.load(open('$corpus/manifest.json')); print(m['documents'], 'documents,', m['listings'], 'listings')"); FY $from → FY $to: $pairs organizations, $programs programs listed in either year"

# (5) timings, fastest of --runs
best() { sort -n "$1" | head -1; }
: > "$out/compare.t"; : > "$out/sql.t"; : > "$out/sdg.t"
for i in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e' -a -o "$out/compare.t" "$bin" report compare --from "$from" --to "$to" --database "$conninfo" --format json --out "$out/compare.json"
    /usr/bin/time -f '%e' -a -o "$out/sql.t" psql -X -q -h "$sock" -p "$port" -U postgres -d crosswalk -At \
        -c "SELECT length(crosswalk_compare($from, $to)::text)" > /dev/null
    /usr/bin/time -f '%e' -a -o "$out/sdg.t" sh -c "\"$bin\" report sdg --fiscal-year $from --database \"$conninfo\" > /dev/null && \"$bin\" report sdg --fiscal-year $to --database \"$conninfo\" > /dev/null"
done
echo "compare (report compare, with candidates): $(best "$out/compare.t") s"
echo "sql only (crosswalk_compare via psql):     $(best "$out/sql.t") s"
echo "2 x sdg (report sdg for each year):         $(best "$out/sdg.t") s"

# (6) candidates against the ground truth
python3 - "$corpus/yoy_truth.json" "$out/compare.json" "$from" "$to" "$sock" "$port" <<'PY'
import json, subprocess, sys
truth_file, answer_file, a, b, sock, port = sys.argv[1:]
planted = {(r["ended"], r["new"]) for t in json.load(open(truth_file)) if (t["from"], t["to"]) == (int(a), int(b)) for r in t["renamed"]}
keys = dict(line.split("\t") for line in subprocess.run(
    ["psql", "-X", "-At", "-F", "\t", "-h", sock, "-p", port, "-U", "postgres", "-d", "crosswalk", "-c", "SELECT id, identity_key FROM programs"],
    check=True, capture_output=True, text=True).stdout.splitlines())
answer = json.load(open(answer_file))
found = {(keys[str(c["ended"]["id"])], keys[str(c["new"]["id"])]) for c in answer["renamed"]}
hit = len(found & planted)
print(f"candidates: {len(found)} found, {len(planted)} planted, {hit} planted found "
      f"(recall {hit / max(len(planted), 1):.3f}, precision {hit / max(len(found), 1):.3f}); "
      f"new {answer['totals']['new']}, ended {answer['totals']['ended']}, continuing {answer['totals']['continuing']}")
PY
