#!/usr/bin/env bash
# Faces in photos (issue 16): removal success on the 51 hand-labelled faces of graphs/data/faces.json (the
# evaluation photos and the film frames, graphs/anonymize-eval-photos.toml and
# graphs/anonymize-eval-faces-video.toml, summed), for each face detector setting, and the seconds per
# 1920 x 1280 photo of the photos graph with that setting (the evaluation photos enlarged to that size,
# detect + scrub + write). Prints the table of docs/results.md. Needs a build and the sample data.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
nfx=$root/build/release/bin/nfx
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The timing set: the nine evaluation photos resized to 1920 x 1280 (nfx's own io.resize).
cat > "$work/resize.toml" <<TOML
[nodes.read]
type = "io.read_images"
path = "$data/faces-eval"
[nodes.resize]
type = "io.resize"
in.image = "read.image"
width = 1920
height = 1280
[nodes.write]
type = "io.write_images"
in.image = "resize.image"
dir = "$work/large"
ext = "png"
TOML
"$nfx" run "$work/resize.toml" >/dev/null 2>&1

# scores GRAPH ARGS...: true boxes and removed faces, from the graph's report
scores() {
  local graph=$1
  shift
  "$nfx" run "$graph" -j 2 --set "out=$work/eval" "$@" >/dev/null 2>&1
  python3 -c "import json; c=json.load(open('$work/eval/evaluation.json'))['classes']['face']; \
f=json.load(open('$work/eval/evaluation.json'))['images']; print(c['true_boxes'], c['removed'], c['false_positives'], f)"
}
echo "| faces | removed (photos) | removed (film frames) | removed (all) | false faces per image | s per 1920 x 1280 photo |"
echo "|---|---|---|---|---|---|"
while IFS='|' read -r label args; do
  # The evaluation re-detects on the scrubbed image with the same face detector.
  again=${args//detect./detect_again.}
  # shellcheck disable=SC2086
  read -r pt pr pf pn <<<"$(scores graphs/anonymize-eval-photos.toml $args $again)"
  # shellcheck disable=SC2086
  read -r vt vr vf vn <<<"$(scores graphs/anonymize-eval-faces-video.toml $args $again)"
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$nfx" run graphs/anonymize-photos.toml -j 2 --set "photos=$work/large" --set "out=$work/anon" $args >/dev/null 2>&1
  seconds=$(python3 -c "print(f'{($(date +%s.%N) - $start) / 9:.2f}')")
  python3 -c "print(f'| $label | $pr / $pt | $vr / $vt | {100 * ($pr + $vr) / ($pt + $vt):.1f}% | {($pf + $vf) / ($pn + $vn):.2f} | $seconds |')"
done <<'VARIANTS'
hog, faces from 40 px (the photos graph before)|--set detect.faces=hog --set detect.face_upsample=1 --set detect.face_threshold=-0.6 --set detect.face_margin=1.6
blazeface, faces from 24 px|--set detect.min_face=24
blazeface, faces from 32 px (the photos graph)|
blazeface, faces from 48 px|--set detect.min_face=48
blazeface from 32 px, mirrored too|--set detect.face_flip=true
blazeface+hog|--set detect.faces=blazeface+hog
VARIANTS
