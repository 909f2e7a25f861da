#!/usr/bin/env bash
# Parse throughput: the Crosswalk reader (`crosswalk parse --compact`, release build)
# against pandas read_csv tokenising the same generated files, in one run.
#
#   Benchmarks/parse/bench_parse.sh [--listings N] [--seed S] [--runs R] [--corpus DIR]
#                                   [--crosswalk BIN] [--build] [--no-pandas] [--json OUT]
#
#   --listings N    corpus size in listing rows (default 300000, about 235 MB)
#   --seed S        generator seed (default 1)
#   --runs R        timed passes per side; the best counts (default 3)
#   --corpus DIR    where the corpus lives (default ${TMPDIR:-/tmp}/crosswalk-bench/corpus-L<N>-s<S>);
#                   reused when its manifest matches --listings/--seed, generated otherwise
#   --crosswalk BIN crosswalk binary (default $CROSSWALK_BIN or .build-release/release/crosswalk)
#   --build         build it first: swift build -c release --product crosswalk --scratch-path .build-release
#   --no-pandas     skip the pandas side
#   --no-bulk       skip the pandas-bulk side (same bytes, one read_csv per 32 MB: the target's reference)
#   --json OUT      also write the results as JSON
#
# Prints MB/s (10^6 bytes of input per second) for each side, best of R passes after a
# page-cache warm-up, and the ratio crosswalk/pandas (target: >= 1.5x against pandas-bulk, the one-stream read). When `crosswalk
# parse` is not available yet, says so and runs the pandas side alone.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

listings=300000
seed=1
runs=3
corpus=""
crosswalk="${CROSSWALK_BIN:-$repo/.build-release/release/crosswalk}"
build=0
pandas=1
json=""
extra=()
corpus_given=0
crosswalk_given=0

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }

while [[ $# -gt 0 ]]; do
  case "$1" in
    --listings) listings="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --corpus) corpus="$2"; corpus_given=1; shift 2 ;;
    --crosswalk) crosswalk="$2"; crosswalk_given=1; shift 2 ;;
    --build) build=1; shift ;;
    --no-pandas) pandas=0; shift ;;
    --no-bulk) extra+=(--no-bulk); shift ;;
    --json) json="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -n "$corpus" ]] || corpus="${TMPDIR:-/tmp}/crosswalk-bench/corpus-L${listings}-s${seed}"

reproduce="Benchmarks/parse/bench_parse.sh --listings $listings --seed $seed --runs $runs"
[[ $corpus_given -eq 1 ]] && reproduce+=" --corpus $corpus"
[[ $crosswalk_given -eq 1 ]] && reproduce+=" --crosswalk $crosswalk"
[[ $build -eq 1 ]] && reproduce+=" --build"

command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 1; }

# --- pandas -----------------------------------------------------------------------
pandas_args=()
if [[ $pandas -eq 1 ]]; then
  if ! python3 -c 'import pandas' 2>/dev/null; then
    echo "pandas is not installed for $(command -v python3): install it with \`pip install pandas\`" >&2
    echo "(continuing without the pandas side)" >&2
    pandas_args=(--no-pandas)
  fi
else
  pandas_args=(--no-pandas)
fi

# --- crosswalk --------------------------------------------------------------------
if [[ $build -eq 1 ]]; then
  echo "building: swift build -c release --product crosswalk --scratch-path .build-release"
  (cd "$repo" && swift build -c release --product crosswalk --scratch-path .build-release)
  crosswalk="$repo/.build-release/release/crosswalk"
fi
crosswalk_args=()
missing=""
sample="$repo/Samples/digital_R5.txt"
if [[ ! -x "$crosswalk" ]]; then
  echo "crosswalk binary not found at $crosswalk" >&2
  echo "  build it with: swift build -c release --product crosswalk --scratch-path .build-release" >&2
  echo "  (or pass --build); running the pandas side only" >&2
  missing="crosswalk binary not built: $crosswalk"
elif ! probe="$("$crosswalk" parse --compact "$sample" 2>&1)" || [[ "$probe" != *crosswalk.evaluation/1* && "$probe" != *\"listings\"* ]]; then
  echo "\`crosswalk parse\` is not available yet in $crosswalk" >&2
  echo "  (probe on Samples/digital_R5.txt printed: $(printf '%s' "$probe" | head -c 200))" >&2
  echo "  running the pandas side only" >&2
  missing="\`crosswalk parse\` not available yet"
else
  crosswalk_args=(--crosswalk "$crosswalk")
fi
if [[ ${#crosswalk_args[@]} -eq 0 && ${#pandas_args[@]} -gt 0 ]]; then
  echo "neither side can run" >&2
  exit 1
fi

# --- corpus -----------------------------------------------------------------------
# Reuse the corpus only if it was written by this generator with these arguments.
if ! PYTHONDONTWRITEBYTECODE=1 python3 - "$corpus/manifest.json" "$listings" "$seed" "$repo/Benchmarks/corpus" <<'EOF' 2>/dev/null
import json, sys
sys.path.insert(0, sys.argv[4])
from generate import generator_digest
m = json.load(open(sys.argv[1], encoding="utf-8"))
a = m["arguments"]
ok = (a["listings"] == int(sys.argv[2]) and a["seed"] == int(sys.argv[3])
      and a["docs_per_org"] == 3 and a["plant_duplicates"] == 0
      and m["listings"] == a["listings"] and m.get("generator_sha256") == generator_digest())
sys.exit(0 if ok else 1)
EOF
then
  echo "generating corpus: $listings listings, seed $seed -> $corpus (missing, different or stale)"
  force=()
  [[ -e "$corpus/manifest.json" || -e "$corpus/files.tsv" ]] && force=(--force)
  mkdir -p "$corpus"
  python3 "$repo/Benchmarks/corpus/generate.py" --out "$corpus" --listings "$listings" --seed "$seed" \
    ${force[@]+"${force[@]}"}
else
  echo "reusing corpus $corpus"
fi

json_args=()
[[ -n "$json" ]] && json_args=(--json "$json")
python3 "$here/bench_parse.py" --corpus "$corpus" --runs "$runs" --reproduce "$reproduce" \
  ${crosswalk_args[@]+"${crosswalk_args[@]}"} ${pandas_args[@]+"${pandas_args[@]}"} \
  ${json_args[@]+"${json_args[@]}"} ${extra[@]+"${extra[@]}"} \
  ${missing:+--crosswalk-missing "$missing"}
