// The per-frequency C x C complex algebra of the periodic layer: What(u, v) from the taps, its LU factors,
// and products and solves with the batch's vectors. The vectors come split into real and imaginary planes,
// [channel][item], so every update is a run of real multiply-adds over the batch items that the variant
// vectorizes.
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
// contiguous runs of real multiply-adds; the factors are written back interleaved. Columns are eliminated
// two at a time (a rank-2 update of the rows below), so the trailing rows, which for C = 64 no longer fit
// in L1, stream through the core once per two columns instead of once per column.
int64_t factor_frequency(std::complex<double>* matrix, int64_t* pivots, int64_t c, double min_pivot) {
  thread_local std::vector<double> planes;
  planes.resize(static_cast<size_t>(2 * c * c));
  double* re = planes.data();
  double* im = re + c * c;
  for (int64_t i = 0; i < c * c; ++i) re[i] = matrix[i].real(), im[i] = matrix[i].imag();
  for (int64_t r = 0; r < c; ++r) pivots[r] = r;

  // Brings the row with the largest |a[r][col]|^2, r >= col, to row col (partial pivoting; the squared
  // magnitude orders like the magnitude without a square root). False when that pivot is too small.
  auto pivot = [&](int64_t col) {
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
    return std::sqrt(best_norm) >= min_pivot && best_norm != 0.0;
  };
  // Divides a[r][col] by the pivot for every r > col: the multipliers, stored where they eliminate.
  auto multipliers = [&](int64_t col) {
    const auto [pr, pi] = reciprocal(re[col * c + col], im[col * c + col]);
    for (int64_t r = col + 1; r < c; ++r) {
      const double xr = re[r * c + col], xi = im[r * c + col];
      re[r * c + col] = xr * pr - xi * pi;
      im[r * c + col] = xr * pi + xi * pr;
    }
  };

  int64_t failed = -1;
  for (int64_t col = 0; col < c && failed < 0; col += 2) {
    if (!pivot(col)) {
      failed = col;
      break;
    }
    multipliers(col);
    const int64_t next = col + 1;
    if (next == c) break;
    for (int64_t r = next; r < c; ++r) {  // column `next` only, so it can be pivoted on
      re[r * c + next] -= re[r * c + col] * re[col * c + next] - im[r * c + col] * im[col * c + next];
      im[r * c + next] -= re[r * c + col] * im[col * c + next] + im[r * c + col] * re[col * c + next];
    }
    if (!pivot(next)) {
      failed = next;
      break;
    }
    multipliers(next);
    const double *ar = re + col * c, *ai = im + col * c, *br = re + next * c, *bi = im + next * c;
    // The pivot row `next` gets column col's update, then every row below both at once:
    // a[r] -= l0 a[col] + l1 a[next].
    const double nr = re[next * c + col], ni = im[next * c + col];
    for (int64_t j = next + 1; j < c; ++j) {
      re[next * c + j] -= nr * ar[j] - ni * ai[j];
      im[next * c + j] -= nr * ai[j] + ni * ar[j];
    }
    for (int64_t r = next + 1; r < c; ++r) {
      const double l0r = re[r * c + col], l0i = im[r * c + col], l1r = re[r * c + next], l1i = im[r * c + next];
      double* xr = re + r * c;
      double* xi = im + r * c;
      for (int64_t j = next + 1; j < c; ++j) {
        xr[j] -= l0r * ar[j] - l0i * ai[j] + l1r * br[j] - l1i * bi[j];
        xi[j] -= l0r * ai[j] + l0i * ar[j] + l1r * bi[j] + l1i * br[j];
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

void add_scaled(double tr, double ti, const double* a, double* m, int64_t count) {
  for (int64_t i = 0; i < count; ++i) {
    m[2 * i] += tr * a[i];
    m[2 * i + 1] += ti * a[i];
  }
}

NFX_VARIANT_END
