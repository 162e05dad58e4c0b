// The parts of FrequencyMatrices that run per frequency, handed to the CPU variant chosen for the call.
#include "frequency_matrices.hpp"

namespace nfx::kernels::detail {

void FrequencyMatrices::add_tap(int64_t f, Complex t, const double* tap) {
  NFX_DISPATCH_TO(variant_, add_scaled(t.real(), t.imag(), tap, reinterpret_cast<double*>(m_.data() + f * c_ * c_),
                                       c_ * c_))
}

int64_t FrequencyMatrices::factor_one(int64_t f, double min_pivot) {
  NFX_DISPATCH_TO(variant_, factor_frequency(m_.data() + f * c_ * c_, pivots_.data() + f * c_, c_, min_pivot))
}

void FrequencyMatrices::apply(FrequencyOp op, int64_t f, double* in_re, double* in_im, double* out_re, double* out_im,
                              int64_t count) const {
  const int64_t* pivots = pivots_.empty() ? nullptr : pivots_.data() + f * c_;
  NFX_DISPATCH_TO(variant_, apply_frequency(op, m_.data() + f * c_ * c_, pivots, c_, in_re, in_im, out_re, out_im,
                                            count))
}

}  // namespace nfx::kernels::detail
