#!/usr/bin/env bash
# Checks that every #include keeps to its tier (scripts/check_layers.py, docs/architecture.md), builds nfx
# (warnings are errors) and runs the whole test suite with CTest, then the SDK, host, io, model-file and
# mapper tests under the sanitizers (scripts/sanitizers.sh) and a replay of the fuzzers' corpus (scripts/fuzz.sh). Prints the
# time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh
bash scripts/build.sh
stage layers python3 scripts/check_layers.py
stage tests ctest --preset "${NFX_PRESET:-release}" --parallel "$(nproc)" "$@"
bash scripts/sanitizers.sh
bash scripts/fuzz.sh
