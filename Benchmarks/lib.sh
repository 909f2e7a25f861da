# Shared by the benchmark scripts: the generated corpus and a throwaway PostgreSQL cluster.
# Source it after setting `root` (the repository) and `work` (the benchmark's folder).

# bench_corpus LISTINGS: sets `corpus` to $work/corpus-L<LISTINGS> (seed 7), generating it
# when its manifest is missing.
bench_corpus() {
    corpus=$work/corpus-L$1
    if [[ ! -f $corpus/manifest.json ]]; then
        python3 "$root/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$1" --seed 7 --quiet --force
    fi
}

# bench_cluster [SERVER OPTIONS]: starts a fresh cluster in $work/cluster (as the
# unprivileged user crosswalk-pg when root, like LocalCluster), stopped when the script
# exits. Sets `cluster` (its socket folder), `port`, `bindir` and `as_pg` (the command
# prefix that runs a server binary as its user). The options go to postgres as given.
bench_cluster() {
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
        -o "-p $port -k $cluster -c listen_addresses='' $*" start >/dev/null
    trap '"${as_pg[@]}" "$bindir/pg_ctl" -D "$cluster/data" -m fast stop >/dev/null 2>&1 || true' EXIT
}

# bench_embedded_cluster DATA_DIR: starts again the embedded cluster that
# `crosswalk … --data-dir DATA_DIR` made and stopped (as its unprivileged user when root),
# unless it runs, and stops it when the script exits. Sets `sock`, `port`, `conninfo`
# (its `crosswalk` database) and the function `psql_`.
bench_embedded_cluster() {
    local cluster=$1/postgres
    local pidfile=$cluster/pgdata/postmaster.pid
    if [[ ! -f $pidfile ]]; then
        pgbin=$(dirname "$(command -v pg_ctl 2>/dev/null || echo "$(pg_config --bindir)/pg_ctl")")
        runas=()
        [[ $(id -u) -eq 0 ]] && runas=(runuser -u crosswalk-pg --)
        local freeport
        freeport=$(python3 -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
        "${runas[@]}" "$pgbin/pg_ctl" -D "$cluster/pgdata" -l "$cluster/postgres.log" -w \
            -o "-p $freeport -k $cluster -c listen_addresses=''" start > /dev/null
        embedded_pgdata=$cluster/pgdata
        trap '"${runas[@]}" "$pgbin/pg_ctl" -D "$embedded_pgdata" -m fast -w stop > /dev/null' EXIT
    fi
    port=$(sed -n 4p "$pidfile")
    sock=$(sed -n 5p "$pidfile")
    conninfo="host=$sock port=$port user=postgres dbname=crosswalk"
}
psql_() { psql -X -q -v ON_ERROR_STOP=1 -h "$sock" -p "$port" -U postgres -d crosswalk "$@"; }
