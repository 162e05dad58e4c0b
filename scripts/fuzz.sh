#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang, ASan + UBSan, no LibTorch) and replays their
# committed corpus (fuzz/corpus/<target>) plus a fixed number of mutations from a fixed seed, so a run is
# deterministic: a chance find never fails an unrelated submission. Open-ended campaigns that grow the
# corpus: bench/fuzz_campaign.sh. Run by scripts/test.sh; prints the time of each stage.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
source scripts/stage.sh

export CCACHE_BASEDIR="$root"
export CCACHE_DIR=${CCACHE_DIR:-${NFX_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/nfx}/ccache}
targets=(graph descriptor exif ncnn tfjs)
stage "fuzz configure" cmake --preset fuzz >/dev/null
stage "fuzz build" cmake --build build/fuzz --parallel "$(nproc)" --target "${targets[@]/#/fuzz_}"

export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
replay() {
  local scratch status=0
  scratch=$(mktemp -d)
  for t in "${targets[@]}"; do
    # New inputs go to the scratch folder (the first one named), never into the committed corpus.
    mkdir -p "$scratch/$t"
    if build/fuzz/bin/fuzz_$t -seed=1 -runs="${NFX_FUZZ_RUNS:-10000}" -max_len=4096 -print_final_stats=1 \
        -artifact_prefix="$scratch/" "$scratch/$t" "fuzz/corpus/$t" >"$scratch/$t.log" 2>&1; then
      echo "fuzz_$t: $(grep -h '^stat::number_of_executed_units' "$scratch/$t.log") from $(ls "fuzz/corpus/$t" | wc -l) corpus inputs"
    else
      grep -A30 "ERROR" "$scratch/$t.log" >&2 || tail -30 "$scratch/$t.log" >&2
      echo "nfx: fuzz_$t failed (above)" >&2
      status=1
    fi
  done
  rm -rf "$scratch"
  return $status
}
stage "fuzz replay" replay
