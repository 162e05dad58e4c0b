#!/usr/bin/env bash
# Plate recall and removal of the built-in plate detector on harder synthetic plates (graphs/anonymize-eval.toml,
# 200 plates on 100 street-video frames, no faces): light on dark, seen at an angle, motion-blurred,
# recompressed as JPEG, and all four at once. Prints the table of docs/results.md. Needs a build.
# NFX_PLATE_MODEL=FILE evaluates another plate model (one written by graphs/train-plate-detector.toml).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "| plates | true | found | removed | false plates per image |"
echo "|---|---|---|---|---|"
while IFS='|' read -r label args; do
  # shellcheck disable=SC2086
  "$nfx" run "$root/graphs/anonymize-eval.toml" -j 2 --set "out=$work" --set faces.count=0 $args \
    ${NFX_PLATE_MODEL:+--set detect.plate_model=$NFX_PLATE_MODEL --set detect_again.plate_model=$NFX_PLATE_MODEL} >/dev/null 2>&1
  python3 -c "import json; r=json.load(open('$work/evaluation.json')); c=r['classes']['plate']; \
print(f\"| $label | {c['true_boxes']} | {c['detected']} | {c['removed']} | {c['false_positives'] / r['images']:.2f} |\")"
done <<'VARIANTS'
as in the evaluation (European, dark on light)|
half of them light on dark|--set plates.dark_share=0.5
seen at an angle (corners in by up to 15%)|--set plates.perspective=0.15
motion blur up to 5% of the width|--set plates.motion_blur=0.05
JPEG at quality 30 to 95|--set plates.jpeg_quality=30
all four|--set plates.dark_share=0.5 --set plates.perspective=0.15 --set plates.motion_blur=0.05 --set plates.jpeg_quality=30
VARIANTS
