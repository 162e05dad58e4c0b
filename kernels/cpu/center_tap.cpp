#include "center_tap.hpp"

#include <cmath>
#include <cstdio>
#include <string>

namespace nfx::kernels::detail {

namespace {

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

bool lower_triangular(const std::vector<double>& a, int64_t c) {
  for (int64_t r = 0; r < c; ++r) {
    for (int64_t col = r + 1; col < c; ++col) {
      if (a[r * c + col] != 0.0) return false;
    }
  }
  return true;
}

[[noreturn]] void refuse(double pivot, double min_pivot, const std::string& where) {
  if (pivot == 0.0) {
    throw KernelError(KernelError::Kind::singular,
                      "the kernel is singular: " + where + " is 0, so det Kc = 0 (Kc = K[:,:,k-1,k-1]) and the layer "
                      "has no inverse");
  }
  throw KernelError(KernelError::Kind::near_singular,
                    "the kernel is nearly singular: " + where + " is " + number(pivot) + ", " +
                        number(min_pivot / std::fabs(pivot)) + " times below the threshold " + number(min_pivot) +
                        " (Kc = K[:,:,k-1,k-1]); the inverse would amplify noise by about 1/|pivot|");
}

}  // namespace

template <typename T>
CenterTap::CenterTap(View4<const T> kernel, double min_pivot) : c_(kernel.n) {
  const int64_t k = kernel.h, c = c_;
  lu_.resize(static_cast<size_t>(c * c));
  for (int64_t o = 0; o < c; ++o) {
    for (int64_t i = 0; i < c; ++i) lu_[o * c + i] = static_cast<double>(kernel.data[((o * c + i) * k + k - 1) * k + k - 1]);
  }
  pivots_.resize(static_cast<size_t>(c));
  for (int64_t r = 0; r < c; ++r) pivots_[r] = r;

  if (lower_triangular(lu_, c)) {
    // P = I, L = Kc with its diagonal divided out, U = diag(Kc): pivot r is Kc[r,r].
    for (int64_t r = 0; r < c; ++r) {
      const double d = lu_[r * c + r];
      if (!(std::fabs(d) >= min_pivot)) refuse(d, min_pivot, "channel " + std::to_string(r) + ": Kc[" +
                                                                   std::to_string(r) + "," + std::to_string(r) + "]");
    }
    for (int64_t r = 0; r < c; ++r) {
      for (int64_t col = 0; col < r; ++col) lu_[r * c + col] /= lu_[col * c + col];
    }
    return;
  }
  // Doolittle LU with partial pivoting.
  for (int64_t col = 0; col < c; ++col) {
    int64_t best = col;
    for (int64_t r = col + 1; r < c; ++r) {
      if (std::fabs(lu_[r * c + col]) > std::fabs(lu_[best * c + col])) best = r;
    }
    if (best != col) {
      for (int64_t j = 0; j < c; ++j) std::swap(lu_[col * c + j], lu_[best * c + j]);
      std::swap(pivots_[col], pivots_[best]);
    }
    const double p = lu_[col * c + col];
    if (!(std::fabs(p) >= min_pivot)) {
      refuse(p, min_pivot, "channel " + std::to_string(col) + ": pivot " + std::to_string(col) +
                               " of Kc (LU with partial pivoting)");
    }
    for (int64_t r = col + 1; r < c; ++r) {
      const double f = lu_[r * c + col] /= p;
      for (int64_t j = col + 1; j < c; ++j) lu_[r * c + j] -= f * lu_[col * c + j];
    }
  }
}

double CenterTap::log_abs_det() const {
  double sum = 0.0;
  for (int64_t r = 0; r < c_; ++r) sum += std::log(std::fabs(lu_[r * c_ + r]));
  return sum;
}

std::vector<double> CenterTap::inverse(bool transposed) const {
  const int64_t c = c_;
  std::vector<double> inv(static_cast<size_t>(c * c));
  std::vector<double> column(static_cast<size_t>(c));
  for (int64_t e = 0; e < c; ++e) {
    // Solve Kc x = unit vector e: L U x = P e.
    for (int64_t r = 0; r < c; ++r) column[r] = pivots_[r] == e ? 1.0 : 0.0;
    for (int64_t r = 0; r < c; ++r) {
      for (int64_t j = 0; j < r; ++j) column[r] -= lu_[r * c + j] * column[j];
    }
    for (int64_t r = c - 1; r >= 0; --r) {
      for (int64_t j = r + 1; j < c; ++j) column[r] -= lu_[r * c + j] * column[j];
      column[r] /= lu_[r * c + r];
    }
    for (int64_t r = 0; r < c; ++r) (transposed ? inv[e * c + r] : inv[r * c + e]) = column[r];
  }
  return inv;
}

template CenterTap::CenterTap(View4<const float>, double);
template CenterTap::CenterTap(View4<const double>, double);

}  // namespace nfx::kernels::detail
