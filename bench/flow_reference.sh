#!/usr/bin/env bash
# The reference flow in nfx (C++) and in Python over the same LibTorch, one after the other, 2 threads,
# each measured 3 times (median); prints the table of docs/results.md. Needs a build (bash scripts/build.sh)
# and Debian's python3-torch (apt-get install python3-torch), the same LibTorch 1.13 as nfx's.
set -euo pipefail
if ! /usr/bin/python3 -c "import torch" 2>/dev/null; then
  echo "bench/flow_reference.sh: Python's torch is missing: apt-get install python3-torch" >&2
  exit 1
fi
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/build/release/bin/bench_flow_reference
digits=${NFX_DATA:-${NFX_CACHE:-$HOME/.cache/nfx}/data}/digits.png
runs=$(mktemp)
trap 'rm -f "$runs"' EXIT
for i in 1 2 3; do
  "$bin" "$digits" 2 40 >> "$runs"
  /usr/bin/python3 "$root/bench/flow_reference.py" "$digits" 2 40 >> "$runs"
done
python3 - "$runs" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
def median(impl, key):
    return statistics.median(r[key] for r in rows if r["implementation"] == impl)
print("| measure | nfx (C++) | Python, same LibTorch | Python / nfx |")
print("|---|---|---|---|")
params = {r["implementation"]: r["parameters"] for r in rows}
print(f"| parameters | {params['nfx']:,} | {params['python']:,} | |")
for key, label in (("train_step_ms", "training step, batch 64 (ms)"), ("sample64_ms", "sampling 64 images (ms)"),
                   ("peak_rss_mib", "peak resident memory (MiB)")):
    n, p = median("nfx", key), median("python", key)
    print(f"| {label} | {n:.1f} | {p:.1f} | {p / n:.2f} |")
PY
