#!/usr/bin/env bash
# On a GPU machine, in one go: builds only kernels/ (CPU and CUDA back ends) with its tests and
# benchmarks, runs the CPU and CUDA kernel tests, then the CUDA benchmark. Logs and JSON go to $OUT (the
# device tool's output folder) or out/device. Prepare with scripts/device-deps.sh where packages can be
# fetched and carry .deps; where FFTW3, GoogleTest and Google Benchmark are installed, .deps is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-out/device}
mkdir -p "$out"
prefix=()
if [[ -d .deps/usr ]]; then
  prefix=(-DCMAKE_PREFIX_PATH="$PWD/.deps/usr")
  export LD_LIBRARY_PATH="$PWD/.deps/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv > "$out/gpu.csv" 2>&1 || true
cmake -S . -B build/device -G Ninja -DCMAKE_BUILD_TYPE=Release -DNFX_KERNELS_ONLY=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON "${prefix[@]}" > "$out/configure.log"
cmake --build build/device --parallel 2>&1 | tail -3
status=0
build/device/bin/kernel_tests --gtest_brief=1 2>&1 | tee "$out/kernel_tests.log" | tail -3 || status=1
# The AVX-512 variant of the CPU kernels, which the project's own machines (AVX2) cannot run.
if grep -q avx512bw /proc/cpuinfo; then
  NFX_CPU=avx512 build/device/bin/kernel_tests --gtest_brief=1 --gtest_filter='*/avx512' 2>&1 |
    tee "$out/kernel_tests_avx512.log" | tail -3 || status=1
else
  echo "this CPU has no AVX-512: the avx512 variant is not tested here" | tee "$out/kernel_tests_avx512.log"
fi
grep -m1 '^model name' /proc/cpuinfo > "$out/cpu.txt" || true
build/device/bin/cuda_kernel_tests 2>&1 | tee "$out/cuda_kernel_tests.log" | tail -15 || status=1
build/device/bin/bench_kernels_cuda --benchmark_min_time=0.2s --benchmark_out="$out/bench_kernels_cuda.json" \
  --benchmark_out_format=json 2>&1 | tee "$out/bench_kernels_cuda.log" || status=1
exit $status
