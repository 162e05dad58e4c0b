// The CUDA kernels on one GPU: the wavefront inverse against the FInC launch scheme (one launch per
// diagonal and per channel) and against the project's own forward convolution (the same multiply-adds
// without dependencies); the periodic inverse against the periodic forward. Every call synchronizes, so
// real time is GPU time plus the per-call host work both sides share.
#include <nfx/kernels/cuda.hpp>

#include <benchmark/benchmark.h>
#include <cuda_runtime.h>

#include <random>
#include <vector>

using namespace nfx::kernels;

namespace {

struct DeviceArrays {
  DeviceArrays(int64_t b, int64_t c, int64_t hw, int64_t k) : b(b), c(c), hw(hw), k(k) {
    std::mt19937_64 rng(1);
    std::uniform_real_distribution<float> tap(-1.0f, 1.0f), diag(1.0f, 1.5f);
    std::normal_distribution<float> normal;
    std::vector<float> kernel(static_cast<size_t>(c * c * k * k)), x(static_cast<size_t>(b * c * hw * hw));
    for (float& v : kernel) v = tap(rng) * 0.5f / static_cast<float>(c * k * k);
    for (int64_t o = 0; o < c; ++o) {  // Kc lower-triangular, as the per-channel scheme needs
      for (int64_t i = o + 1; i < c; ++i) kernel[((o * c + i) * k + k - 1) * k + k - 1] = 0.0f;
      kernel[((o * c + o) * k + k - 1) * k + k - 1] = diag(rng);
    }
    for (float& v : x) v = normal(rng);
    cudaMalloc(reinterpret_cast<void**>(&kernel_d), kernel.size() * sizeof(float));
    cudaMalloc(reinterpret_cast<void**>(&x_d), x.size() * sizeof(float));
    cudaMalloc(reinterpret_cast<void**>(&y_d), x.size() * sizeof(float));
    cudaMemcpy(kernel_d, kernel.data(), kernel.size() * sizeof(float), cudaMemcpyHostToDevice);
    cudaMemcpy(x_d, x.data(), x.size() * sizeof(float), cudaMemcpyHostToDevice);
  }
  ~DeviceArrays() {
    cudaFree(kernel_d);
    cudaFree(x_d);
    cudaFree(y_d);
  }
  View4<const float> kernel() const { return {kernel_d, c, c, k, k}; }
  View4<const float> in() const { return {x_d, b, c, hw, hw}; }
  View4<float> out() const { return {y_d, b, c, hw, hw}; }
  int64_t b, c, hw, k;
  float *kernel_d = nullptr, *x_d = nullptr, *y_d = nullptr;
};

template <typename F>
void run(benchmark::State& state, F call) {
  std::string why;
  if (!cuda::available(&why)) {
    state.SkipWithError(("no CUDA device: " + why).c_str());
    return;
  }
  DeviceArrays a(state.range(0), state.range(1), state.range(2), state.range(3));
  call(a);  // warm-up: module load, first allocations
  for (auto _ : state) call(a);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * a.b * a.c * a.c * a.k * a.k * a.hw * a.hw,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

void forward_cuda(benchmark::State& state) {
  run(state, [](DeviceArrays& a) { cuda::triangular_forward(a.kernel(), Corner::top_left, a.in(), a.out()); });
}
void inverse_wavefront_cuda(benchmark::State& state) {
  run(state, [](DeviceArrays& a) { cuda::triangular_inverse(a.kernel(), Corner::top_left, a.in(), a.out()); });
}
void inverse_per_channel_cuda(benchmark::State& state) {
  run(state, [](DeviceArrays& a) {
    cuda::triangular_inverse_per_channel(a.kernel(), Corner::top_left, a.in(), a.out());
  });
}
void periodic_forward_cuda(benchmark::State& state) {
  run(state, [](DeviceArrays& a) { cuda::periodic_forward(a.kernel(), a.in(), a.out()); });
}
void periodic_inverse_cuda(benchmark::State& state) {
  run(state, [](DeviceArrays& a) { cuda::periodic_inverse(a.kernel(), a.in(), a.out()); });
}

void shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"B", "C", "HW", "k"});
  b->Args({16, 16, 64, 3})->Args({16, 32, 64, 3})->Args({16, 64, 64, 3})->Args({16, 16, 128, 3})->Args({1, 16, 64, 3});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(forward_cuda)->Apply(shapes);
BENCHMARK(inverse_wavefront_cuda)->Apply(shapes);
BENCHMARK(inverse_per_channel_cuda)->Apply(shapes);
BENCHMARK(periodic_forward_cuda)->Apply(shapes);
BENCHMARK(periodic_inverse_cuda)->Apply(shapes);

int main(int argc, char** argv) {
  if (cuda::available()) benchmark::AddCustomContext("gpu", cuda::device_name());
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
