#!/usr/bin/env bash
# Installs what is missing, fetches the sample data, configures and builds (Release) into build/release.
# Extra arguments go to the CMake configure step.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

bash scripts/bootstrap.sh
bash scripts/fetch-data.sh

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/ccache}
preset=${NFX_PRESET:-release}
cmake --preset "$preset" "$@" >/dev/null
cmake --build --preset "$preset" --parallel "$(nproc)"
