#!/usr/bin/env bash
# The SDK, host and io tests under AddressSanitizer + UndefinedBehaviorSanitizer (the asan preset), built
# without LibTorch so it adds a minute or two, not a second full build. Any memory error, leak or undefined
# behaviour fails. Run by scripts/test.sh after the main suite; prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/ccache}
stage "sanitizer configure" cmake --preset asan -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DNFX_BUILD_BENCH=OFF \
  -DNFX_WARNINGS_AS_ERRORS=ON >/dev/null
stage "sanitizer build" cmake --build build/asan --parallel "$(nproc)" --target sdk_tests host_tests io_tests

export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
sanitized_tests() {
  for suite in sdk_tests host_tests io_tests; do build/asan/bin/$suite --gtest_brief=1; done
}
stage "sanitizer tests" sanitized_tests
