#!/usr/bin/env bash
# Frames per second of the privacy pipeline on 2 cores (bench/privacy_throughput.toml: 100 frames of the
# street video, decoded and resized, then detect + hold + scrub), for each detector and each scrub mode at
# 1280 x 720 and 1920 x 1080, against the baseline of decoding and resizing alone in the same run. Prints
# the table of docs/results.md; bench/privacy_eval.sh gives the evaluation. Needs a build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
graph=$root/bench/privacy_throughput.toml
fps() { # fps LABEL ARGS...: one run, prints "LABEL<TAB>frames per second"
  local label=$1
  shift
  local line
  line=$("$nfx" run "$graph" -j 2 "$@" 2>&1 | grep '^done:')
  printf '%s\t%s\n' "$label" "$(sed -E 's/.*\(([0-9.]+) items\/s\).*/\1/' <<<"$line")"
}
none=(--set detect.faces=none --set detect.plates=none)
echo "| size | variant | frames/s | time / baseline |"
echo "|---|---|---|---|"
for size in "1280 720" "1920 1080"; do
  read -r w h <<<"$size"
  dims=(--set "width=$w" --set "height=$h")
  base=$(fps base "${dims[@]}" "${none[@]}" | cut -f2)
  while IFS='|' read -r label args; do
    # shellcheck disable=SC2086
    rate=$(fps "$label" "${dims[@]}" $args | cut -f2)
    python3 -c "print(f'| ${w} x ${h} | ${label} | {$rate:.1f} | {$base / $rate:.1f} |')"
  done <<'VARIANTS'
defaults: HOG faces + HOG plates, inpaint|
faces only: HOG|--set detect.plates=none
faces only: Haar cascade|--set detect.plates=none --set detect.faces=haar
faces only: LBP cascade|--set detect.plates=none --set detect.faces=lbp
faces only: BlazeFace, faces from 24 px|--set detect.plates=none --set detect.faces=blazeface
faces only: BlazeFace, faces from 48 px|--set detect.plates=none --set detect.faces=blazeface --set detect.min_face=48
plates only: HOG|--set detect.faces=none
plates only: stock cascade|--set detect.faces=none --set detect.plates=cascade
defaults, blur|--set scrub.mode=blur
defaults, pixelate|--set scrub.mode=pixelate
defaults, solid|--set scrub.mode=solid
defaults, detection at 960 wide|--set detect.max_width=960
people only: HOG, every frame|--set detect.faces=none --set detect.plates=none --set detect.people=hog --set frames=20
the video graph: defaults + people, detection every 3rd frame|--set detect.people=hog --set detect.people_threshold=0 --set detect.every=3 --set hold.frames=6 --set hold.match_distance=1.5
the video graph at people_upsample 1.2|--set detect.people=hog --set detect.people_threshold=0 --set detect.every=3 --set hold.frames=6 --set hold.match_distance=1.5 --set detect.people_upsample=1.2
VARIANTS
  echo "| ${w} x ${h} | baseline: decode + resize only | ${base} | 1.0 |"
done

