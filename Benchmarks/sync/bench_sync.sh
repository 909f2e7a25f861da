#!/usr/bin/env bash
# Sync throughput, side by side in one run:
#   (1) `crosswalk sync` of a generated corpus into an empty, migrated database;
#   (2) the same sync again, nothing changed;
#   (3) COPY of exactly the rows (1) wrote, into the same tables (same indexes,
#       same constraints) of another empty, migrated database.
# Prints each time, rows written, and the ratios sync/COPY and no-change/full.
#
# Usage: Benchmarks/sync/bench_sync.sh [--listings 100000] [--runs 1] [--crosswalk BIN] [--work DIR] [--functions FILE]
# --runs N: the full sync and the COPY N times each, alternated, each into a fresh
# database; the ratio is of the medians (COPY's own time varies by ±10 % run to run).
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
runs=1
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
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
conn() { echo "host=$cluster port=$port user=postgres dbname=$1"; }
fresh_database() {
    psql_to -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1"
    "$bin" migrate --database "$(conn "$1")" >/dev/null
}
# Each timed step starts with nothing of the step before still at work: the database it
# filled is vacuumed (so autovacuum has nothing left to do there meanwhile) and every
# page written.
settle() {
    [[ $# -eq 0 ]] || psql_to -d "$1" -c "VACUUM ANALYZE"
    psql_to -d postgres -c "CHECKPOINT"
}

now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.3f}')"; }
# CPU seconds of the server's exited processes (a session's backend is counted when it
# exits): steadier than wall time on a busy machine.
server_cpu() { awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($16 + $17) / hz }' "/proc/$(head -1 "$cluster/data/postmaster.pid")/stat"; }
tables="sync_runs organizations documents rejects policies policy_evaluations programs listings listing_goals amounts indicators indicator_values changes"
fulls=() copies=() full_cpus=() copy_cpus=()
for ((run = 1; run <= runs; run++)); do
    # (1) full sync; its rows are dumped (first run) before anything else writes.
    psql_to -d postgres -c "DROP DATABASE IF EXISTS copied"
    fresh_database synced
    [[ -z $functions ]] || psql_to -d synced -f "$functions" >/dev/null 2>&1
    [[ -z $profile ]] || psql_to -d synced -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" -c "SELECT pg_stat_statements_reset()" >/dev/null
    settle
    c0=$(server_cpu)
    t0=$(now); "$bin" sync --database "$(conn synced)" --source "$corpus/docs" --json > "$work/full.json" 2>"$work/full.log" || true; t1=$(now)
    sleep 0.5  # the backend's exit
    fulls+=("$(seconds "$t0" "$t1")") full_cpus+=("$(seconds "$c0" "$(server_cpu)")")
    if [[ -n $profile ]]; then
        apply=$(psql_to -d synced -At -c "SELECT round(sum(total_exec_time)::numeric / 1000, 3) FROM pg_stat_statements WHERE query LIKE 'SELECT crosswalk_try_apply_document%'")
        psql_to -d synced -c "SELECT round(total_exec_time::numeric / 1000, 2) AS seconds, calls, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS statement FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 12"
    fi
    if ((run == 1)); then
        rm -rf "$work/rows"; mkdir -p "$work/rows"
        rows=0
        for t in $tables; do
            psql_to -d synced -c "\\copy $t TO '$work/rows/$t.tsv'"
            rows=$((rows + $(wc -l < "$work/rows/$t.tsv")))
        done
        script=$work/copy.sql
        # With --profile, each table's COPY is timed too (to set beside the statements above).
        { [[ -z $profile ]] || echo "\\timing on"; echo "BEGIN;"
          for t in $tables; do [[ -z $profile ]] || echo "\\echo COPY $t"; echo "\\copy $t FROM '$work/rows/$t.tsv'"; done
          echo "COMMIT;"; } > "$script"
    fi
    # (3) COPY of the same rows into the same tables, in one transaction.
    fresh_database copied
    settle synced
    c0=$(server_cpu)
    t3=$(now); psql_to -d copied -f "$script"; t4=$(now)
    sleep 0.5
    copies+=("$(seconds "$t3" "$t4")") copy_cpus+=("$(seconds "$c0" "$(server_cpu)")")
done

# (2) the same sync again: every document unchanged.
t1=$(now); "$bin" sync --database "$(conn synced)" --source "$corpus/docs" --json > "$work/again.json" 2>"$work/again.log" || true; t2=$(now)
again=$(seconds "$t1" "$t2")

read -r docs applied listed < <(python3 -c "
import json; s=json.load(open('$work/full.json')); print(s['documents_seen'], s['documents_applied'], s['listings_added'])")
read -r unchanged < <(python3 -c "import json; print(json.load(open('$work/again.json'))['documents_unchanged'])")
python3 - "${fulls[*]}" "$again" "${copies[*]}" "$rows" "$docs" "$applied" "$listed" "$unchanged" "${full_cpus[*]}" "${copy_cpus[*]}" <<'PY'
import statistics, sys
fulls, copies, full_cpus, copy_cpus = [list(map(float, sys.argv[i].split())) for i in (1, 3, 9, 10)]
full, copy, again = statistics.median(fulls), statistics.median(copies), float(sys.argv[2])
full_cpu, copy_cpu = statistics.median(full_cpus), statistics.median(copy_cpus)
rows, docs, applied, listed, unchanged = map(int, sys.argv[4:9])
if len(fulls) > 1:
    print("runs (full sync / COPY): " + ", ".join(f"{f:.1f}/{c:.1f} s = {f/c:.2f}x" for f, c in zip(fulls, copies)) + "; medians below")
print(f"corpus: {docs} documents, {listed} listings added by the full sync ({applied} documents applied)")
print(f"rows written by the full sync (all tables): {rows}")
print(f"{'side':<28}{'seconds':>10}{'rows/s':>12}")
print(f"{'crosswalk sync (full)':<28}{full:>10.3f}{rows/full:>12,.0f}")
print(f"{'crosswalk sync (no change)':<28}{again:>10.3f}{'':>12}   {unchanged} documents unchanged")
print(f"{'COPY of the same rows':<28}{copy:>10.3f}{rows/copy:>12,.0f}")
print(f"full sync / COPY: {full/copy:.2f}x (target <= 1.5x)")
print(f"server CPU, full sync / COPY: {full_cpu:.1f} / {copy_cpu:.1f} s = {full_cpu/copy_cpu:.2f}x")
print(f"no-change / full: {100*again/full:.2f}% (target < 2%)")
PY
[[ -z $profile ]] || python3 -c "print(f'applying in PostgreSQL (sum of crosswalk_try_apply_document, last run): {$apply:.3f} s = {$apply / ${copies[-1]}:.2f}x that run\'s COPY')"
echo "reproduce: Benchmarks/sync/bench_sync.sh --listings $listings --runs $runs --crosswalk $bin"
