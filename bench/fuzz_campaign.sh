#!/usr/bin/env bash
# An open-ended fuzzing campaign: each target runs for MINUTES (default 10) from the committed corpus, and
# what it finds that adds coverage is merged into fuzz/corpus/<target> (commit it; CI replays it).
#   bash bench/fuzz_campaign.sh [MINUTES]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
minutes=${1:-10}
cmake --preset fuzz >/dev/null
cmake --build build/fuzz --parallel "$(nproc)" --target fuzz_graph fuzz_descriptor fuzz_exif fuzz_ncnn fuzz_tfjs
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
for t in graph descriptor exif ncnn tfjs; do
  found=$(mktemp -d)
  build/fuzz/bin/fuzz_$t -max_total_time=$((minutes * 60)) -max_len=4096 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/crash_${t}_" "$found" "fuzz/corpus/$t"
  build/fuzz/bin/fuzz_$t -merge=1 "fuzz/corpus/$t" "$found"
  rm -rf "$found"
done
