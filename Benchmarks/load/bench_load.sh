#!/usr/bin/env bash
# Load: 500 concurrent clients against `crosswalk serve` on loopback, driven by
# redis-benchmark (RESP multibulk requests, one request in flight per client).
#   1. One command at a time with -c 500: PING, SDG 11,
#      DUPLICATES FY 2023, POLICY II-3-(2)-2, SEARCH テレワーク.
#   2. A mix at once: four redis-benchmark processes (PING, SDG 11, DUPLICATES, SEARCH)
#      with 125 clients each, 500 connections together.
# Then checks the server's own counters (INFO): every request was served as its command,
# no connection was refused, and no error other than redis-benchmark's start-up probe
# (CONFIG GET, which crosswalk does not know) was answered.
#
# Usage: Benchmarks/load/bench_load.sh [--crosswalk BIN] [--source DIR] [--requests N]
#                                      [--clients 500] [--port 17117] [--work DIR]
# Needs: a release build (swift build -c release --product crosswalk), redis-benchmark and
# redis-cli (apt-get install redis-tools), the PostgreSQL server binaries.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
source_dir=$root/Samples
requests=100000
clients=500
port=17117
work=/tmp/crosswalk-bench/load
while (($#)); do
    case $1 in
        --crosswalk) bin=$2; shift 2 ;;
        --source) source_dir=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --clients) clients=$2; shift 2 ;;
        --port) port=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
for tool in redis-benchmark redis-cli; do
    command -v $tool >/dev/null || { echo "$tool missing: apt-get install redis-tools" >&2; exit 2; }
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build -c release --product crosswalk" >&2; exit 2; }
# redis-benchmark and the server each hold one descriptor per client.
ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"
mkdir -p "$work"

"$bin" serve --data-dir "$work/data" --source "$source_dir" --port "$port" --sync-interval 0 >"$work/serve.log" 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null; wait $server_pid 2>/dev/null' EXIT
for _ in $(seq 1 300); do
    if redis-cli -p "$port" SYNCSTATUS 2>/dev/null | grep -q '^ok$'; then break; fi
    sleep 1
done
redis-cli -p "$port" SYNCSTATUS | grep -q '^ok$' || { echo "crosswalk did not finish its start-up sync; see $work/serve.log" >&2; exit 1; }

# Every command answers before it is timed.
for command in "PING" "SDG 11" "DUPLICATES FY 2023" "POLICY II-3-(2)-2" "SEARCH テレワーク"; do
    # shellcheck disable=SC2086
    reply=$(redis-cli -p "$port" $command | head -1)
    [[ -n $reply && $reply != ERR* && $reply != NOTFOUND* ]] || { echo "$command: $reply" >&2; exit 1; }
done

info() { redis-cli -p "$port" INFO | tr -d '\r'; }
field() { awk -F: -v key="$1" '$1 == key { value = $2 } END { print value + 0 }' <<<"$2"; }
before=$(info)

bench() { # clients requests command… → CSV rows: "test","rps","avg","min","p50","p95","p99","max"
    redis-benchmark -h 127.0.0.1 -p "$port" -c "$1" -n "$2" --csv "${@:3}" 2>/dev/null | grep -v '^"test"'
}
echo "== one command at a time, $clients clients each =="
echo '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
# (Not -t ping_inline: an inline request gets a JSON line by design, which redis-benchmark
# cannot read.)
bench "$clients" "$requests" -t ping_mbulk
bench "$clients" "$requests" SDG 11
bench "$clients" "$requests" DUPLICATES FY 2023
bench "$clients" "$requests" POLICY 'II-3-(2)-2'
bench "$clients" "$requests" SEARCH テレワーク

echo "== a mix at once: 4 x $((clients / 4)) clients =="
mixed=$((requests / 2))
pids=()
bench $((clients / 4)) "$mixed" PING >"$work/mix-ping.csv" & pids+=($!)
bench $((clients / 4)) "$mixed" SDG 11 >"$work/mix-sdg.csv" & pids+=($!)
bench $((clients / 4)) "$mixed" DUPLICATES FY 2023 >"$work/mix-duplicates.csv" & pids+=($!)
bench $((clients / 4)) "$mixed" SEARCH テレワーク >"$work/mix-search.csv" & pids+=($!)
wait "${pids[@]}"
cat "$work"/mix-{ping,sdg,duplicates,search}.csv

after=$(info)
delta() { echo $(($(field "$1" "$after") - $(field "$1" "$before"))); }
status=0
expect() { # name expected
    local got
    got=$(delta "$1")
    if [[ $got == "$2" ]]; then echo "ok   $1 +$got"; else echo "FAIL $1 +$got, expected +$2"; status=1; fi
}
echo "== the server's counters (INFO, after - before) =="
expect cmd_ping $((requests + mixed))
expect cmd_sdg $((requests + mixed))
expect cmd_duplicates $((requests + mixed))
expect cmd_policy "$requests"
expect cmd_search $((requests + mixed))
expect rejected_connections 0
for kind in protocol wrong_arguments noauth noperm auth_failed command internal; do expect "err_$kind" 0; done
echo "(err_unknown_command +$(delta err_unknown_command): redis-benchmark's CONFIG GET probes)"
echo "reproduce: Benchmarks/load/bench_load.sh --crosswalk $bin --source $source_dir --requests $requests --clients $clients"
exit $status
