// The CUDA back end against the CPU back end (itself checked against dense matrices). Skips, saying why,
// where no GPU is present.
#include "dense_reference.hpp"

#include <nfx/kernels/cuda.hpp>
#include <nfx/kernels/periodic.hpp>

#include <cuda_runtime.h>
#include <gmock/gmock.h>

using namespace nfx::kernels;
using namespace nfx::test;

namespace {

class CudaKernels : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why;
    if (!cuda::available(&why)) GTEST_SKIP() << "no usable CUDA device: " << why;
  }
};

// A device copy of host values, freed at scope exit.
template <typename T>
struct Device {
  explicit Device(const std::vector<T>& host) : size(host.size()) {
    EXPECT_EQ(cudaMalloc(reinterpret_cast<void**>(&data), size * sizeof(T)), cudaSuccess);
    EXPECT_EQ(cudaMemcpy(data, host.data(), size * sizeof(T), cudaMemcpyHostToDevice), cudaSuccess);
  }
  ~Device() { cudaFree(data); }
  std::vector<T> host() const {
    std::vector<T> out(size);
    EXPECT_EQ(cudaMemcpy(out.data(), data, size * sizeof(T), cudaMemcpyDeviceToHost), cudaSuccess);
    return out;
  }
  T* data = nullptr;
  size_t size;
};

template <typename T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <typename T>
void compare_triangular(int64_t b, int64_t c, int64_t k, int64_t h, int64_t w, double tolerance) {
  for (Corner corner : {Corner::top_left, Corner::top_right, Corner::bottom_left, Corner::bottom_right}) {
    SCOPED_TRACE(std::string(corner_name(corner)) + " C=" + std::to_string(c) + " k=" + std::to_string(k));
    const std::vector<T> kernel = cast<T>(random_kernel(c, k, 0.5 / static_cast<double>(c * k * k)));
    const std::vector<T> x = cast<T>(random_values(static_cast<size_t>(b * c * h * w)));
    std::vector<T> expected(x.size()), grad(kernel.size());
    Device<T> dk(kernel), dx(x), dy(std::vector<T>(x.size())), dgrad(std::vector<T>(kernel.size()));
    const View4<const T> hk{kernel.data(), c, c, k, k}, hx{x.data(), b, c, h, w};
    const View4<const T> gk{dk.data, c, c, k, k}, gx{dx.data, b, c, h, w};
    const View4<T> hout{expected.data(), b, c, h, w}, gout{dy.data, b, c, h, w};

    triangular_forward(hk, corner, hx, hout);
    cuda::triangular_forward(gk, corner, gx, gout);
    EXPECT_LT(relative_error(dy.host(), expected), tolerance) << "forward";

    triangular_inverse(hk, corner, hx, hout);
    cuda::triangular_inverse(gk, corner, gx, gout);
    EXPECT_LT(relative_error(dy.host(), expected), tolerance) << "wavefront inverse";
    cuda::triangular_inverse_per_channel(gk, corner, gx, gout);
    EXPECT_LT(relative_error(dy.host(), expected), tolerance) << "per-channel inverse";

    triangular_adjoint_inverse(hk, corner, hx, hout);
    cuda::triangular_adjoint_inverse(gk, corner, gx, gout);
    EXPECT_LT(relative_error(dy.host(), expected), tolerance) << "adjoint inverse";

    triangular_weight_grad(hx, as_const(hout), corner, View4<T>{grad.data(), c, c, k, k});
    Device<T> dg(expected);
    cuda::triangular_weight_grad(gx, View4<const T>{dg.data, b, c, h, w}, corner, View4<T>{dgrad.data, c, c, k, k});
    EXPECT_LT(relative_error(dgrad.host(), grad), tolerance) << "weight gradient";
  }
}

}  // namespace

TEST_F(CudaKernels, TriangularMatchesTheCpuInFloat64) {
  compare_triangular<double>(2, 4, 3, 8, 7, 1e-12);
  compare_triangular<double>(3, 3, 2, 5, 9, 1e-12);
}

TEST_F(CudaKernels, TriangularMatchesTheCpuInFloat32) {
  compare_triangular<float>(16, 16, 3, 64, 64, 1e-5);
}

TEST_F(CudaKernels, PeriodicMatchesTheCpu) {
  const int64_t b = 2, c = 4, k = 3, h = 8, w = 6;
  const std::vector<double> kernel = random_kernel(c, k, 0.2, true);
  const std::vector<double> x = random_values(static_cast<size_t>(b * c * h * w));
  std::vector<double> expected(x.size());
  Device<double> dk(kernel), dx(x), dy(std::vector<double>(x.size()));
  const View4<const double> hk{kernel.data(), c, c, k, k}, hx{x.data(), b, c, h, w};
  const View4<const double> gk{dk.data, c, c, k, k}, gx{dx.data, b, c, h, w};
  periodic_forward(hk, hx, View4<double>{expected.data(), b, c, h, w});
  cuda::periodic_forward(gk, gx, View4<double>{dy.data, b, c, h, w});
  EXPECT_LT(relative_error(dy.host(), expected), 1e-12);
  periodic_inverse(hk, hx, View4<double>{expected.data(), b, c, h, w});
  cuda::periodic_inverse(gk, gx, View4<double>{dy.data, b, c, h, w});
  EXPECT_LT(relative_error(dy.host(), expected), 1e-12);
}

TEST_F(CudaKernels, BadInputGetsTheSameErrorsAsOnTheCpu) {
  std::vector<double> kernel(3 * 3 * 2 * 2, 0.0), x(2 * 3 * 4 * 4, 1.0);
  for (int c = 0; c < 3; ++c) kernel[((c * 3 + c) * 2 + 1) * 2 + 1] = 1.0;
  x[((1 * 3 + 2) * 4 + 3) * 4 + 1] = std::nan("");
  Device<double> dk(kernel), dx(x), dy(x);
  const View4<const double> gk{dk.data, 3, 3, 2, 2}, gx{dx.data, 2, 3, 4, 4};
  try {
    cuda::triangular_inverse(gk, Corner::top_left, gx, View4<double>{dy.data, 2, 3, 4, 4});
    FAIL() << "NaN input must be refused";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.kind(), KernelError::Kind::not_finite);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("y contains NaN at (1, 2, 3, 1)"));
  }
  kernel[((1 * 3 + 1) * 2 + 1) * 2 + 1] = 0.0;
  x[((1 * 3 + 2) * 4 + 3) * 4 + 1] = 0.0;
  Device<double> singular(kernel), finite(x);
  try {
    cuda::triangular_inverse(View4<const double>{singular.data, 3, 3, 2, 2}, Corner::top_left,
                             View4<const double>{finite.data, 2, 3, 4, 4}, View4<double>{dy.data, 2, 3, 4, 4});
    FAIL() << "a singular kernel must be refused";
  } catch (const KernelError& e) {
    EXPECT_EQ(e.kind(), KernelError::Kind::singular);
  }
}
