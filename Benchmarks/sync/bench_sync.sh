#!/usr/bin/env bash
# Sync throughput, side by side in one run:
#   (1) `crosswalk sync` of a generated corpus into an empty, migrated database;
#   (2) the same sync again, nothing changed;
#   (3) COPY of exactly the rows (1) wrote, into the same tables (same indexes,
#       same constraints) of another empty, migrated database.
# Prints each time, rows written, and the ratios sync/COPY and no-change/full.
#
# Usage: Benchmarks/sync/bench_sync.sh [--listings 100000] [--crosswalk BIN] [--work DIR] [--functions FILE]
# --functions FILE: SQL run on the synced database after `crosswalk migrate`, e.g. an
# older SQL/functions/20_apply_document.sql (git show REV:SQL/functions/…), to compare
# two versions of the apply function with one binary.
# --profile: load pg_stat_statements (track = all) and print the time PostgreSQL spent
# applying documents (the sum of crosswalk_try_apply_document) and its largest statements:
# the database's share of the full sync, whatever the build of the binary.
# Needs: a release build (swift build -c release --product crosswalk), Python 3,
# the PostgreSQL server binaries and psql.
set -euo pipefail

listings=100000
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
work=/tmp/crosswalk-bench/sync
functions=
profile=
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --functions) functions=$2; shift 2 ;;
        --profile) profile=1; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build -c release --product crosswalk" >&2; exit 2; }

source "$root/Benchmarks/lib.sh"
bench_corpus "$listings"

bench_cluster "-c shared_buffers=512MB -c max_wal_size=4GB${profile:+ -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all}"
psql_to() { psql -X -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres "$@"; }
psql_to -d postgres -c "CREATE DATABASE synced" -c "CREATE DATABASE copied"
conn() { echo "host=$cluster port=$port user=postgres dbname=$1"; }
"$bin" migrate --database "$(conn synced)" >/dev/null
"$bin" migrate --database "$(conn copied)" >/dev/null
[[ -z $functions ]] || psql_to -d synced -f "$functions" >/dev/null 2>&1
[[ -z $profile ]] || psql_to -d synced -c "CREATE EXTENSION pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null

now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.3f}')"; }

# (1) full sync; its rows are dumped before anything else writes.
t0=$(now); "$bin" sync --database "$(conn synced)" --source "$corpus/docs" --json > "$work/full.json" 2>"$work/full.log" || true; t1=$(now)
full=$(seconds "$t0" "$t1")
tables="sync_runs organizations documents rejects policies policy_evaluations programs listings listing_goals amounts indicators indicator_values changes"
if [[ -n $profile ]]; then
    apply=$(psql_to -d synced -At -c "SELECT round(sum(total_exec_time)::numeric / 1000, 3) FROM pg_stat_statements WHERE query LIKE 'SELECT crosswalk_try_apply_document%'")
    psql_to -d synced -c "SELECT round(total_exec_time::numeric / 1000, 2) AS seconds, calls, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"
fi
rm -rf "$work/rows"; mkdir -p "$work/rows"
rows=0
for t in $tables; do
    psql_to -d synced -c "\\copy $t TO '$work/rows/$t.tsv'"
    rows=$((rows + $(wc -l < "$work/rows/$t.tsv")))
done

# (2) the same sync again: every document unchanged.
t1=$(now); "$bin" sync --database "$(conn synced)" --source "$corpus/docs" --json > "$work/again.json" 2>"$work/again.log" || true; t2=$(now)
again=$(seconds "$t1" "$t2")

# (3) COPY of the same rows into the same tables, in one transaction.
script=$work/copy.sql
{ echo "BEGIN;"; for t in $tables; do echo "\\copy $t FROM '$work/rows/$t.tsv'"; done; echo "COMMIT;"; } > "$script"
t3=$(now); psql_to -d copied -f "$script"; t4=$(now)
copy=$(seconds "$t3" "$t4")

read -r docs applied listed < <(python3 -c "
import json; s=json.load(open('$work/full.json')); print(s['documents_seen'], s['documents_applied'], s['listings_added'])")
read -r unchanged < <(python3 -c "import json; print(json.load(open('$work/again.json'))['documents_unchanged'])")
python3 - "$full" "$again" "$copy" "$rows" "$docs" "$applied" "$listed" "$unchanged" <<'PY'
import sys
full, again, copy = map(float, sys.argv[1:4])
rows, docs, applied, listed, unchanged = map(int, sys.argv[4:9])
print(f"corpus: {docs} documents, {listed} listings added by the full sync ({applied} documents applied)")
print(f"rows written by the full sync (all tables): {rows}")
print(f"{'side':<28}{'seconds':>10}{'rows/s':>12}")
print(f"{'crosswalk sync (full)':<28}{full:>10.3f}{rows/full:>12,.0f}")
print(f"{'crosswalk sync (no change)':<28}{again:>10.3f}{'':>12}   {unchanged} documents unchanged")
print(f"{'COPY of the same rows':<28}{copy:>10.3f}{rows/copy:>12,.0f}")
print(f"full sync / COPY: {full/copy:.2f}x (target <= 1.5x)")
print(f"no-change / full: {100*again/full:.2f}% (target < 2%)")
PY
[[ -z $profile ]] || python3 -c "print(f'applying in PostgreSQL (sum of crosswalk_try_apply_document): {$apply:.3f} s = {$apply / $copy:.2f}x COPY')"
echo "reproduce: Benchmarks/sync/bench_sync.sh --listings $listings --crosswalk $bin"
