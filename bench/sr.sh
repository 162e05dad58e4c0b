#!/usr/bin/env bash
# The super-resolution table of docs/results.md: every upscaler in its own process, at x4 and x2, on the
# held-out images (Set5's butterfly and scikit-image's astronaut, coffee and chelsea), shrunk by MATLAB's
# bicubic imresize. Needs a build (bash scripts/build.sh) and the fetched models (scripts/fetch-data.sh).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
images=("$data/images/butterfly.png" "$data/images/astronaut.png" "$data/images/coffee.png" "$data/images/chelsea.png")
echo "| model | scale | parameters | Y-PSNR (dB) | Y-SSIM | RGB PSNR (dB) | ms per output MP | peak memory (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
for scale in 4 2; do
  for model in bicubic esrgan-slim esrgan-medium esrgan-thick; do
    "$root/build/release/bin/bench_sr" "$model" "$scale" "${images[@]}" | grep '^|'
  done
done
