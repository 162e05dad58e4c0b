#!/usr/bin/env bash
# Runs bench_kernels_cpu (one process: LibTorch's conv2d and the nfx kernels on the same data, every core)
# once per CPU kernel variant this machine supports, forced with NFX_CPU, with oneDNN capped at the same
# instruction set (ONEDNN_MAX_CPU_ISA; SSE4.1, oneDNN's lowest, for the baseline), and prints the tables of
# docs/results.md: medians of 3 repetitions, run in random order so that a drift of the machine's speed
# touches conv2d and the kernels alike; ratios against conv2d. VARIANTS="avx2 ..." picks variants.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=${1:-$root/build/release/bin/bench_kernels_cpu}
flags=$(grep -m1 '^flags' /proc/cpuinfo || true)
has() { for f in "$@"; do [[ " $flags " == *" $f "* ]] || return 1; done; }
if [[ -z ${VARIANTS:-} ]]; then
  VARIANTS=baseline
  if has avx2 fma; then VARIANTS+=" avx2"; fi
  if has avx512f avx512bw avx512dq avx512vl; then VARIANTS+=" avx512"; fi
fi
declare -A onednn_isa=([baseline]=SSE41 [avx2]=AVX2 [avx512]=AVX512_CORE)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for v in $VARIANTS; do
  echo "running the $v variant (oneDNN capped at ${onednn_isa[$v]})..." >&2
  NFX_CPU=$v ONEDNN_MAX_CPU_ISA=${onednn_isa[$v]} "$bin" --benchmark_repetitions=3 \
    --benchmark_report_aggregates_only=true --benchmark_enable_random_interleaving=true --benchmark_min_time=0.5 \
    --benchmark_format=json > "$dir/$v.json" 2>/dev/null
done
model=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)
simd=$(for f in sse4_2 avx avx2 fma avx512f avx512bw avx512dq avx512vl avx512_vnni; do if has $f; then printf '%s ' $f; fi; done)
python3 - "$model" "$simd" $(for v in $VARIANTS; do echo "$dir/$v.json"; done) <<'PY'
import json, os, re, sys
model, simd, files = sys.argv[1], sys.argv[2], sys.argv[3:]

def row(*cells):
    print("| " + " | ".join(str(c) for c in cells) + " |")

def load(path):
    report = json.load(open(path))
    t = {}
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        m = re.match(r"(\w+)/B:(\d+)/C:(\d+)/HW:(\d+)/k:(\d+)", b["run_name"])
        t[(m.group(1),) + tuple(int(x) for x in m.group(2, 3, 4, 5))] = b["real_time"]  # microseconds
    return report["context"], t

runs = {os.path.basename(f)[:-5]: load(f) for f in files}
ctx = next(iter(runs.values()))[0]
print(f"machine: {model}, {ctx['num_cpus']} CPUs at {ctx['mhz_per_cpu']} MHz; SIMD flags: {simd.strip()}; "
      f"LibTorch threads {ctx['torch threads']}, oneDNN {ctx['torch mkldnn']}")
targets = {(16, 16, 64, 3): 1.2, (16, 32, 64, 3): 1.5, (16, 64, 64, 3): 1.5, (16, 16, 128, 3): 1.5, (1, 16, 64, 3): 3,
           (1, 64, 64, 3): 3}
main_shapes = lambda t: sorted({k[1:] for k in t if k[0] == "conv2d_torch"}, key=lambda s: (-s[0], s[2], s[1]))

for variant, (c, t) in runs.items():
    print(f"\n### {variant} (NFX_CPU={variant}: {c['nfx cpu variant']}; inverse bitwise identical for 1 and 2 "
          f"threads: {c['inverse bitwise identical for 1 and 2 threads']})\n")
    print("Triangular k x k (top-left), float32, time per call in ms; ratios against conv2d on the same data:\n")
    row("B", "C", "H=W", "k", "conv2d", "forward", "inverse (wavefront)", "forward / conv2d", "inverse / conv2d", "target")
    row(*["---"] * 10)
    for shape in main_shapes(t):
        conv, fwd, inv = (t[(n,) + shape] for n in ("conv2d_torch", "triangular_forward_cpu", "triangular_inverse_wavefront"))
        target = "<= 2" if variant == "baseline" and shape in targets else (f"<= {targets[shape]}" if shape in targets else "")
        row(*shape, f"{conv / 1e3:.3f}", f"{fwd / 1e3:.3f}", f"{inv / 1e3:.3f}", f"{fwd / conv:.2f}", f"**{inv / conv:.2f}**", target)

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

print("\n### The variants side by side (ratios from each variant's own run)\n")
row("measure", "shape (B, C, H=W, k)", "target", *runs.keys())
row(*["---"] * (3 + len(runs)))
for shape in main_shapes(next(iter(runs.values()))[1]):
    if shape in targets:
        cells = [f"{t[('triangular_inverse_wavefront',) + shape] / t[('conv2d_torch',) + shape]:.2f}" for _, t in runs.values()]
        row("inverse / conv2d", shape, f"<= {targets[shape]} (baseline <= 2)", *cells)
for name, num, den, target in (("inverse backward / inverse", "triangular_inverse_backward_cpu", "triangular_inverse_wavefront", "<= 3"),
                               ("periodic inverse / forward", "periodic_inverse_cpu", "periodic_forward_cpu", "<= 1.5")):
    for shape in sorted(k[1:] for k in next(iter(runs.values()))[1] if k[0] == num):
        row(name, shape, target, *[f"{t[(num,) + shape] / t[(den,) + shape]:.2f}" for _, t in runs.values()])
PY
