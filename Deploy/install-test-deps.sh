#!/usr/bin/env bash
# Installs what the tests need beyond Deploy/install-deps.sh, and nothing already there.
# Each section checks for one tool; add a section for another tool below.
set -euo pipefail

missing=()

# --- web: headless Chromium for the browser tests (WebBrowserTests) ---
command -v chromium >/dev/null || missing+=(chromium)
# Japanese glyphs in the screenshots (without them the text renders as boxes).
fc-list 2>/dev/null | grep -qi "noto sans cjk" || missing+=(fonts-noto-cjk)

if ((${#missing[@]} == 0)); then
    echo "install-test-deps: all present"
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "install-test-deps: missing ${missing[*]}; run as root: sudo $0" >&2
    exit 1
fi
echo "install-test-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
