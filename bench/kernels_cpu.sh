#!/usr/bin/env bash
# Runs bench_kernels_cpu (one process: LibTorch's conv2d and the nfx kernels on the same data, every core)
# and prints the tables of docs/results.md: medians of 3 repetitions, ratios against conv2d.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/release/bin/bench_kernels_cpu}
json=$(mktemp)
trap 'rm -f "$json"' EXIT
"$bin" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true --benchmark_min_time=0.5 \
  --benchmark_format=json > "$json" 2>/dev/null
python3 - "$json" <<'PY'
import json, re, sys
report = json.load(open(sys.argv[1]))
ctx = report["context"]
t = {}
for b in report["benchmarks"]:
    if b.get("aggregate_name") != "median":
        continue
    name, args = re.match(r"(\w+)/B:(\d+)/C:(\d+)/HW:(\d+)/k:(\d+)", b["run_name"]).group(1, 2, 3, 4, 5), None
    t[(name[0],) + tuple(int(x) for x in name[1:])] = b["real_time"]  # microseconds

def row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")

print(f"machine: {ctx['num_cpus']} CPUs at {ctx['mhz_per_cpu']} MHz; LibTorch threads {ctx['torch threads']}, "
      f"oneDNN {ctx['torch mkldnn']}; inverse bitwise identical for 1 and 2 threads: "
      f"{ctx['inverse bitwise identical for 1 and 2 threads']}\n")
print("Triangular k x k (top-left), float32, time per call in ms; ratios against conv2d on the same data:\n")
row("B", "C", "H=W", "k", "conv2d", "forward", "inverse (wavefront)", "forward / conv2d", "inverse / conv2d", "target")
row(*["---"] * 10)
targets = {(16, 16, 64, 3): "<= 1.2", (16, 32, 64, 3): "<= 1.5", (16, 64, 64, 3): "<= 1.5",
           (16, 16, 128, 3): "<= 1.5", (1, 16, 64, 3): "<= 3", (1, 64, 64, 3): "<= 3"}
for shape in sorted({k[1:] for k in t if k[0] == "conv2d_torch"}, key=lambda s: (-s[0], s[2], s[1])):
    conv, fwd, inv = (t[(n,) + shape] for n in ("conv2d_torch", "triangular_forward_cpu", "triangular_inverse_wavefront"))
    row(*shape, f"{conv / 1e3:.3f}", f"{fwd / 1e3:.3f}", f"{inv / 1e3:.3f}", f"{fwd / conv:.2f}", f"**{inv / conv:.2f}**",
        targets.get(shape, ""))

print("\nWavefront against the sequential raster solve (one thread, CInC style):\n")
row("B", "C", "H=W", "k", "raster (ms)", "wavefront (ms)", "speed-up")
row(*["---"] * 7)
for k in sorted(k for k in t if k[0] == "triangular_inverse_raster_cpu"):
    r, w = t[k], t[("triangular_inverse_wavefront",) + k[1:]]
    row(*k[1:], f"{r / 1e3:.2f}", f"{w / 1e3:.3f}", f"{r / w:.1f}x")

print("\nInverse time as the image grows (B = 16, C = 16, k = 3): it should grow like the pixel count:\n")
row("H=W", "inverse (ms)", "per 1000 pixels (ms)", "relative to 64x64 per pixel")
row(*["---"] * 4)
base = t[("triangular_inverse_wavefront", 16, 16, 64, 3)] / 64 ** 2
for hw in (16, 32, 64, 128):
    v = t[("triangular_inverse_wavefront", 16, 16, hw, 3)]
    row(hw, f"{v / 1e3:.3f}", f"{v / hw ** 2:.3f}", f"{v / hw ** 2 / base:.2f}")

print("\nPeriodic (FFTW3) and the backward pass of the inverse:\n")
row("B", "C", "H=W", "k", "periodic forward (ms)", "periodic inverse (ms)", "inverse / forward",
    "inverse backward (ms)", "backward / inverse")
row(*["---"] * 9)
for k in sorted(k for k in t if k[0] == "periodic_forward_cpu"):
    f, i = t[k], t[("periodic_inverse_cpu",) + k[1:]]
    bwd, inv = t[("triangular_inverse_backward_cpu",) + k[1:]], t[("triangular_inverse_wavefront",) + k[1:]]
    row(*k[1:], f"{f / 1e3:.2f}", f"{i / 1e3:.2f}", f"{i / f:.2f}", f"{bwd / 1e3:.2f}", f"{bwd / inv:.2f}")
PY
