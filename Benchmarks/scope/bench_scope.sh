#!/usr/bin/env bash
# What "never a silent empty answer" and the analyst views cost, side by side in one run
# on one generated corpus:
#   - crosswalk_check_scope (run before every data command) when the scope holds
#     listings (an index probe), with an organization, and when it does not (the error,
#     which lists the years);
#   - the answer it guards, crosswalk_sdg_report, for scale;
#   - docs/SQL.md's per-goal query over analyst_program_goal_amounts, and the year total
#     over analyst_program_years.
# Prints milliseconds per call (mean of N calls inside PostgreSQL, no client round trip).
#
# Usage: Benchmarks/scope/bench_scope.sh [--listings 30000] [--calls 200] [--crosswalk BIN] [--work DIR]
# Needs: a crosswalk build (release or debug), Python 3, the PostgreSQL server binaries and psql.
set -euo pipefail

listings=30000
calls=200
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
[[ -x $bin ]] || bin=$root/.build/debug/crosswalk
work=/tmp/crosswalk-bench/scope
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --calls) calls=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build --product crosswalk" >&2; exit 2; }

source "$root/Benchmarks/lib.sh"
bench_corpus "$listings"

bench_cluster "-c shared_buffers=256MB"
psql_to() { psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$cluster" -p "$port" -U postgres -d scope "$@"; }
psql -X -q -h "$cluster" -p "$port" -U postgres -d postgres -c "CREATE DATABASE scope"
conninfo="host=$cluster port=$port user=postgres dbname=scope"
"$bin" sync --database "$conninfo" --source "$corpus/docs" --json > "$work/sync.json" 2>"$work/sync.log" || true
psql_to -c "ANALYZE"

year=$(psql_to -c "SELECT max(fiscal_year) FROM current_listings")
org=$(psql_to -c "SELECT o.name FROM organizations o JOIN documents d ON d.organization_id = o.id WHERE d.fiscal_year = $year LIMIT 1")
held=$(psql_to -c "SELECT count(*) FROM current_listings")

# Mean milliseconds per call of one SQL expression, timed inside the server.
per_call() {
    local label=$1 sql=$2 n=$3
    psql_to -c "
        DO \$\$
        DECLARE t0 timestamptz; ok int := 0; failed int := 0;
        BEGIN
            t0 := clock_timestamp();
            FOR i IN 1..$n LOOP
                BEGIN PERFORM ($sql); ok := ok + 1;
                EXCEPTION WHEN no_data_found THEN failed := failed + 1;
                END;
            END LOOP;
            RAISE NOTICE '% % ms/call  (% answered, % NOTFOUND)', rpad('$label', 60),
                to_char(extract(epoch FROM clock_timestamp() - t0) * 1000 / $n, '99990.000'), ok, failed;
        END \$\$" 2>&1 | sed 's/^NOTICE:  //'
}

echo "corpus: $listings listings generated, $held current after sync; latest fiscal year $year; $calls calls each"
per_call "check_scope: latest year (answered)" "crosswalk_check_scope($year, NULL, NULL)" "$calls"
per_call "check_scope: latest year + organization (answered)" "crosswalk_check_scope($year, '$org', NULL)" "$calls"
per_call "check_scope: FY 1990 (NOTFOUND, lists the years)" "crosswalk_check_scope(1990, NULL, NULL)" "$calls"
per_call "check_scope: unknown organization (NOTFOUND, near matches)" "crosswalk_check_scope($year, 'no such bureau', NULL)" "$calls"
per_call "crosswalk_sdg_report (the answer it guards)" "crosswalk_sdg_report($year)" $((calls / 10))
per_call "docs/SQL.md sdg-gross over analyst_program_goal_amounts" \
    "(SELECT jsonb_agg(x) FROM (SELECT s.goal, count(DISTINCT v.program_id), coalesce(sum(v.gross_thousand_yen), 0) FROM sdg_goals s LEFT JOIN analyst_program_goal_amounts v ON v.goal = s.goal AND v.fiscal_year = $year AND v.amount_kind = 'settled' GROUP BY s.goal) x)" $((calls / 10))
per_call "docs/SQL.md year-total over analyst_program_years" \
    "(SELECT count(*) FROM analyst_program_years WHERE fiscal_year = $year)" $((calls / 10))
