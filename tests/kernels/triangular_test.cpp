// The CPU triangular kernels against the explicit dense matrix (float64), finite differences, and a
// float32 round trip at a realistic size, on every instruction-set variant.
#include "dense_reference.hpp"
#include "variant_test.hpp"

#include <nfx/kernels/triangular.hpp>

#include <cstring>
#include <tuple>

using namespace nfx::kernels;
using namespace nfx::test;

namespace {

constexpr Corner kCorners[] = {Corner::top_left, Corner::top_right, Corner::bottom_left, Corner::bottom_right};

struct Case {
  int64_t batch, channels, k, h, w;
};

// Shapes covering k in {1, 2, 3, 5}, C up to 4, H, W up to 8, non-square images and k > H.
const Case kCases[] = {{2, 1, 1, 3, 4}, {1, 3, 2, 5, 4}, {2, 4, 3, 8, 8}, {1, 2, 3, 6, 7},
                       {2, 3, 5, 7, 8}, {1, 4, 5, 4, 3}, {3, 2, 2, 8, 5}};

// Wider layers for the operations test: 8, 16 and 32 channels fill 1, 2 and 4 whole vectors (8 doubles),
// so the engine's vectorized layout conversion and its one-, two- and four-vector blocks are checked
// against the matrix too.
const Case kWideCases[] = {{2, 8, 3, 4, 4}, {1, 16, 2, 4, 6}, {1, 32, 2, 4, 4}};

View4<const double> view(const std::vector<double>& v, int64_t n, int64_t c, int64_t h, int64_t w) {
  return {v.data(), n, c, h, w};
}
View4<double> view(std::vector<double>& v, int64_t n, int64_t c, int64_t h, int64_t w) {
  return {v.data(), n, c, h, w};
}

// Applies `dense` to each batch item of x.
std::vector<double> per_item(const Case& s, const std::vector<double>& x,
                             const std::function<std::vector<double>(const std::vector<double>&)>& dense) {
  const size_t item = static_cast<size_t>(s.channels * s.h * s.w);
  std::vector<double> out;
  for (int64_t n = 0; n < s.batch; ++n) {
    std::vector<double> part(x.begin() + n * item, x.begin() + (n + 1) * item);
    std::vector<double> r = dense(part);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

std::string describe(const Case& s, Corner corner) {
  return "B=" + std::to_string(s.batch) + " C=" + std::to_string(s.channels) + " k=" + std::to_string(s.k) +
         " H=" + std::to_string(s.h) + " W=" + std::to_string(s.w) + " " + corner_name(corner);
}

}  // namespace

NFX_VARIANT_SUITE(TriangularDense);

namespace {

// A layer's kernel and input, and every operation on them through the explicit matrix.
struct OperationReference {
  std::vector<double> kernel, x, forward, inverse, adjoint, adjoint_inverse;
  double logdet;
};

OperationReference operation_reference(const Case& s, Corner corner, bool full_center) {
  OperationReference r;
  r.kernel = random_kernel(s.channels, s.k, 0.4, full_center);
  const Matrix m = triangular_matrix(r.kernel, s.channels, s.k, s.h, s.w, corner);
  const Matrix mt = transpose(m);
  r.x = random_values(static_cast<size_t>(s.batch * s.channels * s.h * s.w));
  r.forward = per_item(s, r.x, [&](const auto& v) { return multiply(m, v); });
  r.inverse = per_item(s, r.x, [&](const auto& v) { return solve(m, v); });
  r.adjoint = per_item(s, r.x, [&](const auto& v) { return multiply(mt, v); });
  r.adjoint_inverse = per_item(s, r.x, [&](const auto& v) { return solve(mt, v); });
  r.logdet = log_abs_det(m);
  return r;
}

}  // namespace

TEST_P(TriangularDense, EveryOperationMatchesTheExplicitMatrix) {
  std::vector<Case> cases(std::begin(kCases), std::end(kCases));
  cases.insert(cases.end(), std::begin(kWideCases), std::end(kWideCases));
  for (const Case& s : cases) {
    for (Corner corner : kCorners) {
      for (bool full_center : {false, true}) {
        const std::string name = describe(s, corner) + (full_center ? " full Kc" : " lower-triangular Kc");
        SCOPED_TRACE(name);
        const OperationReference& r = computed_once<OperationReference>(
            name, [&] { return operation_reference(s, corner, full_center); });
        const auto kv = view(r.kernel, s.channels, s.channels, s.k, s.k);
        std::vector<double> out(r.x.size());
        const auto xv = view(r.x, s.batch, s.channels, s.h, s.w);
        const auto ov = view(out, s.batch, s.channels, s.h, s.w);

        triangular_forward(kv, corner, xv, ov);
        EXPECT_LT(relative_error(out, r.forward), 1e-13);
        triangular_inverse(kv, corner, xv, ov);
        EXPECT_LT(relative_error(out, r.inverse), 1e-12);
        triangular_inverse_raster(kv, corner, xv, ov);
        EXPECT_LT(relative_error(out, r.inverse), 1e-12);
        triangular_adjoint_forward(kv, corner, xv, ov);
        EXPECT_LT(relative_error(out, r.adjoint), 1e-13);
        triangular_adjoint_inverse(kv, corner, xv, ov);
        EXPECT_LT(relative_error(out, r.adjoint_inverse), 1e-12);

        const double logdet = triangular_logdet(kv, s.h, s.w);
        EXPECT_NEAR(logdet, r.logdet, 1e-10 * std::max(1.0, std::fabs(logdet)));
      }
    }
  }
}

namespace {

// L(X, K) = <R, T(K)^-1 X>, evaluated with the dense solve; its gradients by central differences (for the
// input, every 7th entry, which keeps the test quick).
struct InverseGradientReference {
  std::vector<double> kernel, x, r, fd_k, fd_x;
};

InverseGradientReference inverse_gradient_reference(const Case& s, Corner corner) {
  InverseGradientReference ref;
  ref.kernel = random_kernel(s.channels, s.k, 0.4, true);
  const size_t size = static_cast<size_t>(s.batch * s.channels * s.h * s.w);
  ref.x = random_values(size);
  ref.r = random_values(size);
  auto loss = [&](const std::vector<double>& kern, const std::vector<double>& input) {
    const Matrix m = triangular_matrix(kern, s.channels, s.k, s.h, s.w, corner);
    const std::vector<double> y = per_item(s, input, [&](const auto& v) { return solve(m, v); });
    double sum = 0.0;
    for (size_t i = 0; i < size; ++i) sum += ref.r[i] * y[i];
    return sum;
  };
  const double eps = 1e-6;
  ref.fd_k.resize(ref.kernel.size());
  ref.fd_x.assign(size, 0.0);
  for (size_t i = 0; i < ref.kernel.size(); ++i) {
    std::vector<double> plus = ref.kernel, minus = ref.kernel;
    plus[i] += eps;
    minus[i] -= eps;
    ref.fd_k[i] = (loss(plus, ref.x) - loss(minus, ref.x)) / (2 * eps);
  }
  for (size_t i = 0; i < size; i += 7) {
    std::vector<double> plus = ref.x, minus = ref.x;
    plus[i] += eps;
    minus[i] -= eps;
    ref.fd_x[i] = (loss(ref.kernel, plus) - loss(ref.kernel, minus)) / (2 * eps);
  }
  return ref;
}

}  // namespace

TEST_P(TriangularDense, InverseGradientsMatchFiniteDifferences) {
  for (const Case& s : kCases) {
    for (Corner corner : kCorners) {
      SCOPED_TRACE(describe(s, corner));
      const InverseGradientReference& ref = computed_once<InverseGradientReference>(
          describe(s, corner), [&] { return inverse_gradient_reference(s, corner); });
      // The kernel's backward pass takes the layer output Y and G = dL/dY = R.
      const size_t size = ref.x.size();
      std::vector<double> y(size), grad_x(size), grad_k(ref.kernel.size());
      const auto kv = view(ref.kernel, s.channels, s.channels, s.k, s.k);
      triangular_inverse(kv, corner, view(ref.x, s.batch, s.channels, s.h, s.w), view(y, s.batch, s.channels, s.h, s.w));
      triangular_inverse_backward(kv, corner, as_const(view(y, s.batch, s.channels, s.h, s.w)),
                                  view(ref.r, s.batch, s.channels, s.h, s.w),
                                  view(grad_x, s.batch, s.channels, s.h, s.w),
                                  view(grad_k, s.channels, s.channels, s.k, s.k));
      EXPECT_LT(relative_error(grad_k, ref.fd_k), 1e-6);
      std::vector<double> sampled(size, 0.0);
      for (size_t i = 0; i < size; i += 7) sampled[i] = grad_x[i];
      EXPECT_LT(relative_error(sampled, ref.fd_x), 1e-6);
    }
  }
}

TEST_P(TriangularDense, WeightAndLogdetGradientsMatchFiniteDifferences) {
  const Case s{2, 3, 3, 5, 6};
  for (Corner corner : kCorners) {
    SCOPED_TRACE(describe(s, corner));
    const std::vector<double> kernel = random_kernel(s.channels, s.k, 0.4, true);
    const size_t size = static_cast<size_t>(s.batch * s.channels * s.h * s.w);
    const std::vector<double> x = random_values(size), g = random_values(size);
    std::vector<double> grad(kernel.size()), grad_logdet(kernel.size());
    triangular_weight_grad(view(x, s.batch, s.channels, s.h, s.w), view(g, s.batch, s.channels, s.h, s.w), corner,
                           view(grad, s.channels, s.channels, s.k, s.k));
    triangular_logdet_grad(view(kernel, s.channels, s.channels, s.k, s.k), s.h, s.w,
                           view(grad_logdet, s.channels, s.channels, s.k, s.k));
    std::vector<double> fd(kernel.size()), fd_logdet(kernel.size());
    const double eps = 1e-6;
    for (size_t i = 0; i < kernel.size(); ++i) {
      std::vector<double> plus = kernel, minus = kernel;
      plus[i] += eps;
      minus[i] -= eps;
      auto inner = [&](const std::vector<double>& kern) {  // <G, T(K) X> with the dense matrix
        const Matrix m = triangular_matrix(kern, s.channels, s.k, s.h, s.w, corner);
        const std::vector<double> y = per_item(s, x, [&](const auto& v) { return multiply(m, v); });
        double sum = 0.0;
        for (size_t j = 0; j < size; ++j) sum += g[j] * y[j];
        return sum;
      };
      fd[i] = (inner(plus) - inner(minus)) / (2 * eps);
      fd_logdet[i] = (log_abs_det(triangular_matrix(plus, s.channels, s.k, s.h, s.w, corner)) -
                      log_abs_det(triangular_matrix(minus, s.channels, s.k, s.h, s.w, corner))) /
                     (2 * eps);
    }
    EXPECT_LT(relative_error(grad, fd), 1e-6);
    EXPECT_LT(relative_error(grad_logdet, fd_logdet), 1e-6);
  }
}

NFX_VARIANT_SUITE(TriangularFloat32);

TEST_P(TriangularFloat32, RoundTripAt64x64WithSixteenChannels) {
  const int64_t b = 2, c = 16, k = 3, h = 64, w = 64;
  const std::vector<double> kernel64 = random_kernel(c, k, 0.5 / (c * k * k), true);
  const std::vector<double> x64 = random_values(static_cast<size_t>(b * c * h * w));
  std::vector<float> kernel(kernel64.begin(), kernel64.end()), x(x64.begin(), x64.end()), y(x.size()), back(x.size());
  for (Corner corner : kCorners) {
    SCOPED_TRACE(corner_name(corner));
    const View4<const float> kv{kernel.data(), c, c, k, k};
    triangular_forward(kv, corner, View4<const float>{x.data(), b, c, h, w}, View4<float>{y.data(), b, c, h, w});
    triangular_inverse(kv, corner, View4<const float>{y.data(), b, c, h, w}, View4<float>{back.data(), b, c, h, w});
    EXPECT_LT(relative_error(back, x), 1e-5);
  }
}

namespace {

// Float32 values (the reference uses them, so only the kernels' rounding is measured) and, per corner, the
// forward and inverse through the matrix, built and solved in float64.
struct Float32Reference {
  std::vector<float> kernel, x;
  std::vector<std::vector<double>> forward, inverse;
};

Float32Reference float32_reference(const Case& s) {
  Float32Reference r;
  const std::vector<double> kernel64 = random_kernel(s.channels, s.k, 0.5 / (s.channels * s.k * s.k), true);
  const std::vector<double> x64 = random_values(static_cast<size_t>(s.batch * s.channels * s.h * s.w));
  r.kernel.assign(kernel64.begin(), kernel64.end());
  r.x.assign(x64.begin(), x64.end());
  const std::vector<double> kernel_rounded(r.kernel.begin(), r.kernel.end()), x_rounded(r.x.begin(), r.x.end());
  for (Corner corner : kCorners) {
    const Matrix m = triangular_matrix(kernel_rounded, s.channels, s.k, s.h, s.w, corner);
    r.forward.push_back(per_item(s, x_rounded, [&](const auto& v) { return multiply(m, v); }));
    r.inverse.push_back(per_item(s, x_rounded, [&](const auto& v) { return solve(m, v); }));
  }
  return r;
}

}  // namespace

// Float32 with 16 channels (whole vectors per pixel in every variant) against the matrix.
TEST_P(TriangularFloat32, SixteenChannelsMatchTheExplicitMatrix) {
  const Case s{2, 16, 3, 8, 8};
  const Float32Reference& r = computed_once<Float32Reference>("float32", [&] { return float32_reference(s); });
  std::vector<float> out(r.x.size());
  for (size_t i = 0; i < std::size(kCorners); ++i) {
    const Corner corner = kCorners[i];
    SCOPED_TRACE(corner_name(corner));
    const View4<const float> kv{r.kernel.data(), s.channels, s.channels, s.k, s.k};
    const View4<const float> xv{r.x.data(), s.batch, s.channels, s.h, s.w};
    const View4<float> ov{out.data(), s.batch, s.channels, s.h, s.w};
    triangular_forward(kv, corner, xv, ov);
    EXPECT_LT(relative_error(out, r.forward[i]), 1e-6);
    triangular_inverse(kv, corner, xv, ov);
    EXPECT_LT(relative_error(out, r.inverse[i]), 1e-5);
  }
}

TEST_P(TriangularFloat32, InPlaceEqualsOutOfPlace) {
  const int64_t b = 5, c = 16, k = 3, h = 20, w = 24;
  const std::vector<double> kernel64 = random_kernel(c, k, 0.5 / (c * k * k), true);
  const std::vector<double> x64 = random_values(static_cast<size_t>(b * c * h * w));
  std::vector<float> kernel(kernel64.begin(), kernel64.end()), x(x64.begin(), x64.end()), y(x.size());
  const View4<const float> kv{kernel.data(), c, c, k, k};
  triangular_inverse(kv, Corner::top_right, View4<const float>{x.data(), b, c, h, w}, View4<float>{y.data(), b, c, h, w});
  triangular_inverse(kv, Corner::top_right, View4<const float>{x.data(), b, c, h, w}, View4<float>{x.data(), b, c, h, w});
  EXPECT_EQ(x, y);
}

NFX_VARIANT_SUITE(TriangularThreads);

TEST_P(TriangularThreads, ResultsAreBitwiseIdenticalForAnyThreadCount) {
  // 5 channels take the scalar paths, 16 the vector ones; 7 threads for 3 items share each diagonal.
  for (int64_t c : {5, 16}) {
    SCOPED_TRACE(std::to_string(c) + " channels");
    const int64_t b = 3, k = 3, h = 17, w = 13;
    const std::vector<double> kernel64 = random_kernel(c, k, 0.05, true);
    const std::vector<double> x64 = random_values(static_cast<size_t>(b * c * h * w));
    std::vector<float> kernel(kernel64.begin(), kernel64.end()), x(x64.begin(), x64.end());
    const View4<const float> kv{kernel.data(), c, c, k, k}, xv{x.data(), b, c, h, w};
    auto run_all = [&](int threads) {
      std::vector<float> out(x.size() * 4), grad(kernel.size());
      auto part = [&](int i) { return View4<float>{out.data() + i * x.size(), b, c, h, w}; };
      SolveOptions options;
      options.threads = threads;
      triangular_forward(kv, Corner::top_right, xv, part(0), threads);
      triangular_inverse(kv, Corner::bottom_left, xv, part(1), options);
      triangular_adjoint_inverse(kv, Corner::top_left, xv, part(2), options);
      triangular_adjoint_forward(kv, Corner::bottom_right, xv, part(3), threads);
      triangular_weight_grad(xv, as_const(part(1)), Corner::top_left, View4<float>{grad.data(), c, c, k, k}, threads);
      out.insert(out.end(), grad.begin(), grad.end());
      return out;
    };
    const std::vector<float> one = run_all(1);
    for (int threads : {2, 3, 7}) {
      const std::vector<float> many = run_all(threads);
      EXPECT_EQ(std::memcmp(one.data(), many.data(), one.size() * sizeof(float)), 0) << threads << " threads";
    }
  }
}
