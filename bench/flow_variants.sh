#!/usr/bin/env bash
# Training-step time, sampling time and peak resident memory of flow variants on the digits, each in its
# own process (2 threads, batch 64, 40 timed steps): the reference model, quad coupling at about the
# same parameter count, and k x k (FInC) and periodic mixing in the standard and the Inverse-Flow direction.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release/bin/bench_flow_reference
digits=${NFX_DATA:-${NFX_CACHE:-$HOME/.cache/nfx}/data}/digits.png
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
variants=(
  "invconv1x1 affine standard 64"
  "invconv1x1 quad standard 35"
  "invconv1x1+finc3 affine standard 64"
  "invconv1x1+finc3 affine inverse 64"
  "finc3 affine standard 64"
  "finc3 affine inverse 64"
  "periodic3 affine standard 64"
  "periodic3 affine inverse 64"
)
for v in "${variants[@]}"; do
  # shellcheck disable=SC2086
  "$bin" "$digits" 2 40 $v >> "$runs"
done
python3 - "$runs" <<'PY'
import json, sys
print("| mixing | coupling | direction | hidden | parameters | training step (ms) | sampling 64 (ms) | peak RSS (MiB) |")
print("|---|---|---|---|---|---|---|---|")
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(f"| {r['mixing']} | {r['coupling']} | {r['direction']} | {r['hidden']} | {r['parameters']:,} | "
          f"{r['train_step_ms']:.1f} | {r['sample64_ms']:.1f} | {r['peak_rss_mib']:.0f} |")
PY
