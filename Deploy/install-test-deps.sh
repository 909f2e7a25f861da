#!/usr/bin/env bash
# Installs what the tests need beyond Deploy/install-deps.sh, and nothing already there:
#   - the real Redis clients the client tests drive: redis-cli (Debian's redis-tools),
#     hiredis for a C client (libhiredis-dev, built with cc) and redis-py (`pip install
#     redis`, the package users install; Debian's python3-redis is far older);
#   - headless Chromium for the web page tests, with CJK fonts for the screenshots.
# Idempotent; CI runs it before `swift test` (.ci/run). Tests whose tool is missing fail
# and name this script.
set -euo pipefail

python=${PYTHON:-python3}
apt_packages=()

# --- clients: redis-cli, hiredis and a C compiler, pip for redis-py ---
command -v redis-cli >/dev/null || apt_packages+=(redis-tools)
[[ -f /usr/include/hiredis/hiredis.h ]] || apt_packages+=(libhiredis-dev)
command -v cc >/dev/null || apt_packages+=(gcc libc6-dev)
command -v "$python" >/dev/null || apt_packages+=(python3)
"$python" -m pip --version >/dev/null 2>&1 || apt_packages+=(python3-pip)

# --- web: headless Chromium for the browser tests (WebBrowserTests) ---
command -v chromium >/dev/null || apt_packages+=(chromium)
# Japanese glyphs in the screenshots (without them the text renders as boxes).
fc-list 2>/dev/null | grep -qi "noto sans cjk" || apt_packages+=(fonts-noto-cjk)

if ((${#apt_packages[@]} > 0)); then
    if [[ $(id -u) -ne 0 ]]; then
        echo "install-test-deps: missing ${apt_packages[*]}; run as root: sudo $0" >&2
        exit 1
    fi
    echo "install-test-deps: installing ${apt_packages[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${apt_packages[@]}"
fi
echo "install-test-deps: $(redis-cli --version), libhiredis-dev $(dpkg-query -W -f='${Version}' libhiredis-dev 2>/dev/null || echo '?'), $(chromium --version 2>/dev/null || echo 'chromium ?')"

if ! "$python" -c 'import redis' 2>/dev/null; then
    echo "install-test-deps: installing redis-py for $python"
    # Debian's own python3 refuses system-wide pip installs (PEP 668); a CI machine is
    # disposable, so it is told so explicitly there.
    "$python" -m pip install --quiet redis 2>/dev/null \
        || "$python" -m pip install --quiet --break-system-packages redis
fi
echo "install-test-deps: redis-py $("$python" -c 'import redis; print(redis.__version__)')"
