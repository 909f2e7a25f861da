#!/usr/bin/env bash
# Protocol throughput, side by side in one run with redis-server, both driven by
# redis-benchmark over loopback (RESP multibulk requests):
#   PING, without and with pipelining (-P 16);
#   `SDG 11` on a synced corpus against redis-server `GET` of a value of the same size.
# Prints requests/s for each, the ratio crosswalk/redis, and for PING each server's CPU time
# per request (utime+stime from /proc/PID/stat around the run: steadier than requests/s on a
# busy machine).
#
# Usage: Benchmarks/protocol/bench_protocol.sh [--listings 100000] [--corpus DIR] [--crosswalk BIN] [--work DIR]
# Needs: a release build, redis-server and redis-benchmark (installed with apt-get when
# missing), Python 3, the PostgreSQL server binaries.
set -euo pipefail

listings=100000
corpus=
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=$root/.build/release/crosswalk
work=/tmp/crosswalk-bench/protocol
requests=200000
clients=50
while (($#)); do
    case $1 in
        --listings) listings=$2; shift 2 ;;
        --crosswalk) bin=$2; shift 2 ;;
        --work) work=$2; shift 2 ;;
        --requests) requests=$2; shift 2 ;;
        --corpus) corpus=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
# redis-server is the yardstick: installed from Debian when missing (it pulls in redis-tools).
if ! command -v redis-server >/dev/null && command -v apt-get >/dev/null; then
    apt-get install -y redis-server >/dev/null || { echo "cannot install redis-server" >&2; exit 2; }
fi
for tool in redis-server redis-benchmark redis-cli; do
    command -v $tool >/dev/null || { echo "$tool missing: apt-get install redis-server redis-tools" >&2; exit 2; }
done
[[ -x $bin ]] || { echo "no crosswalk binary at $bin: swift build -c release --product crosswalk" >&2; exit 2; }
mkdir -p "$work"
corpus=${corpus:-$work/corpus-L$listings}
[[ -f $corpus/manifest.json ]] || python3 "$root/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$listings" --seed 11 --quiet --force

redis_port=16379
cw_port=17017
redis-server --port $redis_port --bind 127.0.0.1 --save '' --appendonly no --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
# The database persists between runs: a second run starts with a no-change sync.
"$bin" serve --data-dir "$work/data" --source "$corpus/docs" --port $cw_port --sync-interval 0 --idle-timeout 0 >"$work/serve.log" 2>&1 &
cw_pid=$!
trap 'kill $cw_pid $redis_pid 2>/dev/null; wait $cw_pid 2>/dev/null' EXIT

# Wait until the start-up sync has been recorded.
for _ in $(seq 1 600); do
    if redis-cli -p $cw_port SYNCSTATUS 2>/dev/null | grep -q '^ok$'; then break; fi
    sleep 1
done
redis-cli -p $cw_port SYNCSTATUS | head -4 >/dev/null

rps() { # extracts "requests per second" from redis-benchmark -q output
    awk '/requests per second/ { for (i = 1; i <= NF; i++) if ($i ~ /^[0-9.]+$/) { print $i; exit } }'
}
bench() { redis-benchmark -h 127.0.0.1 -p "$1" -c $clients -n "$2" -q "${@:3}" 2>/dev/null | tr '\r' '\n' | rps; }
ticks() { awk '{ print $14 + $15 }' /proc/$1/stat; }
# bench_cpu PID PORT N ARGS…: "requests/s CPU-µs-per-request" of the server PID.
bench_cpu() {
    local before after rate
    before=$(ticks "$1")
    rate=$(bench "$2" "$3" "${@:4}")
    after=$(ticks "$1")
    echo "$rate $(awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" -v n="$3" 'BEGIN { printf "%.2f", t / hz * 1e6 / n }')"
}

# The size of SDG 11's RESP reply, and a redis value of that size.
size=$(python3 - $cw_port <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"*2\r\n$3\r\nSDG\r\n$2\r\n11\r\n")
s.settimeout(600)  # the first SDG 11 is computed cold: minutes on a loaded machine
data = b""
try:
    while True:
        chunk = s.recv(1 << 20)
        if not chunk: break
        data += chunk
        s.settimeout(0.5)
except socket.timeout:
    pass
print(len(data))
PY
)
python3 -c "import sys; sys.stdout.write('x' * $size)" | redis-cli -p $redis_port -x SET sdg11 >/dev/null

read -r ping_redis cpu_ping_redis < <(bench_cpu $redis_pid $redis_port $requests PING)
read -r ping_cw cpu_ping_cw < <(bench_cpu $cw_pid $cw_port $requests PING)
read -r pping_redis cpu_pping_redis < <(bench_cpu $redis_pid $redis_port $((requests * 5)) -P 16 PING)
read -r pping_cw cpu_pping_cw < <(bench_cpu $cw_pid $cw_port $((requests * 5)) -P 16 PING)
# 1,000 by default: redis-benchmark parses each 1.6 MB reply (~35/s), so more only takes longer.
sdg_n=$((requests / 200))
get_redis=$(bench $redis_port $sdg_n GET sdg11)
sdg_cw=$(bench $cw_port $sdg_n SDG 11)

# The same two replies read as raw bytes by a client that does not parse them.
raw_redis=$(python3 "$root/Benchmarks/protocol/raw_replies.py" $redis_port "GET sdg11" $((size + ${#size} + 5)))
raw_cw=$(python3 "$root/Benchmarks/protocol/raw_replies.py" $cw_port "SDG 11" "$size")

python3 - "$ping_redis" "$ping_cw" "$pping_redis" "$pping_cw" "$get_redis" "$sdg_cw" "$raw_redis" "$raw_cw" "$size" "$listings" \
    "$cpu_ping_redis" "$cpu_ping_cw" "$cpu_pping_redis" "$cpu_pping_cw" <<'PY'
import sys
pr, pc, ppr, ppc, gr, sc, rr, rc = (float(x or 0) for x in sys.argv[1:9])
size, listings = int(sys.argv[9]), int(sys.argv[10])
cpu = sys.argv[11:15]
print(f"corpus: {listings} listings; SDG 11 reply: {size:,} bytes (RESP)")
print(f"{'test':<34}{'redis-server':>14}{'crosswalk':>14}{'ratio':>8}  target   CPU µs/request redis / crosswalk")
for name, r, c, t, u in [("PING", pr, pc, 0.8, cpu[0:2]), ("PING, pipelined -P 16", ppr, ppc, 0.8, cpu[2:4]),
                         # redis-benchmark parses the 1.5 MB nested reply: this row measures the client.
                         (f"GET {size:,} B  vs  SDG 11", gr, sc, None, None),
                         ("  same, raw reads (8 conns)", rr, rc, 0.8, None)]:
    used = f"   {u[0]} / {u[1]}" if u else ""
    target = f">= {t}" if t else "client"
    print(f"{name:<34}{r:>14,.0f}{c:>14,.0f}{(c / r if r else 0):>8.2f}  {target:<7}{used}")
PY
echo "reproduce: Benchmarks/protocol/bench_protocol.sh --listings $listings --crosswalk $bin  ($clients clients, redis-benchmark)"
