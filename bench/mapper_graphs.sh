#!/usr/bin/env bash
# The mapper through its graphs (docs/results.md, issue 17): for each setting, graphs/map-train.toml with
# seeds 1, 2 and 3, then graphs/map-eval.toml (10,000 pixels none of the models was fitted on; ARI/NMI
# between the seeds' maps). Needs a build and scripts/fetch-data.sh; about 2 minutes on 2 cores.
#
#   bash bench/mapper_graphs.sh [SCENE]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx="$root/build/release/bin/nfx"
scene_args=()
[ $# -ge 1 ] && scene_args=(--set "scene=$1")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
# run NAME [--set ...]: the --set go to training; READ_SETS (an array) to both graphs' reader.
read_sets=()
run() {
  local name=$1
  shift
  echo "== $name (${read_sets[*]} $*)"
  local start=$SECONDS
  for seed in 1 2 3; do
    "$nfx" run -q graphs/map-train.toml "${scene_args[@]}" "${read_sets[@]}" --set "seed=$seed" --set "model=$out/$name-$seed.pt" "$@"
  done
  echo "training: $(( (SECONDS - start) / 3 )) s per model"
  "$nfx" -v run -q graphs/map-eval.toml "${scene_args[@]}" "${read_sets[@]}" --set "model=$out/$name-1.pt" \
    --set "compare=$out/$name-2.pt,$out/$name-3.pt" --set "report=$out/$name.json" 2>&1 | grep -E "silhouette|autoencoder |pca |bands |pixels"
}
cd "$root"
run k9 --set train.k=9
run k-chosen --set train.k=0
run k9-indices --set train.k=9 --set "train.indices=ndvi, swir1/swir2, red/blue, swir1/nir"
run k9-mixture --set train.k=9 --set train.clusters=gaussian-mixture
run k6 --set train.k=6
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
read_sets=(--set "read.stack=$data/stars/olinda_dem_utm25s.tif")
run k9-elevation --set train.k=9 --set "train.band_names=blue,green,red,nir,swir1,swir2,elevation"
