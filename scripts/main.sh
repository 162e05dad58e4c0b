#!/usr/bin/env bash
# The main job: build nfx, then anonymize the sample data: the photos (faces and licence plates painted
# out, no EXIF) into out/anonymized, and the street video into out/anonymized-video.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/build.sh
build/release/bin/nfx run graphs/anonymize-photos.toml
build/release/bin/nfx run graphs/anonymize-video.toml
echo "anonymized photos: $root/out/anonymized (boxes found: out/anonymized/boxes/*.json)"
echo "anonymized video:  $root/out/anonymized-video/video.avi (boxes per frame: out/anonymized-video/boxes.json)"
