#!/bin/bash
# Similar programs, side by side on the same programs in one run:
#   swift    — `similar-bench` (SimilarityIndex: IDF-weighted character n-grams of
#              name, summary and indicator; inverted index with AllPairs prefix filtering)
#   pg_trgm  — PostgreSQL's trigram similarity self-join over the GIN index on programs.name:
#              SELECT … FROM programs a JOIN programs b ON a.name % b.name AND a.id < b.id
# Ground truth: the corpus generator's planted near-duplicates (planted_pairs.tsv).
#
# Usage: Benchmarks/similarity/bench_similarity.sh [--listings 110000] [--seed 1] [--plant 0.02]
#          [--threshold 0.7] [--limits "0.5 0.7"] [--runs 3] [--timeout 1800]
#          [--crosswalk BIN] [--similar-bench BIN] [--work DIR]
#
# Build both first: swift build -c release --product crosswalk --scratch-path .build-release
#   CROSSWALK_BENCHMARKS=1 swift build -c release --product similar-bench --scratch-path .build-release
#
# Steps: (1) generate the corpus (one document per organization, so ~100k programs come
# from ~110k listings); (2) `crosswalk sync` it into an embedded cluster under WORK
# (C.UTF-8, pg_trgm, the GIN index programs_name_trgm from migration 0002); (3) export the
# programs with \copy; (4) time the Swift scan (--runs, fastest counts) and the pg_trgm
# join at each set_limit value (one run each, statement_timeout --timeout seconds);
# (5) score both against the planted pairs (score_pairs.py). Nothing asserts a duration.
# The corpus and the database are reused while their arguments match.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
listings=110000
seed=1
plant=0.02
threshold=""
limits="0.5 0.7"
runs=3
timeout=1800
bin=${CROSSWALK_BIN:-$root/.build-release/release/crosswalk}
bench_bin=""
work=${TMPDIR:-/tmp}/crosswalk-similar

while [ $# -gt 0 ]; do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --plant) plant=$2; shift 2 ;;
        --threshold) threshold=$2; shift 2 ;;
        --limits) limits=$2; shift 2 ;;
        --runs) runs=$2; shift 2 ;;
        --timeout) timeout=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --similar-bench) bench_bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

bench_bin=${bench_bin:-$(dirname "$bin")/similar-bench}
if ! "$bench_bin" --help > /dev/null 2>&1; then
    echo "$bench_bin does not run: CROSSWALK_BENCHMARKS=1 swift build -c release --product similar-bench (or give --similar-bench BIN)" >&2
    exit 2
fi

tag="L${listings}-s${seed}-p${plant}"
corpus=$work/corpus-$tag
db=$work/db-$tag
out=$work/run-$tag
mkdir -p "$work" "$out"

# (1) corpus
if [ ! -f "$corpus/manifest.json" ]; then
    python3 "$root/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$listings" --seed "$seed" \
        --docs-per-org 1 --plant-duplicates "$plant" --force
fi

# (2) sync into an embedded cluster
if [ ! -f "$db/synced.json" ]; then
    start=$(date +%s.%N)
    "$bin" sync --data-dir "$db" --source "$corpus/docs" --json > "$db/sync.json"
    end=$(date +%s.%N)
    python3 -c "import json,sys; s=json.load(open('$db/sync.json')); s['wall_seconds']=round($end-$start,1); json.dump(s,open('$db/synced.json','w'))"
fi
# crosswalk stops the embedded cluster it started; start it again for psql (as the
# cluster's unprivileged user when running as root), and stop it on exit.
source "$root/Benchmarks/lib.sh"
bench_embedded_cluster "$db"

# (3) the programs, as both sides see them
psql_ -c "ANALYZE programs"
psql_ -c "\\copy (SELECT p.id, p.name, p.department, p.summary, x.indicator_name FROM programs p
           LEFT JOIN (SELECT l.program_id,
                             (array_agg(i.name ORDER BY l.id) FILTER (WHERE i.name IS NOT NULL))[1] AS indicator_name
                      FROM current_listings l JOIN indicators i ON i.listing_id = l.id GROUP BY l.program_id) x
                  ON x.program_id = p.id
           ORDER BY p.id) TO '$out/programs.tsv'"
programs=$(wc -l < "$out/programs.tsv")
pgversion=$(psql_ -At -c "SHOW server_version")
trgmversion=$(psql_ -At -c "SELECT extversion FROM pg_extension WHERE extname = 'pg_trgm'")

# (4a) Swift
threshold_arg=()
[ -n "$threshold" ] && threshold_arg=(--threshold "$threshold")
best=""
for i in $(seq 1 "$runs"); do
    /usr/bin/time -f '%e %U %S %M' -o "$out/swift.time" \
        "$bench_bin" --input "$out/programs.tsv" "${threshold_arg[@]}" --pairs-out "$out/swift_pairs.tsv" > "$out/swift.$i.json"
    read -r wall user sys rss < "$out/swift.time"
    echo "swift run $i: wall ${wall}s cpu $(python3 -c "print(round($user+$sys,2))")s rss ${rss}KB $(cat "$out/swift.$i.json")"
    if [ -z "$best" ] || python3 -c "import sys; sys.exit(0 if $wall < $best else 1)"; then
        best=$wall
        cp "$out/swift.$i.json" "$out/swift.json"
        echo "$wall $user $sys $rss" > "$out/swift.best"
    fi
done

# (4b) pg_trgm, one set_limit at a time
labels=(--label "swift=$out/swift_pairs.tsv")
psql_ -c "EXPLAIN SELECT a.id, b.id FROM programs a JOIN programs b ON a.name % b.name AND a.id < b.id" > "$out/trgm.plan"
for limit in $limits; do
    log=$out/trgm-$limit.log
    set +e
    psql_ > "$log" 2>&1 <<SQL
SET statement_timeout = '${timeout}s';
SET max_parallel_workers_per_gather = 0;
SELECT set_limit($limit);
DROP TABLE IF EXISTS bench_trgm_pairs;
\\copy (SELECT pg_backend_pid()) TO '$out/trgm.pid'
\\! awk '{print \$14 + \$15}' /proc/\$(cat $out/trgm.pid)/stat > $out/trgm.cpu0
\\timing on
CREATE UNLOGGED TABLE bench_trgm_pairs AS
    SELECT a.id AS a, b.id AS b, similarity(a.name, b.name) AS score
    FROM programs a JOIN programs b ON a.name % b.name AND a.id < b.id;
\\timing off
\\! awk '{print \$14 + \$15}' /proc/\$(cat $out/trgm.pid)/stat > $out/trgm.cpu1
\\copy bench_trgm_pairs TO '$out/trgm-$limit.tsv'
DROP TABLE bench_trgm_pairs;
SQL
    status=$?
    set -e
    ms=$(grep -o 'Time: [0-9.]*' "$log" | tail -1 | cut -d' ' -f2)
    if [ $status -ne 0 ]; then
        echo "pg_trgm set_limit($limit): failed or timed out after ${timeout}s: $(grep -m1 ERROR "$log" || true)"
        echo "{\"limit\": $limit, \"timed_out_seconds\": $timeout}" > "$out/trgm-$limit.json"
        continue
    fi
    cpu=$(python3 -c "print(round(($(cat "$out/trgm.cpu1") - $(cat "$out/trgm.cpu0")) / $(getconf CLK_TCK), 2))")
    echo "pg_trgm set_limit($limit): ${ms} ms wall, ${cpu} s backend CPU, $(wc -l < "$out/trgm-$limit.tsv") pairs"
    echo "{\"limit\": $limit, \"ms\": $ms, \"backend_cpu_s\": $cpu}" > "$out/trgm-$limit.json"
    labels+=(--label "pg_trgm@$limit=$out/trgm-$limit.tsv")
done

# (5) recall against the planted pairs
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); PostgreSQL $pgversion, pg_trgm $trgmversion; programs: $programs"
echo "sync: $(cat "$db/synced.json")"
echo "swift (fastest of $runs): $(cat "$out/swift.json")  [wall user sys rssKB: $(cat "$out/swift.best")]"
for limit in $limits; do echo "pg_trgm: $(cat "$out/trgm-$limit.json")"; done
python3 "$here/score_pairs.py" --programs "$out/programs.tsv" --planted "$corpus/planted_pairs.tsv" "${labels[@]}"
echo
echo "reproduce: Benchmarks/similarity/bench_similarity.sh --listings $listings --seed $seed --plant $plant${threshold:+ --threshold $threshold} --limits \"$limits\" --runs $runs --crosswalk $bin --similar-bench $bench_bin"
