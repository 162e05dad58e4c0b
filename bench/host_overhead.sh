#!/usr/bin/env bash
# Runs bench_host_overhead and prints the per-node cost: (t(2000) - t(1)) / 1999 per item, one process.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/release/bin/bench_host_overhead}
json=$("$bin" --benchmark_format=json --benchmark_repetitions=5 --benchmark_report_aggregates_only=true 2>/dev/null)
python3 - "$json" <<'PY'
import json, sys
runs = {b["run_name"]: b for b in json.loads(sys.argv[1])["benchmarks"] if b.get("aggregate_name") == "median"}
items = 50
t1 = runs["BM_IdentityChain/1/min_time:1.000"]["real_time"] * 1e3 / items       # us per item, chain of 1
t2000 = runs["BM_IdentityChain/2000/min_time:1.000"]["real_time"] * 1e3 / items  # us per item, chain of 2000
print(f"chain of 1:    {t1:10.2f} us per item")
print(f"chain of 2000: {t2000:10.2f} us per item")
print(f"per node:      {(t2000 - t1) / 1999:10.3f} us  (target < 2 us)")
PY
