#!/usr/bin/env bash
# Installs the real Redis clients the client tests drive, and nothing that is already
# there: redis-cli (Debian's redis-tools) and redis-py (`pip install redis`, the package
# users install). Idempotent; CI runs it before `swift test` (.ci/run).
set -euo pipefail

python=${PYTHON:-python3}

if command -v redis-cli >/dev/null; then
    echo "install-test-deps: redis-cli is present ($(redis-cli --version))"
else
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-test-deps: redis-cli missing; run as root: sudo $0" >&2
        exit 1
    fi
    echo "install-test-deps: installing redis-tools"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends redis-tools
fi

if "$python" -c 'import redis' 2>/dev/null; then
    echo "install-test-deps: redis-py is present ($("$python" -c 'import redis; print(redis.__version__)'))"
else
    echo "install-test-deps: installing redis-py for $python"
    # Debian's own python3 refuses system-wide pip installs (PEP 668); a CI machine is
    # disposable, so say so explicitly there.
    "$python" -m pip install --quiet redis 2>/dev/null \
        || "$python" -m pip install --quiet --break-system-packages redis
fi
