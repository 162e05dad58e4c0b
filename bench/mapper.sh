#!/usr/bin/env bash
# The mapper's table of docs/results.md: autoencoder + k-means against PCA + k-means and k-means on the
# bands, k = 4 .. 10, on the sample Landsat-7 scene (bench_mapper; needs a build and scripts/fetch-data.sh).
#
#   bash bench/mapper.sh [SCENE [K_MIN K_MAX [CODE [HIDDEN [FINETUNE_STEPS]]]]]   (HIDDEN e.g. 32,16)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
scene=${1:-$data/stars/L7_ETMs.tif}
shift || true
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
/usr/bin/time -f "bench_mapper: %e s, peak %M KB" "$root/build/release/bin/bench_mapper" "$scene" "$@"
