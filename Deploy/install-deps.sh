#!/usr/bin/env bash
# Installs what Crosswalk needs to build and test on Debian/Ubuntu, and nothing that
# is already there: libpq-dev (headers + pkg-config file), libssl-dev (libcrypto's SHA-256
# for the document digest; libpq-dev usually brings it), libicu-dev (ICU's word break for
# the SDG review; Foundation's own ICU is private to it) and the PostgreSQL server
# binaries (initdb, pg_ctl, postgres, with pg_trgm) for the embedded cluster and tests.
# The Swift toolchain itself (6.0 or newer) is not installed here.
set -euo pipefail

missing=()
pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev pkg-config)
pkg-config --exists libcrypto 2>/dev/null || missing+=(libssl-dev pkg-config)
pkg-config --exists icu-uc 2>/dev/null || missing+=(libicu-dev pkg-config)
have_server() {
    local dir
    for dir in $(pg_config --bindir 2>/dev/null) /usr/lib/postgresql/*/bin; do
        [[ -x $dir/initdb && -x $dir/pg_ctl && -x $dir/postgres ]] && return 0
    done
    return 1
}
have_server || missing+=(postgresql postgresql-contrib)
ls /usr/share/postgresql/*/extension/pg_trgm.control >/dev/null 2>&1 || missing+=(postgresql-contrib)
command -v runuser >/dev/null || missing+=(util-linux)

if ((${#missing[@]} == 0)); then
    echo "install-deps: libpq-dev, libssl-dev, libicu-dev and the PostgreSQL server are present"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-deps: missing ${missing[*]}; run as root: sudo $0" >&2
    exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian's postgresql package starts a system cluster; Crosswalk runs its own.
