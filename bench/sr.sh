#!/usr/bin/env bash
# The super-resolution tables of docs/results.md, every upscaler in its own process (so peak memory is its
# own), on the held-out images (Set5's butterfly and scikit-image's astronaut, coffee and chelsea):
#   1. x4 and x2 on clean inputs shrunk by MATLAB's bicubic imresize: Y-PSNR / Y-SSIM, speed, memory;
#   2. x4 on inputs that also carry noise and JPEG artefacts: BRISQUE (no reference exists);
#   3. how far each model sees (its receptive radius, which sets the default tile overlap) and how much the
#      tiled output differs from the whole image's with the defaults;
#   4. the Real-ESRGAN port against upscayl's own upscayl-bin on one input, where Mesa's CPU Vulkan
#      driver (lavapipe, package mesa-vulkan-drivers) lets it run.
# Needs a build (bash scripts/build.sh) and the fetched models (scripts/fetch-data.sh).
#
#   bash bench/sr.sh [MODEL...]     (default: every model)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
bench="$root/build/release/bin/bench_sr"
images=("$data/sr/eval/butterfly.png" "$data/sr/eval/astronaut.png" "$data/sr/eval/coffee.png" "$data/sr/eval/chelsea.png")
models=("$@")
[[ ${#models[@]} -gt 0 ]] || models=(bicubic esrgan-slim esrgan-medium esrgan-thick realesrgan-x4fast realesrgan-x4plus affine-stablesr)

echo "| model | scale | parameters | Y-PSNR (dB) | Y-SSIM | RGB PSNR (dB) | ms per output MP | peak memory (MiB) |"
echo "|---|---|---|---|---|---|---|---|"
for scale in 4 2; do
  for model in "${models[@]}"; do
    [[ $scale == 2 && $model == realesrgan-* ]] && continue  # Real-ESRGAN comes at x4 only
    "$bench" "$model" "$scale" "${images[@]}" 2>&1 | grep -E '^\||bench_sr:' || true
  done
done

echo
echo "| model | scale | BRISQUE on noisy JPEG inputs (lower is better) |"
echo "|---|---|---|"
for model in "${models[@]}"; do
  "$bench" "$model" 4 --real "${images[@]}" 2>&1 | grep -E '^\||bench_sr:' || true
done

echo
echo "| model | scale | receptive radius (input pixels; difference < 1e-4) | default overlap | largest tiled - whole difference |"
echo "|---|---|---|---|---|"
for scale in 4 2; do
  for model in "${models[@]}"; do
    [[ $scale == 2 && $model == realesrgan-* ]] && continue
    "$bench" --receptive "$model" "$scale" "${images[0]}" 2>&1 | grep -E '^\||bench_sr:' || true
  done
done

# upscayl-bin runs Real-ESRGAN with ncnn on Vulkan; lavapipe is slow, so only x4fast, on one shrunk image.
upscayl="$data/sr/upscayl"
if [[ -e /usr/share/vulkan/icd.d/lvp_icd.x86_64.json ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  chmod +x "$upscayl/bin/upscayl-bin"
  "$bench" --shrink "${images[0]}" 4 "$work/low.png"
  "$upscayl/bin/upscayl-bin" -i "$work/low.png" -o "$work/upscayl.png" -m "$upscayl/models" -n realesrgan-x4fast -g 0 -t 64 >/dev/null 2>&1
  "$root/build/release/bin/nfx" run "$root/graphs/sr-upscale.toml" --set images="$work/low.png" --set out="$work/nfx" \
    --set up.model=realesrgan-x4fast >/dev/null 2>&1
  echo
  echo "realesrgan-x4fast, nfx's port against upscayl-bin on lavapipe: $("$bench" --compare "$work/nfx/low.png" "$work/upscayl.png")"
else
  echo "upscayl-bin needs a Vulkan driver: apt-get install mesa-vulkan-drivers (lavapipe runs on the CPU)"
fi
