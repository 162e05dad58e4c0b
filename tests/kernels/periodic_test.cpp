// The FFT-based periodic convolution against the explicit circulant matrix (float64).
#include "dense_reference.hpp"

#include <nfx/kernels/periodic.hpp>

#include <gmock/gmock.h>

using namespace nfx::kernels;
using namespace nfx::test;

TEST(PeriodicDense, ForwardInverseAndLogdetMatchTheExplicitMatrix) {
  struct Case {
    int64_t batch, channels, k, h, w;
  };
  // Odd and even H and W (the half spectrum's last column is its own conjugate only for even W), k up to 5.
  for (const Case& s : {Case{2, 1, 1, 4, 5}, Case{1, 3, 2, 5, 4}, Case{2, 4, 3, 8, 8}, Case{1, 2, 5, 7, 6},
                        Case{2, 3, 3, 3, 7}}) {
    SCOPED_TRACE("B=" + std::to_string(s.batch) + " C=" + std::to_string(s.channels) + " k=" + std::to_string(s.k) +
                 " H=" + std::to_string(s.h) + " W=" + std::to_string(s.w));
    // Diagonally dominant at every frequency (off-centre taps sum to at most 0.5 per row): well
    // conditioned, so 1e-12 measures the algorithm rather than the kernel's conditioning.
    const std::vector<double> kernel = random_kernel(s.channels, s.k, 0.5 / static_cast<double>(s.channels * s.k * s.k), true);
    const View4<const double> kv{kernel.data(), s.channels, s.channels, s.k, s.k};
    const Matrix m = periodic_matrix(kernel, s.channels, s.k, s.h, s.w);
    const size_t item = static_cast<size_t>(s.channels * s.h * s.w);
    const std::vector<double> x = random_values(item * s.batch);
    std::vector<double> out(x.size()), expected_forward, expected_inverse;
    for (int64_t n = 0; n < s.batch; ++n) {
      const std::vector<double> part(x.begin() + n * item, x.begin() + (n + 1) * item);
      const std::vector<double> f = multiply(m, part), i = solve(m, part);
      expected_forward.insert(expected_forward.end(), f.begin(), f.end());
      expected_inverse.insert(expected_inverse.end(), i.begin(), i.end());
    }
    const View4<const double> xv{x.data(), s.batch, s.channels, s.h, s.w};
    const View4<double> ov{out.data(), s.batch, s.channels, s.h, s.w};
    periodic_forward(kv, xv, ov);
    EXPECT_LT(relative_error(out, expected_forward), 1e-12);
    periodic_inverse(kv, xv, ov);
    EXPECT_LT(relative_error(out, expected_inverse), 1e-12);
    const double logdet = periodic_logdet(kv, s.h, s.w);
    EXPECT_NEAR(logdet, log_abs_det(m), 1e-10 * std::max(1.0, std::fabs(logdet)));
  }
}

TEST(PeriodicDense, Float32RoundTrip) {
  const int64_t b = 2, c = 8, k = 3, h = 32, w = 24;
  const std::vector<double> kernel64 = random_kernel(c, k, 0.2 / (c * k), true);
  const std::vector<double> x64 = random_values(static_cast<size_t>(b * c * h * w));
  std::vector<float> kernel(kernel64.begin(), kernel64.end()), x(x64.begin(), x64.end()), y(x.size()), back(x.size());
  const View4<const float> kv{kernel.data(), c, c, k, k};
  periodic_forward(kv, View4<const float>{x.data(), b, c, h, w}, View4<float>{y.data(), b, c, h, w});
  periodic_inverse(kv, View4<const float>{y.data(), b, c, h, w}, View4<float>{back.data(), b, c, h, w});
  EXPECT_LT(relative_error(back, x), 1e-5);
}

TEST(PeriodicErrors, SingularFrequencyIsReportedNotDividedBy) {
  // A 1-channel 3x3 kernel [1 1 1] in its middle row sums to zero at v = W/3 for W = 6 (1 + w + w^2 = 0).
  std::vector<double> kernel(9, 0.0);
  kernel[3] = kernel[4] = kernel[5] = 1.0;
  std::vector<double> y(1 * 1 * 4 * 6, 1.0), x(y.size());
  try {
    periodic_inverse(View4<const double>{kernel.data(), 1, 1, 3, 3}, View4<const double>{y.data(), 1, 1, 4, 6},
                     View4<double>{x.data(), 1, 1, 4, 6});
    FAIL() << "a singular periodic kernel must be refused";
  } catch (const KernelError& e) {
    EXPECT_TRUE(e.kind() == KernelError::Kind::singular || e.kind() == KernelError::Kind::near_singular);
    EXPECT_THAT(e.what(), ::testing::HasSubstr("frequency (u, v) = (0, 2), channel 0"));
  }
}
