// The baseline solve: raster-order back-substitution, one pixel after another on one thread, as in CInC.
#include "center_tap.hpp"
#include "checks.hpp"
#include "layer_plan.hpp"

namespace nfx::kernels {

template <typename T>
void triangular_inverse_raster(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                               const SolveOptions& options) {
  detail::check_kernel_shape(kernel);
  detail::check_image_shape(y, kernel.n, "y");
  detail::check_same_shape(y, "y", x, "x");
  detail::check_finite(kernel, "kernel");
  detail::check_finite(y, "y");
  const std::vector<double> inverse = detail::CenterTap(kernel, options.min_pivot).inverse(false);
  const detail::Geometry geo(corner, y.h, y.w);
  const int64_t channels = kernel.n, k = kernel.h, plane = y.h * y.w;
  std::vector<T> residual(static_cast<size_t>(channels));
  for (int64_t n = 0; n < y.n; ++n) {
    const T* rhs = y.data + n * channels * plane;
    T* out = x.data + n * channels * plane;
    for (int64_t ci = 0; ci < y.h; ++ci) {
      for (int64_t cj = 0; cj < y.w; ++cj) {
        const int64_t p = geo.offset(ci, cj);
        for (int64_t o = 0; o < channels; ++o) {
          T sum = rhs[o * plane + p];
          for (int64_t c = 0; c < channels; ++c) {
            for (int64_t a = std::max<int64_t>(0, k - 1 - ci); a < k; ++a) {
              for (int64_t b = std::max<int64_t>(0, k - 1 - cj); b < k; ++b) {
                if (a == k - 1 && b == k - 1) continue;
                const int64_t q = geo.offset(ci + a - (k - 1), cj + b - (k - 1));
                sum -= kernel.data[((o * channels + c) * k + a) * k + b] * out[c * plane + q];
              }
            }
          }
          residual[o] = sum;
        }
        for (int64_t o = 0; o < channels; ++o) {
          double v = 0.0;
          for (int64_t c = 0; c < channels; ++c) v += inverse[o * channels + c] * residual[c];
          out[o * plane + p] = static_cast<T>(v);
        }
      }
    }
  }
}

template void triangular_inverse_raster<float>(View4<const float>, Corner, View4<const float>, View4<float>,
                                               const SolveOptions&);
template void triangular_inverse_raster<double>(View4<const double>, Corner, View4<const double>, View4<double>,
                                                const SolveOptions&);

}  // namespace nfx::kernels
