#!/usr/bin/env bash
# The main job: build nfx, then anonymize the sample data: the photos (faces and licence plates painted
# out, no EXIF) into out/anonymized, and the street video into out/anonymized-video; and map the sample
# Landsat-7 scene into classes (out/map-geology); and train a grading model on the Fashion-MNIST sample with
# three rare classes, grade its test folder and score it (out/assess; short budgets here: the graphs'
# defaults train longer).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/build.sh
build/release/bin/nfx run graphs/anonymize-photos.toml
build/release/bin/nfx run graphs/anonymize-video.toml
build/release/bin/nfx run graphs/map-train.toml
build/release/bin/nfx run graphs/map-geology.toml
build/release/bin/nfx run graphs/assess-data.toml
build/release/bin/nfx run graphs/assess-train.toml --set train.gan_minutes=1.5 --set train.minutes=1.5
build/release/bin/nfx run graphs/assess-grade.toml
build/release/bin/nfx run graphs/assess-eval.toml
echo "anonymized photos: $root/out/anonymized (boxes found: out/anonymized/boxes/*.json)"
echo "anonymized video:  $root/out/anonymized-video/video.avi (boxes per frame: out/anonymized-video/boxes.json)"
echo "geological map:    $root/out/map-geology/map.tif (open it in QGIS; map.png is the quick look)"
echo "grading:           $root/out/assess/grades.csv (accept / reject / review per item); scores in out/assess/eval"
