#!/usr/bin/env bash
# The main job: build nfx, then anonymize the sample data: the photos (faces and licence plates painted
# out, no EXIF) into out/anonymized, and the street video into out/anonymized-video; and map the sample
# Landsat-7 scene into classes (out/map-geology).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/build.sh
build/release/bin/nfx run graphs/anonymize-photos.toml
build/release/bin/nfx run graphs/anonymize-video.toml
build/release/bin/nfx run graphs/map-train.toml
build/release/bin/nfx run graphs/map-geology.toml
echo "anonymized photos: $root/out/anonymized (boxes found: out/anonymized/boxes/*.json)"
echo "anonymized video:  $root/out/anonymized-video/video.avi (boxes per frame: out/anonymized-video/boxes.json)"
echo "geological map:    $root/out/map-geology/map.tif (open it in QGIS; map.png is the quick look)"
