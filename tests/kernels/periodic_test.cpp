// The FFT-based periodic convolution against the explicit circulant matrix (float64).
#include "dense_reference.hpp"

#include <nfx/kernels/periodic.hpp>

#include "variant_test.hpp"

#include <gmock/gmock.h>

using namespace nfx::kernels;
using namespace nfx::test;

NFX_VARIANT_SUITE(PeriodicDense);

TEST_P(PeriodicDense, ForwardInverseAndLogdetMatchTheExplicitMatrix) {
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

TEST_P(PeriodicDense, Float32RoundTrip) {
  const int64_t b = 2, c = 8, k = 3, h = 32, w = 24;
  const std::vector<double> kernel64 = random_kernel(c, k, 0.2 / (c * k), true);
  const std::vector<double> x64 = random_values(static_cast<size_t>(b * c * h * w));
  std::vector<float> kernel(kernel64.begin(), kernel64.end()), x(x64.begin(), x64.end()), y(x.size()), back(x.size());
  const View4<const float> kv{kernel.data(), c, c, k, k};
  periodic_forward(kv, View4<const float>{x.data(), b, c, h, w}, View4<float>{y.data(), b, c, h, w});
  periodic_inverse(kv, View4<const float>{y.data(), b, c, h, w}, View4<float>{back.data(), b, c, h, w});
  EXPECT_LT(relative_error(back, x), 1e-5);
}

NFX_VARIANT_SUITE(PeriodicErrors);

TEST_P(PeriodicErrors, SingularFrequencyIsReportedNotDividedBy) {
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

namespace {

struct GradCase {
  int64_t batch, channels, k, h, w;
  std::string name() const {
    return "B=" + std::to_string(batch) + " C=" + std::to_string(channels) + " k=" + std::to_string(k) +
           " H=" + std::to_string(h) + " W=" + std::to_string(w);
  }
  size_t size() const { return static_cast<size_t>(batch * channels * h * w); }
};

// Even and odd k (the offset p = (k-1)/2 is asymmetric for even k), odd and even W, k > H.
const GradCase kGradCases[] = {{2, 3, 3, 5, 6}, {1, 2, 2, 4, 5}, {2, 2, 5, 3, 4}, {1, 4, 1, 3, 3}};

std::vector<double> per_item(const GradCase& s, const std::vector<double>& x, const Matrix& m, bool solve_it) {
  const size_t item = static_cast<size_t>(s.channels * s.h * s.w);
  std::vector<double> out;
  for (int64_t n = 0; n < s.batch; ++n) {
    const std::vector<double> part(x.begin() + n * item, x.begin() + (n + 1) * item);
    const std::vector<double> r = solve_it ? solve(m, part) : multiply(m, part);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0.0;
  for (size_t i = 0; i < a.size(); ++i) sum += a[i] * b[i];
  return sum;
}

// Central differences of f over every entry of v.
template <typename F>
std::vector<double> finite_differences(const std::vector<double>& v, F f) {
  const double eps = 1e-6;
  std::vector<double> out(v.size());
  for (size_t i = 0; i < v.size(); ++i) {
    std::vector<double> plus = v, minus = v;
    plus[i] += eps;
    minus[i] -= eps;
    out[i] = (f(plus) - f(minus)) / (2 * eps);
  }
  return out;
}

}  // namespace

TEST_P(PeriodicDense, AdjointsMatchTheTransposedMatrix) {
  for (const GradCase& s : kGradCases) {
    SCOPED_TRACE(s.name());
    const std::vector<double> kernel = random_kernel(s.channels, s.k, 0.5 / static_cast<double>(s.channels * s.k * s.k), true);
    const Matrix mt = transpose(periodic_matrix(kernel, s.channels, s.k, s.h, s.w));
    const std::vector<double> g = random_values(s.size());
    std::vector<double> out(g.size());
    const View4<const double> kv{kernel.data(), s.channels, s.channels, s.k, s.k}, gv{g.data(), s.batch, s.channels, s.h, s.w};
    const View4<double> ov{out.data(), s.batch, s.channels, s.h, s.w};
    periodic_adjoint_forward(kv, gv, ov);
    EXPECT_LT(relative_error(out, per_item(s, g, mt, false)), 1e-12);
    periodic_adjoint_inverse(kv, gv, ov);
    EXPECT_LT(relative_error(out, per_item(s, g, mt, true)), 1e-12);
  }
}

// L = <G, T(K) X> for the weight gradient, L = <R, T(K)^-1 X> for the inverse's backward pass, and
// log|det T(K)|, each evaluated with the dense matrix and differentiated by central differences.
TEST_P(PeriodicDense, GradientsMatchFiniteDifferences) {
  for (const GradCase& s : kGradCases) {
    SCOPED_TRACE(s.name());
    const std::vector<double> kernel = random_kernel(s.channels, s.k, 0.5 / static_cast<double>(s.channels * s.k * s.k), true);
    const std::vector<double> x = random_values(s.size()), g = random_values(s.size());
    const View4<const double> kv{kernel.data(), s.channels, s.channels, s.k, s.k}, xv{x.data(), s.batch, s.channels, s.h, s.w},
        gv{g.data(), s.batch, s.channels, s.h, s.w};
    auto dense = [&](const std::vector<double>& kern) { return periodic_matrix(kern, s.channels, s.k, s.h, s.w); };

    std::vector<double> grad(kernel.size());
    const View4<double> grad_v{grad.data(), s.channels, s.channels, s.k, s.k};
    periodic_weight_grad(xv, gv, grad_v);
    EXPECT_LT(relative_error(grad, finite_differences(kernel, [&](const auto& k) { return dot(g, per_item(s, x, dense(k), false)); })),
              1e-6);

    periodic_logdet_grad(kv, s.h, s.w, grad_v);
    EXPECT_LT(relative_error(grad, finite_differences(kernel, [&](const auto& k) { return log_abs_det(dense(k)); })), 1e-6);

    // The inverse's backward pass takes the layer's output Y = T^-1 X and G = dL/dY.
    std::vector<double> y(s.size()), grad_x(s.size());
    const View4<double> yv{y.data(), s.batch, s.channels, s.h, s.w};
    periodic_inverse(kv, xv, yv);
    periodic_inverse_backward(kv, as_const(yv), gv, View4<double>{grad_x.data(), s.batch, s.channels, s.h, s.w}, grad_v);
    EXPECT_LT(relative_error(grad, finite_differences(kernel, [&](const auto& k) { return dot(g, per_item(s, x, dense(k), true)); })),
              1e-6);
    const Matrix m = dense(kernel);
    EXPECT_LT(relative_error(grad_x, finite_differences(x, [&](const auto& v) { return dot(g, per_item(s, v, m, true)); })), 1e-6);
  }
}
