#!/usr/bin/env bash
# Builds nfx (warnings are errors) and runs the whole test suite with CTest, then the SDK, host and io tests
# under the sanitizers (scripts/sanitizers.sh) and a replay of the fuzzers' corpus (scripts/fuzz.sh). Prints the
# time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh
bash scripts/build.sh
stage tests ctest --preset "${NFX_PRESET:-release}" --parallel "$(nproc)" "$@"
bash scripts/sanitizers.sh
bash scripts/fuzz.sh
