#!/usr/bin/env bash
# SDG review speed, side by side in one run on one synced generated corpus:
#   (1) `crosswalk report sdg`    — the SDG contribution, all in SQL (the reference);
#   (2) `crosswalk report review` — every program's
#       texts read and matched in Swift (ICU word break per field);
# each for the newest fiscal year, three runs, best time printed with the programs reviewed.
#
# Usage: Benchmarks/review/bench_review.sh [--listings 10000] [--crosswalk BIN] [--work DIR]
# Needs: a release build (swift build -c release --product crosswalk), Python 3,
# the PostgreSQL server binaries and psql.
set -euo pipefail

listings=10000
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
work=/tmp/crosswalk-bench/review
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build -c release --product crosswalk" >&2; exit 2; }

source "$root/Benchmarks/lib.sh"
bench_corpus "$listings"

bench_cluster
psql -X -q -h "$cluster" -p "$port" -U postgres -d postgres -c "CREATE DATABASE review"
conn="host=$cluster port=$port user=postgres dbname=review"
"$bin" sync --database "$conn" --source "$corpus/docs" >/dev/null 2>&1 || true

# Best of three runs of `crosswalk report $1`: wall seconds and the process's CPU seconds
# (user + system; the CPU figure holds up on a loaded machine, the wall one does not).
best() {
    python3 - "$bin" "$1" "$conn" "$work/$1.json" <<'PY'
import resource, subprocess, sys, time
binary, kind, conn, out = sys.argv[1:]
best = None
for _ in range(3):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(out, "wb") as f:
        subprocess.run([binary, "report", kind, "--format", "json", "--database", conn], stdout=f, check=True)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    best = (wall, cpu) if best is None else (min(best[0], wall), min(best[1], cpu))
print(f"{best[0]:.3f} s wall, {best[1]:.3f} s CPU")
PY
}
sdg=$(best sdg)
review=$(best review)
programs=$(python3 -c "import json; print(json.load(open('$work/review.json'))['programs'])")
groups=$(python3 -c "import json; d=json.load(open('$work/review.json')); print(' '.join(f'{k}={len(d[k])}' for k in ('tagged_without_evidence','strong_evidence_untagged','no_goal')))")
echo "corpus: $listings listings ($corpus); newest year: $programs programs reviewed; load average $(cut -d' ' -f1 /proc/loadavg)"
echo "report sdg     $sdg (SQL only)"
echo "report review  $review ($groups)"
