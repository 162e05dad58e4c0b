// CPU kernels against LibTorch's conv2d (oneDNN where LibTorch has it) for the same kernels, in one run.
// conv2d runs on an input already padded to the triangular layer's shape, so it does exactly the
// multiply-adds of the layer; glibc is told to keep freed memory, so no call pays for fresh page faults.
#include <nfx/kernels/cpu.hpp>
#include <nfx/kernels/periodic.hpp>
#include <nfx/kernels/triangular.hpp>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <malloc.h>

#include <cstring>
#include <random>
#include <vector>

using namespace nfx::kernels;

namespace {

struct Shape {
  int64_t b, c, h, k;
};

Shape shape_of(const benchmark::State& state) {
  return {state.range(0), state.range(1), state.range(2), state.range(3)};
}

// A random kernel with Kc lower-triangular, |diagonal| in [1, 1.5] and small other taps: well-conditioned.
std::vector<float> random_kernel(int64_t c, int64_t k, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> tap(-1.0f, 1.0f), diag(1.0f, 1.5f);
  std::vector<float> kernel(static_cast<size_t>(c * c * k * k));
  const float scale = 0.5f / static_cast<float>(c * k * k);
  for (float& v : kernel) v = tap(rng) * scale;
  for (int64_t o = 0; o < c; ++o) {
    for (int64_t i = o + 1; i < c; ++i) kernel[((o * c + i) * k + k - 1) * k + k - 1] = 0.0f;
    kernel[((o * c + o) * k + k - 1) * k + k - 1] = diag(rng);
  }
  return kernel;
}

std::vector<float> random_input(int64_t size, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> normal;
  std::vector<float> v(static_cast<size_t>(size));
  for (float& x : v) x = normal(rng);
  return v;
}

struct Arrays {
  explicit Arrays(Shape s)
      : s(s), kernel(random_kernel(s.c, s.k, 1)), x(random_input(s.b * s.c * s.h * s.h, 2)), y(x.size()) {}
  View4<const float> k() const { return {kernel.data(), s.c, s.c, s.k, s.k}; }
  View4<const float> in() const { return {x.data(), s.b, s.c, s.h, s.h}; }
  View4<float> out() { return {y.data(), s.b, s.c, s.h, s.h}; }
  Shape s;
  std::vector<float> kernel, x, y;
};

void set_counters(benchmark::State& state, Shape s) {
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * s.b * s.c * s.c * s.k * s.k * s.h * s.h,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

void conv2d_torch(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  torch::NoGradGuard no_grad;
  const torch::Tensor weight = torch::from_blob(a.kernel.data(), {s.c, s.c, s.k, s.k}).clone();
  const torch::Tensor padded =
      torch::constant_pad_nd(torch::from_blob(a.x.data(), {s.b, s.c, s.h, s.h}), {s.k - 1, 0, s.k - 1, 0}, 0.0);
  for (auto _ : state) {
    torch::Tensor y = torch::conv2d(padded, weight);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  set_counters(state, s);
}

void triangular_forward_cpu(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  for (auto _ : state) triangular_forward(a.k(), Corner::top_left, a.in(), a.out());
  set_counters(state, s);
}

void triangular_inverse_wavefront(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  for (auto _ : state) triangular_inverse(a.k(), Corner::top_left, a.in(), a.out());
  set_counters(state, s);
}

void triangular_inverse_raster_cpu(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  for (auto _ : state) triangular_inverse_raster(a.k(), Corner::top_left, a.in(), a.out());
  set_counters(state, s);
}

void triangular_inverse_backward_cpu(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  std::vector<float> grad_x(a.x.size()), grad_k(a.kernel.size());
  for (auto _ : state) {
    triangular_inverse_backward(a.k(), Corner::top_left, a.in(), a.in(), View4<float>{grad_x.data(), s.b, s.c, s.h, s.h},
                                View4<float>{grad_k.data(), s.c, s.c, s.k, s.k});
  }
  set_counters(state, s);
}

void periodic_forward_cpu(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  for (auto _ : state) periodic_forward(a.k(), a.in(), a.out());
  set_counters(state, s);
}

void periodic_inverse_cpu(benchmark::State& state) {
  const Shape s = shape_of(state);
  Arrays a(s);
  for (auto _ : state) periodic_inverse(a.k(), a.in(), a.out());
  set_counters(state, s);
}

// Arguments: batch, channels, height = width, k.
void main_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"B", "C", "HW", "k"});
  b->Args({16, 16, 64, 3})->Args({16, 32, 64, 3})->Args({16, 64, 64, 3})->Args({16, 16, 128, 3});
  b->Args({1, 16, 64, 3})->Args({1, 64, 64, 3});
  for (int64_t hw : {16, 32}) b->Args({16, 16, hw, 3});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void raster_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"B", "C", "HW", "k"})->Args({16, 16, 64, 3})->Args({1, 16, 64, 3});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

void periodic_shapes(benchmark::internal::Benchmark* b) {
  b->ArgNames({"B", "C", "HW", "k"})->Args({16, 16, 64, 3})->Args({16, 64, 64, 3});
  b->UseRealTime()->Unit(benchmark::kMicrosecond);
}

}  // namespace

BENCHMARK(conv2d_torch)->Apply(main_shapes);
BENCHMARK(triangular_forward_cpu)->Apply(main_shapes);
BENCHMARK(triangular_inverse_wavefront)->Apply(main_shapes);
BENCHMARK(triangular_inverse_backward_cpu)->Apply(periodic_shapes);
BENCHMARK(triangular_inverse_raster_cpu)->Apply(raster_shapes);
BENCHMARK(periodic_forward_cpu)->Apply(periodic_shapes);
BENCHMARK(periodic_inverse_cpu)->Apply(periodic_shapes);

// The wavefront inverse at the main shape with 1 and with 2 threads, compared bit for bit.
bool identical_for_one_and_two_threads() {
  Arrays a({16, 16, 64, 3});
  std::vector<float> two(a.y.size());
  SolveOptions options;
  options.threads = 1;
  triangular_inverse(a.k(), Corner::top_left, a.in(), a.out(), options);
  options.threads = 2;
  triangular_inverse(a.k(), Corner::top_left, a.in(), View4<float>{two.data(), 16, 16, 64, 64}, options);
  return std::memcmp(a.y.data(), two.data(), two.size() * sizeof(float)) == 0;
}

int main(int argc, char** argv) {
  // Keep freed blocks in the heap: without this every large tensor is a fresh mmap and pays page faults.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  torch::set_num_threads(static_cast<int>(std::thread::hardware_concurrency()));
  benchmark::AddCustomContext("torch threads", std::to_string(torch::get_num_threads()));
  benchmark::AddCustomContext("torch mkldnn", at::hasMKLDNN() ? "yes" : "no");
  benchmark::AddCustomContext("nfx cpu variant", nfx::kernels::cpu_variant_name(nfx::kernels::cpu_variant()));
  benchmark::AddCustomContext("inverse bitwise identical for 1 and 2 threads",
                              identical_for_one_and_two_threads() ? "yes" : "no");
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
