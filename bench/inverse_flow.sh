#!/usr/bin/env bash
# Inverse-Flow vs standard direction on stacks of [ActNorm, FInC 3x3] where the k x k layers are the whole
# model, each configuration in its own processes; prints the table of docs/results.md. Needs a build
# (bash scripts/build.sh).
#
# Times come from a run with the default allocator. Memory comes from a second run in which glibc maps
# every allocation above 64 KiB on its own and unmaps it when freed, so the peak resident memory is the
# peak of live tensors, not what the allocator happens to keep (that run is slower, so it gives no times).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release/bin/bench_inverse_flow
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
# channels size batch depth
for shape in "16 64 16 8" "32 64 8 8" "16 128 4 8"; do
  for direction in standard inverse; do
    # shellcheck disable=SC2086
    "$bin" "$direction" $shape 2 >> "$runs"
    # shellcheck disable=SC2086
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=65536 "$bin" "$direction" $shape 2 >> "$runs"
  done
done
python3 - "$runs" <<'PY'
import json, sys
runs = [json.loads(line) for line in open(sys.argv[1])]
rows = []  # times from the first run of each pair, memory from the second
for timed, measured in zip(runs[0::2], runs[1::2]):
    rows.append(dict(timed, rss_before_mib=measured["rss_before_mib"], peak_rss_mib=measured["peak_rss_mib"]))
print("| B x C x H x W, depth | direction | training step (ms) | sampling (ms) | training memory (MiB) | inverse / standard: step, sampling, memory |")
print("|---|---|---|---|---|---|")
for std, inv in zip(rows[0::2], rows[1::2]):
    for r in (std, inv):
        mem = r["peak_rss_mib"] - r["rss_before_mib"]
        ratio = ""
        if r is inv:
            smem = std["peak_rss_mib"] - std["rss_before_mib"]
            ratio = f"{inv['train_step_ms'] / std['train_step_ms']:.2f}, {inv['sample_ms'] / std['sample_ms']:.2f}, {mem / smem:.2f}"
        print(f"| {r['batch']} x {r['channels']} x {r['size']} x {r['size']}, {r['depth']} | {r['direction']} | "
              f"{r['train_step_ms']:.1f} | {r['sample_ms']:.1f} | {mem:.0f} | {ratio} |")
PY
