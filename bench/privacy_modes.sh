#!/usr/bin/env bash
# docs/images/privacy-modes.png: each scrub mode on three of the evaluation photos (grace_hopper.jpg,
# camera.png, basketball1.png) with the photos graph's detection: original, smooth, inpaint, blur,
# pixelate, solid. Needs a build, the sample data and ffmpeg (scripts/bootstrap.sh installs it).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
modes=(smooth inpaint blur pixelate solid)
for mode in "${modes[@]}"; do
  "$nfx" run "$root/graphs/anonymize-photos.toml" --set "photos=$data/faces-eval" --set "out=$work/$mode" \
    --set "scrub.mode=$mode" >/dev/null 2>&1
done
# photo and the square shown of it (ffmpeg crop=w:h:x:y)
rows=("grace_hopper.jpg 360:360:80:40" "camera.png 240:240:110:20" "basketball1.png 200:200:0:40")
stack=()
for row in "${rows[@]}"; do
  read -r photo crop <<<"$row"
  inputs=(-i "$data/faces-eval/$photo")
  for mode in "${modes[@]}"; do inputs+=(-i "$work/$mode/$photo"); done
  filters=""
  for i in 0 1 2 3 4 5; do filters+="[$i]crop=$crop,scale=180:180[t$i];"; done
  ffmpeg -loglevel error -y "${inputs[@]}" -filter_complex "${filters}[t0][t1][t2][t3][t4][t5]hstack=inputs=6" \
    "$work/row_$photo.png"
  stack+=(-i "$work/row_$photo.png")
done
ffmpeg -loglevel error -y "${stack[@]}" \
  -filter_complex "vstack=inputs=3,split[a][b];[a]palettegen=max_colors=256[p];[b][p]paletteuse=dither=none" \
  "$root/docs/images/privacy-modes.png"
echo "written: docs/images/privacy-modes.png"
