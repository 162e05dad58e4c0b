#!/usr/bin/env bash
# Builds nfx (warnings are errors) and runs the whole test suite with CTest.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bash scripts/build.sh
ctest --preset "${NFX_PRESET:-release}" --parallel "$(nproc)" "$@"
