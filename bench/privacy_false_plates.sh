#!/usr/bin/env bash
# False licence plates on photos without vehicles (docs/privacy.md, "False plates"): the plate detector
# alone on the scoring set, with and without the plate check, as plate boxes per image. Every box counts
# as false: none of these photos shows a vehicle. Needs a build and the sample data.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
nfx=$root/build/release/bin/nfx
data=${NFX_DATA:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/data}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The scoring set: the sample photos without vehicles that the plate check was not tuned on (it was set on
# baboon.jpg, starry_night.jpg and fruits.jpg, and on synthetic plates).
mkdir -p "$work/set"
for f in "$data"/sr/train/* "$data"/images/* "$data"/photos/*; do
  name=$(basename "$f")
  case $name in baboon.jpg|starry_night.jpg|fruits.jpg|motorcycle_left.png|licenseplate_motion.jpg) continue ;; esac
  cp -n "$f" "$work/set/$name"
done
cat > "$work/plates.toml" <<TOML
[nodes.read]
type = "io.read_images"
path = "$work/set"
[nodes.detect]
type = "privacy.detect"
in.image = "read.image"
faces = "none"
margin = 1.0
[nodes.audit]
type = "privacy.sidecar"
in.boxes = "detect.boxes"
path = "$work/boxes.json"
TOML
echo "| plate check | images | false plate boxes | per image |"
echo "|---|---|---|---|"
for check in false true; do
  # shellcheck disable=SC2086
  "$nfx" run "$work/plates.toml" --set detect.plate_check=$check ${NFX_PLATE_MODEL:+--set detect.plate_model=$NFX_PLATE_MODEL} -q 2>/dev/null
  python3 - "$work/boxes.json" "$check" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))['items']
boxes = sum(len(i['boxes']) for i in items)
print(f"| {sys.argv[2]} | {len(items)} | {boxes} | {boxes / len(items):.2f} |")
PY
done
ls "$work/set" | tr '\n' ' ' | fold -s -w 100 | sed 's/^/# /'
