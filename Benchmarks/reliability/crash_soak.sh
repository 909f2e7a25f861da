#!/usr/bin/env bash
# Crash soak: the CI crash test (ReliabilityTests.CrashSafetyTests) with many more
# SIGKILLs, a larger corpus, and every few rounds a revision big enough that a sync
# spans several 200-document commit groups (so kills land between commits).
#
# Each round: the source folder changes; a twin database syncs it cleanly; the same sync
# into the killed database is SIGKILLed at a random moment; every document there must be
# whole in its previous or its new version; the next sync must make the killed database
# equal the twin row for row, history included; every few rounds a fresh database synced
# once must equal it in everything current. See Tests/ReliabilityTests/CrashSafetyTests.swift.
#
# Usage: Benchmarks/reliability/crash_soak.sh [--runs 200] [--seed N] [--release] [--log FILE]
#   --runs     SIGKILLs to inject (rounds where the sync finished before its kill don't count)
#   --seed     replay a run (the seed is printed at the start)
#   --release  kill a release build of crosswalk (built if missing) instead of the debug one
# Needs: swift build --build-tests (the test bundle), Python 3, the PostgreSQL server binaries.
set -euo pipefail

runs=200
seed=""
release=0
root=$(cd "$(dirname "$0")/../.." && pwd)
log=/tmp/crosswalk-crash-soak-$(date +%Y%m%d-%H%M%S).log
while (($#)); do
    case $1 in
        --runs) runs=$2; shift 2 ;;
        --seed) seed=$2; shift 2 ;;
        --release) release=1; shift ;;
        --log) log=$2; shift 2 ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done

built=$root/.build/debug
[[ -x $built/CrosswalkPackageTests.xctest ]] || { echo "no test bundle in $built: run swift build --build-tests" >&2; exit 2; }
# Copies, so a rebuild during a long soak does not pull the binaries from under it.
bin=$(mktemp -d /tmp/crosswalk-crash-soak-bin.XXXXXX)
cp "$built/CrosswalkPackageTests.xctest" "$built/crosswalk" "$bin/"
if ((release)); then
    [[ -x $root/.build/release/crosswalk ]] || (cd "$root" && swift build -c release --product crosswalk)
    cp "$root/.build/release/crosswalk" "$bin/crosswalk"
fi
bundle=$bin/CrosswalkPackageTests.xctest

export CROSSWALK_CRASH_KILLS=$runs
[[ -n $seed ]] && export CROSSWALK_CRASH_SEED=$seed
# A corpus of up to 360 documents (about 9,000 listings): 260 at first (the first sync
# crosses a commit group), then per round 8 new, 8 revised, 2 taken down, 2 restored;
# every 10th round 220 revised; a fresh database compared every 10th round and at the end.
export CROSSWALK_CRASH_INITIAL=${CROSSWALK_CRASH_INITIAL:-260}
export CROSSWALK_CRASH_ADD=${CROSSWALK_CRASH_ADD:-8}
export CROSSWALK_CRASH_REVISE=${CROSSWALK_CRASH_REVISE:-8}
export CROSSWALK_CRASH_TAKEDOWN=${CROSSWALK_CRASH_TAKEDOWN:-2}
export CROSSWALK_CRASH_RESTORE=${CROSSWALK_CRASH_RESTORE:-2}
export CROSSWALK_CRASH_MAX_DOCS=${CROSSWALK_CRASH_MAX_DOCS:-360}
export CROSSWALK_CRASH_BIG_EVERY=${CROSSWALK_CRASH_BIG_EVERY:-10}
export CROSSWALK_CRASH_BIG_REVISE=${CROSSWALK_CRASH_BIG_REVISE:-220}
export CROSSWALK_CRASH_FRESH_EVERY=${CROSSWALK_CRASH_FRESH_EVERY:-10}

echo "crash soak: $runs kills, $( ((release)) && echo release || echo debug ) crosswalk, log $log"
start=$(date +%s)
"$bundle" ReliabilityTests.CrashSafetyTests > "$log" 2>&1 &
test_pid=$!
# Interrupted: stop the test and the PostgreSQL cluster it started (its atexit never runs).
cleanup() {
    kill "$test_pid" 2>/dev/null && wait "$test_pid" 2>/dev/null || true
    local cluster=${TMPDIR:-/tmp}/crosswalk-tests-$test_pid
    if [[ -f $cluster/pgdata/postmaster.pid ]]; then
        local bindir; bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
        local as_pg=(); [[ $(id -u) -eq 0 ]] && as_pg=(runuser -u crosswalk-pg --)
        "${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/pgdata" -m fast -w stop >/dev/null 2>&1 || true
        rm -rf "$cluster"
    fi
    rm -rf "$bin" "${TMPDIR:-/tmp}/crosswalk-reliability-$test_pid"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Progress in the background: bash runs the INT/TERM trap only between commands, and `wait` is one.
tail -n +1 -f --pid="$test_pid" "$log" | grep --line-buffered -E '^(crash test|round [0-9]+:)|error:|Executed' | sed -u 's/^/  /' &
wait "$test_pid" && status=0 || status=1
wait
grep -q 'Executed 1 test, with 0 failures' "$log" || status=1
echo "took $(( $(date +%s) - start )) s; $( ((status)) && echo FAILED || echo passed ); full log: $log"
exit $status
