#!/usr/bin/env bash
# The imbalance baselines of docs/results.md (issue 18): Fashion-MNIST with classes 2, 4, 6 (pullover,
# coat, shirt: the ones most alike) kept at SHARE of their training items, the compact classifier trained
# with each remedy for SECONDS per run (bench_assess; needs a build and scripts/fetch-data.sh).
#
#   bash bench/assess.sh [SHARE [SECONDS [SEEDS [RARE]]]]     (defaults 0.02 60 1 2,4,6)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
/usr/bin/time -f "bench_assess: %e s, peak %M KB" "$root/build/release/bin/bench_assess" "$data/fashion-mnist" "$@"
