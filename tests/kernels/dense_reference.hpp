// Float64 dense references for the kernel tests, written from the definitions in DESIGN.md section 4
// and sharing no code with kernels/: the layer as an explicit (C*H*W) x (C*H*W) matrix, LU solves and
// log-determinants.
#pragma once

#include <nfx/kernels/triangular.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <random>
#include <vector>

namespace nfx::test {

using Matrix = std::vector<std::vector<double>>;

// Row index o*H*W + i*W + j (one batch item in NCHW order), column index c*H*W + i'*W + j'.
inline Matrix triangular_matrix(const std::vector<double>& kernel, int64_t channels, int64_t k, int64_t h, int64_t w,
                                nfx::kernels::Corner corner) {
  const bool flip_h = corner == nfx::kernels::Corner::bottom_left || corner == nfx::kernels::Corner::bottom_right;
  const bool flip_w = corner == nfx::kernels::Corner::top_right || corner == nfx::kernels::Corner::bottom_right;
  const int64_t n = channels * h * w;
  Matrix m(n, std::vector<double>(n, 0.0));
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t i = 0; i < h; ++i) {
      for (int64_t j = 0; j < w; ++j) {
        for (int64_t c = 0; c < channels; ++c) {
          for (int64_t a = 0; a < k; ++a) {
            for (int64_t b = 0; b < k; ++b) {
              // Top-left: X[i + a - (k-1), j + b - (k-1)]. A flipped axis reads the other way: Y = F T F X.
              const int64_t si = flip_h ? i - a + (k - 1) : i + a - (k - 1);
              const int64_t sj = flip_w ? j - b + (k - 1) : j + b - (k - 1);
              if (si < 0 || si >= h || sj < 0 || sj >= w) continue;
              m[(o * h + i) * w + j][(c * h + si) * w + sj] += kernel[((o * channels + c) * k + a) * k + b];
            }
          }
        }
      }
    }
  }
  return m;
}

// Circular cross-correlation, offset p = (k-1)/2: Y[o,i,j] = sum K[o,c,a,b] X[c, (i+a-p) mod H, (j+b-p) mod W].
inline Matrix periodic_matrix(const std::vector<double>& kernel, int64_t channels, int64_t k, int64_t h, int64_t w) {
  const int64_t n = channels * h * w, p = (k - 1) / 2;
  Matrix m(n, std::vector<double>(n, 0.0));
  auto wrap = [](int64_t v, int64_t size) { return ((v % size) + size) % size; };
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t i = 0; i < h; ++i) {
      for (int64_t j = 0; j < w; ++j) {
        for (int64_t c = 0; c < channels; ++c) {
          for (int64_t a = 0; a < k; ++a) {
            for (int64_t b = 0; b < k; ++b) {
              m[(o * h + i) * w + j][(c * h + wrap(i + a - p, h)) * w + wrap(j + b - p, w)] +=
                  kernel[((o * channels + c) * k + a) * k + b];
            }
          }
        }
      }
    }
  }
  return m;
}

inline Matrix transpose(const Matrix& m) {
  Matrix t(m[0].size(), std::vector<double>(m.size()));
  for (size_t r = 0; r < m.size(); ++r) {
    for (size_t c = 0; c < m[r].size(); ++c) t[c][r] = m[r][c];
  }
  return t;
}

inline std::vector<double> multiply(const Matrix& m, const std::vector<double>& x) {
  std::vector<double> y(m.size(), 0.0);
  for (size_t r = 0; r < m.size(); ++r) {
    for (size_t c = 0; c < x.size(); ++c) y[r] += m[r][c] * x[c];
  }
  return y;
}

// Gaussian elimination with partial pivoting; returns the solution and accumulates log|det| if asked.
inline std::vector<double> solve(Matrix a, std::vector<double> b, double* log_abs_det = nullptr) {
  const size_t n = a.size();
  double logdet = 0.0;
  for (size_t col = 0; col < n; ++col) {
    size_t best = col;
    for (size_t r = col + 1; r < n; ++r) {
      if (std::fabs(a[r][col]) > std::fabs(a[best][col])) best = r;
    }
    std::swap(a[col], a[best]);
    std::swap(b[col], b[best]);
    logdet += std::log(std::fabs(a[col][col]));
    for (size_t r = col + 1; r < n; ++r) {
      const double f = a[r][col] / a[col][col];
      for (size_t c = col; c < n; ++c) a[r][c] -= f * a[col][c];
      b[r] -= f * b[col];
    }
  }
  for (size_t r = n; r-- > 0;) {
    for (size_t c = r + 1; c < n; ++c) b[r] -= a[r][c] * b[c];
    b[r] /= a[r][r];
  }
  if (log_abs_det) *log_abs_det = logdet;
  return b;
}

inline double log_abs_det(const Matrix& a) {
  double logdet = 0.0;
  solve(a, std::vector<double>(a.size(), 0.0), &logdet);
  return logdet;
}

template <typename A, typename B>
double relative_error(const A& got, const B& expected) {
  double diff = 0.0, norm = 0.0;
  for (size_t i = 0; i < expected.size(); ++i) {
    diff += (static_cast<double>(got[i]) - expected[i]) * (static_cast<double>(got[i]) - expected[i]);
    norm += static_cast<double>(expected[i]) * expected[i];
  }
  return std::sqrt(diff / std::max(norm, 1e-300));
}

// Fresh randomness per run; the seed is printed with any failure.
inline std::mt19937_64& random_engine() {
  static std::mt19937_64 engine = [] {
    const uint64_t seed = std::random_device{}();
    std::printf("random seed %llu\n", static_cast<unsigned long long>(seed));
    return std::mt19937_64(seed);
  }();
  return engine;
}

inline std::vector<double> random_values(size_t count, double scale = 1.0) {
  std::uniform_real_distribution<double> u(-scale, scale);
  std::vector<double> v(count);
  for (double& x : v) x = u(random_engine());
  return v;
}

// A kernel that is safely invertible: Kc = diagonal with |entries| in [1, 1.5] (random signs) plus a strictly
// lower part (or a small full perturbation when `full_center`), and the other taps of size `tap_scale`.
inline std::vector<double> random_kernel(int64_t channels, int64_t k, double tap_scale, bool full_center = false) {
  std::vector<double> kernel = random_values(static_cast<size_t>(channels * channels * k * k), tap_scale);
  std::uniform_real_distribution<double> magnitude(1.0, 1.5);
  std::bernoulli_distribution negative(0.5);
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      double& center = kernel[((o * channels + c) * k + k - 1) * k + k - 1];
      if (o == c) center = magnitude(random_engine()) * (negative(random_engine()) ? -1.0 : 1.0);
      else if (c > o && !full_center) center = 0.0;
      else center *= 0.3 / tap_scale / static_cast<double>(channels);
    }
  }
  return kernel;
}

}  // namespace nfx::test
