#!/usr/bin/env bash
# The main job: build nfx, then run graphs/resize-images.toml on the sample photos into out/resized.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/build.sh
build/release/bin/nfx run graphs/resize-images.toml "$@"
echo "results: $root/out/resized"
