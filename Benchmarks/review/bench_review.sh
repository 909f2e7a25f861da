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

corpus=$work/corpus-L$listings
if [[ ! -f $corpus/manifest.json ]]; then
    python3 "$root/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$listings" --seed 7 --quiet --force
fi

# A throwaway cluster (as an unprivileged user when root, like LocalCluster).
bindir=$(pg_config --bindir 2>/dev/null || true)
[[ -x $bindir/initdb ]] || bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    id crosswalk-pg >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin crosswalk-pg
    as_pg=(runuser -u crosswalk-pg --)
fi
cluster=$work/cluster
rm -rf "$cluster"; mkdir -p "$cluster"; chmod 700 "$cluster"
[[ ${#as_pg[@]} -gt 0 ]] && chown crosswalk-pg "$cluster" && chmod o+x "$work" "$(dirname "$work")"
port=$((20000 + RANDOM % 20000))
"${as_pg[@]}" "$bindir/initdb" -D "$cluster/data" -U postgres --auth=trust --no-sync --encoding=UTF8 --locale=C.UTF-8 >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/data" -l "$cluster/log" -w \
    -o "-p $port -k $cluster -c listen_addresses=''" start >/dev/null
trap '"${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true' EXIT
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
