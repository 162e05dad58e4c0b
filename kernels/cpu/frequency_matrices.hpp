// What(u, v) = sum_{a,b} K[:,:,a,b] exp(+2 pi i (u (a-p)/H + v (b-p)/W)) for every frequency of the half
// spectrum (v <= W/2): the C x C matrices a periodic convolution becomes under the 2-D DFT. Built, factored
// and checked in float64 on the host, for the CPU and CUDA back ends alike.
#pragma once

#include "nfx/kernels/tensor_view.hpp"
#include "variants.hpp"  // FrequencyOp, CpuVariant

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <string>
#include <vector>

namespace nfx::kernels::detail {

using Complex = std::complex<double>;

inline std::string pivot_number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// What(u, v) for every frequency of the half spectrum, LU-factored on request (float64 throughout).
class FrequencyMatrices {
 public:
  template <typename T>
  FrequencyMatrices(View4<const T> kernel, int64_t h, int64_t w, int threads)
      : variant_(cpu_variant()), c_(kernel.n), h_(h), w_(w), half_(w / 2 + 1), k_(kernel.h),
        m_(static_cast<size_t>(h * half_ * c_ * c_)) {
    const int64_t c2 = c_ * c_, taps = k_ * k_;
    // The kernel as [tap][o * C + c] in float64, so each tap's C x C matrix is contiguous.
    std::vector<double> by_tap(static_cast<size_t>(taps * c2));
    for (int64_t oc = 0; oc < c2; ++oc) {
      for (int64_t t = 0; t < taps; ++t) by_tap[t * c2 + oc] = static_cast<double>(kernel.data[oc * taps + t]);
    }
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t f = 0; f < h * half_; ++f) {
      for (int64_t t = 0; t < taps; ++t) {
        add_tap(f, twiddle(f, t / k_, t % k_), by_tap.data() + t * c2);
      }
    }
  }

  // d What(f) / d K[:,:,a,b] = exp(+2 pi i (u (a-p)/H + v (b-p)/W)).
  Complex twiddle(int64_t f, int64_t a, int64_t b) const {
    const int64_t u = f / half_, v = f % half_, p = (k_ - 1) / 2;
    const double phase = 2.0 * std::acos(-1.0) *
                         (static_cast<double>(u * (a - p)) / h_ + static_cast<double>(v * (b - p)) / w_);
    return {std::cos(phase), std::sin(phase)};
  }

  int64_t frequencies() const { return h_ * half_; }
  // [frequency][row][column]: What, or its LU factors after factor().
  const std::vector<Complex>& matrices() const { return m_; }
  // [frequency][row]: the row of What that became row r of the factors.
  const std::vector<int64_t>& pivots() const { return pivots_; }

  // LU with partial pivoting of every What; throws for the first frequency with a pivot below min_pivot.
  void factor(double min_pivot, int threads) {
    pivots_.resize(static_cast<size_t>(frequencies() * c_));
    std::vector<int64_t> failed_column(static_cast<size_t>(frequencies()), -1);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t f = 0; f < frequencies(); ++f) failed_column[f] = factor_one(f, min_pivot);
    for (int64_t f = 0; f < frequencies(); ++f) {
      if (failed_column[f] < 0) continue;
      const int64_t col = failed_column[f];
      const double pivot = std::abs(m_[f * c_ * c_ + col * c_ + col]);
      const std::string where = "frequency (u, v) = (" + std::to_string(f / half_) + ", " + std::to_string(f % half_) +
                                "), channel " + std::to_string(col) + ": |pivot| of What(u, v) is ";
      if (pivot == 0.0) {
        throw KernelError(KernelError::Kind::singular, "the periodic kernel is singular at " + where +
                                                           "0, so the layer has no inverse");
      }
      throw KernelError(KernelError::Kind::near_singular,
                        "the periodic kernel is nearly singular at " + where + pivot_number(pivot) + ", " +
                            pivot_number(min_pivot / pivot) + " times below the threshold " + pivot_number(min_pivot));
    }
  }

  double log_abs_det() const {
    double sum = 0.0;
    for (int64_t f = 0; f < frequencies(); ++f) {
      double term = 0.0;
      for (int64_t r = 0; r < c_; ++r) term += std::log(std::abs(m_[f * c_ * c_ + r * c_ + r]));
      sum += spectrum_weight(f) * term;
    }
    return sum;
  }

  // out = op(What(f)) in for `count` vectors split into real and imaginary planes [channel][vector]; the
  // solves need factor() first. Overwrites `in`.
  void apply(FrequencyOp op, int64_t f, double* in_re, double* in_im, double* out_re, double* out_im,
             int64_t count) const;

  // How often frequency f of the half spectrum stands in the full one: columns 0 < v < W - v also stand
  // for their conjugates W - v.
  double spectrum_weight(int64_t f) const {
    const int64_t v = f % half_;
    return (v == 0 || 2 * v == w_) ? 1.0 : 2.0;
  }

 private:
  // What(f) += t * tap (a C x C real matrix).
  void add_tap(int64_t f, Complex t, const double* tap);
  // Factors What(f) in place; returns the column of the first pivot below min_pivot, or -1.
  int64_t factor_one(int64_t f, double min_pivot);

  CpuVariant variant_;  // chosen once, so every frequency of a call is computed alike

  int64_t c_, h_, w_, half_, k_;
  std::vector<Complex> m_;        // [frequency][row][column]
  std::vector<int64_t> pivots_;   // [frequency][row]: row of What that became row r
};

}  // namespace nfx::kernels::detail
