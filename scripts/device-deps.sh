#!/usr/bin/env bash
# Fetches the Debian packages a kernels-only build needs (FFTW3, GoogleTest, Google Benchmark) and unpacks
# them into .deps/ without installing, for a GPU machine that cannot fetch anything: carry .deps there and
# run bench/device.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libfftw3-dev libfftw3-single3 libfftw3-double3 libfftw3-long3 libfftw3-quad3 libfftw3-bin
          libgtest-dev libgmock-dev libbenchmark-dev libbenchmark1debian)
debs=${NFX_CACHE:-$HOME/.cache/nfx}/debs
mkdir -p "$debs" .deps
(cd "$debs" && apt-get download "${packages[@]}" >/dev/null)
for p in "${packages[@]}"; do dpkg -x "$(ls "$debs"/"${p}"_*.deb | head -1)" .deps; done
echo "unpacked ${#packages[@]} packages into .deps ($(du -sh .deps | cut -f1))"
