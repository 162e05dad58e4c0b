#!/usr/bin/env bash
# The SDK, host, io, model-file and mapper tests under AddressSanitizer + UndefinedBehaviorSanitizer (the
# asan preset), built without LibTorch so it adds a minute or two, not a second full build. Any memory
# error, leak or undefined behaviour fails. Run by scripts/test.sh after the main suite; prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/ccache}
stage "sanitizer configure" cmake --preset asan -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DNFX_BUILD_BENCH=OFF \
  -DNFX_WARNINGS_AS_ERRORS=ON >/dev/null
stage "sanitizer build" cmake --build build/asan --parallel "$(nproc)" --target sdk_tests host_tests io_tests model_files_tests mapper_tests assess_tests

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
# LeakSanitizer's stop-the-world tracer now and then segfaults at exit after every test passed ("Tracer
# caught signal 11", google/sanitizers#1353): a crash of the sanitizer runtime, not a finding. Such a run is
# repeated once; a leak report, a test failure or a second tracer crash still fails.
run_suite() {
  local suite=$1 log
  log=$(mktemp)
  if build/asan/bin/$suite --gtest_brief=1 >"$log" 2>&1; then cat "$log"; rm -f "$log"; return 0; fi
  cat "$log"
  if grep -q "^Tracer caught signal" "$log" && ! grep -q "ERROR: LeakSanitizer: detected\|\[  FAILED  \]" "$log"; then
    rm -f "$log"
    echo "nfx: $suite: LeakSanitizer's tracer crashed at exit (not a leak report); running it once more" >&2
    build/asan/bin/$suite --gtest_brief=1
    return
  fi
  rm -f "$log"
  return 1
}
sanitized_tests() {
  for suite in sdk_tests host_tests io_tests model_files_tests mapper_tests assess_tests; do run_suite "$suite"; done
}
stage "sanitizer tests" sanitized_tests
