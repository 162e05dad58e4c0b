#!/usr/bin/env bash
# Installs what is missing, fetches the sample data, configures and builds (Release) into build/release.
# Extra arguments go to the CMake configure step. Prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh

stage "system packages" bash scripts/bootstrap.sh
stage "sample data" bash scripts/fetch-data.sh

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/ccache}
preset=${NFX_PRESET:-release}
stage configure cmake --preset "$preset" "$@" >/dev/null
stage build cmake --build --preset "$preset" --parallel "$(nproc)"
