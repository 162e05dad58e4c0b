// The per-frequency C x C complex algebra of the periodic layer: LU factors of What(u, v), and products and
// solves with the batch's vectors. The vectors come split into real and imaginary planes, [channel][item],
// so every update is a run of real multiply-adds over the batch items that the variant vectorizes.
// Compiled per variant.
#include "variants.hpp"

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "variant.hpp"

NFX_VARIANT_BEGIN

namespace {

// y[n] += w x[n] (complex w, split vectors of `count` items).
inline void add_product(double wr, double wi, const double* xr, const double* xi, double* yr, double* yi,
                        int64_t count) {
  for (int64_t n = 0; n < count; ++n) {
    yr[n] += wr * xr[n] - wi * xi[n];
    yi[n] += wr * xi[n] + wi * xr[n];
  }
}

// y[n] *= w.
inline void scale(double wr, double wi, double* yr, double* yi, int64_t count) {
  for (int64_t n = 0; n < count; ++n) {
    const double r = yr[n], i = yi[n];
    yr[n] = wr * r - wi * i;
    yi[n] = wr * i + wi * r;
  }
}

std::pair<double, double> reciprocal(double re, double im) {
  const double norm = re * re + im * im;
  return {re / norm, -im / norm};
}

}  // namespace

// Factors on split copies of the rows (real and imaginary planes), so the elimination's row updates are
// contiguous runs of real multiply-adds; the factors are written back interleaved.
int64_t factor_frequency(std::complex<double>* matrix, int64_t* pivots, int64_t c, double min_pivot) {
  thread_local std::vector<double> planes;
  planes.resize(static_cast<size_t>(2 * c * c));
  double* re = planes.data();
  double* im = re + c * c;
  for (int64_t i = 0; i < c * c; ++i) re[i] = matrix[i].real(), im[i] = matrix[i].imag();
  int64_t failed = -1;
  for (int64_t r = 0; r < c; ++r) pivots[r] = r;
  for (int64_t col = 0; col < c && failed < 0; ++col) {
    // Partial pivoting by |pivot|^2, which orders like |pivot| without a square root per candidate.
    int64_t best = col;
    double best_norm = -1.0;
    for (int64_t r = col; r < c; ++r) {
      const double norm = re[r * c + col] * re[r * c + col] + im[r * c + col] * im[r * c + col];
      if (norm > best_norm) best = r, best_norm = norm;
    }
    if (best != col) {
      std::swap_ranges(re + col * c, re + (col + 1) * c, re + best * c);
      std::swap_ranges(im + col * c, im + (col + 1) * c, im + best * c);
      std::swap(pivots[col], pivots[best]);
    }
    if (!(std::sqrt(best_norm) >= min_pivot) || best_norm == 0.0) {
      failed = col;
      break;
    }
    const auto [pr, pi] = reciprocal(re[col * c + col], im[col * c + col]);
    const double* ur = re + col * c;
    const double* ui = im + col * c;
    for (int64_t r = col + 1; r < c; ++r) {
      double* xr = re + r * c;
      double* xi = im + r * c;
      const double fr = xr[col] * pr - xi[col] * pi, fi = xr[col] * pi + xi[col] * pr;
      xr[col] = fr;
      xi[col] = fi;
      for (int64_t j = col + 1; j < c; ++j) {  // row r -= f * pivot row
        const double a = ur[j], b = ui[j];
        xr[j] -= fr * a - fi * b;
        xi[j] -= fr * b + fi * a;
      }
    }
  }
  for (int64_t i = 0; i < c * c; ++i) matrix[i] = {re[i], im[i]};
  return failed;
}

void apply_frequency(FrequencyOp op, const std::complex<double>* matrix, const int64_t* pivots, int64_t c,
                     double* in_re, double* in_im, double* out_re, double* out_im, int64_t count) {
  const double* m = reinterpret_cast<const double*>(matrix);
  auto re = [&](int64_t r, int64_t col) { return m[2 * (r * c + col)]; };
  auto im = [&](int64_t r, int64_t col) { return m[2 * (r * c + col) + 1]; };
  double* yr = out_re;
  double* yi = out_im;
  switch (op) {
    case FrequencyOp::multiply:  // y_o = sum_c W[o][c] x_c
    case FrequencyOp::multiply_adjoint:  // y_c = sum_o conj(W[o][c]) x_o
      std::fill(yr, yr + c * count, 0.0);
      std::fill(yi, yi + c * count, 0.0);
      for (int64_t o = 0; o < c; ++o) {
        for (int64_t i = 0; i < c; ++i) {
          if (op == FrequencyOp::multiply) {
            add_product(re(o, i), im(o, i), in_re + i * count, in_im + i * count, yr + o * count, yi + o * count, count);
          } else {
            add_product(re(o, i), -im(o, i), in_re + o * count, in_im + o * count, yr + i * count, yi + i * count, count);
          }
        }
      }
      return;
    case FrequencyOp::solve:  // P W = L U: L y = P b (unit diagonal), then U x = y
      for (int64_t r = 0; r < c; ++r) {
        std::copy(in_re + pivots[r] * count, in_re + (pivots[r] + 1) * count, yr + r * count);
        std::copy(in_im + pivots[r] * count, in_im + (pivots[r] + 1) * count, yi + r * count);
        for (int64_t j = 0; j < r; ++j) {
          add_product(-re(r, j), -im(r, j), yr + j * count, yi + j * count, yr + r * count, yi + r * count, count);
        }
      }
      for (int64_t r = c - 1; r >= 0; --r) {
        for (int64_t j = r + 1; j < c; ++j) {
          add_product(-re(r, j), -im(r, j), yr + j * count, yi + j * count, yr + r * count, yi + r * count, count);
        }
        const auto [pr, pi] = reciprocal(re(r, r), im(r, r));
        scale(pr, pi, yr + r * count, yi + r * count, count);
      }
      return;
    case FrequencyOp::solve_adjoint:  // W^H = U^H L^H P: U^H z = b (lower), L^H w = z (unit upper), x = P^T w
      yr = in_re;  // z and w overwrite b
      yi = in_im;
      for (int64_t r = 0; r < c; ++r) {
        for (int64_t j = 0; j < r; ++j) {
          add_product(-re(j, r), im(j, r), yr + j * count, yi + j * count, yr + r * count, yi + r * count, count);
        }
        const auto [pr, pi] = reciprocal(re(r, r), -im(r, r));
        scale(pr, pi, yr + r * count, yi + r * count, count);
      }
      for (int64_t r = c - 1; r >= 0; --r) {
        for (int64_t j = r + 1; j < c; ++j) {
          add_product(-re(j, r), im(j, r), yr + j * count, yi + j * count, yr + r * count, yi + r * count, count);
        }
      }
      for (int64_t r = 0; r < c; ++r) {
        std::copy(yr + r * count, yr + (r + 1) * count, out_re + pivots[r] * count);
        std::copy(yi + r * count, yi + (r + 1) * count, out_im + pivots[r] * count);
      }
      return;
  }
}

NFX_VARIANT_END
