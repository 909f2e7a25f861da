#!/usr/bin/env bash
# A national-scale load on one machine, written down in README.md:
#   (1) a generated corpus of LISTINGS listings over MUNIS municipalities (a folder each with
#       its source.conf; the same generator as the other benchmarks, one seed per city);
#   (2) `crosswalk sync` of all of it into an empty, migrated database: wall time and the
#       client's peak memory;
#   (3) the database's size on disk, table by table;
#   (4) the same sync again with nothing changed;
#   (5) COPY of exactly the rows (2) wrote into another empty, migrated database;
#   (6) the daemon's answers, cold (PostgreSQL restarted, the daemon's cache empty) and
#       cached (asked again): SDG 11, DUPLICATES and REPORT SDG, whole and filtered by one
#       municipality or one organization.
#
# Usage: Benchmarks/national/bench_national.sh [--listings 1000000] [--munis 5] [--crosswalk BIN] [--work DIR]
# Needs: a release build (swift build -c release --product crosswalk), Python 3, the
# PostgreSQL server binaries and psql. The 1,000,000-listing corpus takes ~1.2 GB on disk
# and the two databases a few GB more.
set -euo pipefail

listings=1000000
munis=5
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
work=/tmp/crosswalk-bench/national
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --munis) munis=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build -c release --product crosswalk" >&2; exit 2; }
mkdir -p "$work"
source "$root/Benchmarks/lib.sh"

# (1) One folder per municipality, each a generated corpus of its own seed.
cities=("北九州市 401005" "福岡市 401307" "札幌市 011002" "仙台市 041009" "広島市 341002"
        "熊本市 431001" "新潟市 151009" "静岡市 221007" "岡山市 331007" "千葉市 121002")
((munis >= 1 && munis <= ${#cities[@]})) || { echo "--munis: 1 to ${#cities[@]}" >&2; exit 2; }
corpus=$work/corpus-L$listings-M$munis
for ((i = 0; i < munis; i++)); do
    read -r name code <<< "${cities[i]}"
    city=$corpus/city$i
    if [[ ! -f $city/manifest.json ]]; then
        python3 "$root/Benchmarks/corpus/generate.py" --out "$city" --listings $((listings / munis)) \
            --seed $((101 + i)) --quiet --force
    fi
    printf 'municipality = %s\nmunicipality-code = %s\n' "$name" "$code" > "$city/source.conf"
done
sources=()
for ((i = 0; i < munis; i++)); do sources+=(--source "$corpus/city$i"); done
echo "corpus: $listings listings in $munis municipalities, $(du -sh "$corpus" | cut -f1) on disk, $(find "$corpus" -name '*.txt' | wc -l) documents"

bench_cluster "-c shared_buffers=512MB -c max_wal_size=4GB"
psql_to() { psql -X -q -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres "$@"; }
psql_to -d postgres -c "CREATE DATABASE synced" -c "CREATE DATABASE copied"
conn() { echo "host=$cluster port=$port user=postgres dbname=$1"; }
"$bin" migrate --database "$(conn synced)" >/dev/null
"$bin" migrate --database "$(conn copied)" >/dev/null

now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }

# (2) Full sync, with the client's peak RSS.
t0=$(now)
/usr/bin/time -f "%M" -o "$work/full.rss" "$bin" sync --database "$(conn synced)" "${sources[@]}" --json \
    > "$work/full.json" 2> "$work/full.log" || true
t1=$(now)
full=$(seconds "$t0" "$t1")
rss_mb=$(( $(tail -1 "$work/full.rss") / 1024 ))
python3 -c "import json; s=json.load(open('$work/full.json')); print('full sync:', s['status'], s['documents_seen'], 'documents,', s['documents_applied'], 'applied,', s['listings_added'], 'listings added')"
echo "full sync: $full s, client peak RSS $rss_mb MB"

# (3) Size on disk.
psql_to -d synced -c "VACUUM ANALYZE" >/dev/null
psql_to -d synced -c "SELECT pg_size_pretty(pg_database_size('synced')) AS database" \
    -c "SELECT relname AS table, pg_size_pretty(pg_total_relation_size(c.oid)) AS with_indexes, reltuples::bigint AS rows
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC LIMIT 8"

# (4) No-change resync.
t2=$(now)
"$bin" sync --database "$(conn synced)" "${sources[@]}" --json > "$work/again.json" 2> "$work/again.log" || true
t3=$(now)
again=$(seconds "$t2" "$t3")
echo "no-change resync: $again s"

# (5) COPY of the same rows, in one transaction.
tables="sync_runs municipalities organizations documents rejects policies policy_evaluations programs listings listing_goals amounts indicators indicator_values changes"
rm -rf "$work/rows"; mkdir -p "$work/rows"
rows=0
for t in $tables; do
    # Row 0 of municipalities ("none declared") is made by the migration on both sides.
    filter=; [[ $t == municipalities ]] && filter="WHERE id <> 0"
    psql_to -d synced -c "\\copy (SELECT * FROM $t $filter) TO '$work/rows/$t.tsv'"
    rows=$((rows + $(wc -l < "$work/rows/$t.tsv")))
done
script=$work/copy.sql
{ echo "BEGIN;"; for t in $tables; do echo "\\copy $t FROM '$work/rows/$t.tsv'"; done; echo "COMMIT;"; } > "$script"
t4=$(now); psql_to -d copied -f "$script"; t5=$(now)
copy=$(seconds "$t4" "$t5")
rm -rf "$work/rows"
python3 -c "print(f'COPY of the same $rows rows: $copy s; full sync / COPY: {$full / $copy:.2f}x')"
psql_to -d postgres -c "DROP DATABASE copied"

# (6) Answers, cold and cached, through the daemon (inline framing: one JSON line each).
"${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast -w restart >/dev/null
sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null && dropped="OS page cache dropped" || dropped="OS page cache not dropped (not permitted)"
echo "cold: PostgreSQL restarted, $dropped"
serve_port=$((40000 + RANDOM % 20000))
"$bin" serve --database "$(conn synced)" --port "$serve_port" --sync-interval 0 > "$work/serve.log" 2>&1 &
daemon=$!
trap 'kill $daemon 2>/dev/null || true; "${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true' EXIT
org=$(psql -X -At -h "$cluster" -p "$port" -U postgres -d synced -c "SELECT o.name FROM organizations o JOIN municipalities m ON m.id = o.municipality_id WHERE m.name = '北九州市' ORDER BY o.name LIMIT 1")
python3 "$root/Benchmarks/national/queries.py" "$serve_port" 北九州市 "$org"
echo "reproduce: Benchmarks/national/bench_national.sh --listings $listings --munis $munis --crosswalk $bin"
