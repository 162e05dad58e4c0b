// The centre tap Kc = K[:,:,k-1,k-1]: the diagonal block of every triangular layer. Its LU factors decide
// invertibility, give log|det| and the per-pixel C x C solve.
#pragma once

#include "nfx/kernels/tensor_view.hpp"

#include <vector>

namespace nfx::kernels::detail {

class CenterTap {
 public:
  // Factors Kc (in float64) and throws KernelError unless every pivot is at least min_pivot in magnitude.
  template <typename T>
  CenterTap(View4<const T> kernel, double min_pivot);

  double log_abs_det() const;  // log|det Kc|
  // Kc^-1 (or Kc^-T when transposed) in row-major order, for the per-pixel solve.
  std::vector<double> inverse(bool transposed) const;

 private:
  int64_t c_;
  std::vector<double> lu_;        // L (unit diagonal) and U of P Kc = L U, row-major
  std::vector<int64_t> pivots_;   // row of Kc that became row r of U
};

}  // namespace nfx::kernels::detail
