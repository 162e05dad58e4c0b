// Weight gradient of a triangular layer and the backward pass of its inverse (Inverse-Flow).
#include "checks.hpp"
#include "layer_plan.hpp"
#include "pixel_engine.hpp"

namespace nfx::kernels {

namespace {

// sum_j g[j] * x[j] over [0, count), vectorized with a fixed summation order.
template <typename T>
T dot(const T* g, const T* x, int64_t count) {
  constexpr int lanes = detail::kLanes<T>;
  detail::Vec<T> acc{};
  int64_t j = 0;
  for (; j + lanes <= count; j += lanes) {
    acc += *reinterpret_cast<const detail::VecU<T>*>(g + j) * *reinterpret_cast<const detail::VecU<T>*>(x + j);
  }
  T sum = 0;
  for (; j < count; ++j) sum += g[j] * x[j];
  for (int l = 0; l < lanes; ++l) sum += acc[l];
  return sum;
}

}  // namespace

template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            int threads) {
  detail::check_kernel_shape(grad_kernel);
  detail::check_image_shape(x, grad_kernel.n, "x");
  detail::check_same_shape(x, "x", grad_y, "grad_y");
  detail::check_finite(x, "x");
  detail::check_finite(grad_y, "grad_y");
  const int64_t channels = grad_kernel.n, k = grad_kernel.h, h = x.h, w = x.w, plane = h * w;
  const bool flip_rows = detail::flips_rows(corner), flip_columns = detail::flips_columns(corner);
  // Each kernel entry is summed by one thread in a fixed order: reproducible for any thread count.
#pragma omp parallel for schedule(static) num_threads(detail::thread_count(threads))
  for (int64_t oc = 0; oc < channels * channels; ++oc) {
    const int64_t o = oc / channels, c = oc % channels;
    for (int64_t a = 0; a < k; ++a) {
      for (int64_t b = 0; b < k; ++b) {
        // The tap reads (row + dr, column + dj) in memory; canonical offsets a-(k-1), b-(k-1) flipped.
        const int64_t dr = flip_rows ? (k - 1) - a : a - (k - 1);
        const int64_t dj = flip_columns ? (k - 1) - b : b - (k - 1);
        const int64_t r0 = std::max<int64_t>(0, -dr), r1 = std::min(h, h - dr);
        const int64_t j0 = std::max<int64_t>(0, -dj), j1 = std::min(w, w - dj);
        T sum = 0;
        for (int64_t n = 0; n < x.n; ++n) {
          const T* g = grad_y.data + (n * channels + o) * plane;
          const T* in = x.data + (n * channels + c) * plane;
          for (int64_t r = r0; r < r1; ++r) {
            if (j1 > j0) sum += dot(g + r * w + j0, in + (r + dr) * w + j0 + dj, j1 - j0);
          }
        }
        grad_kernel.data[((o * channels + c) * k + a) * k + b] = sum;
      }
    }
  }
}

template <typename T>
void triangular_inverse_backward(View4<const T> kernel, Corner corner, View4<const T> y, View4<const T> grad_y,
                                 View4<T> grad_x, View4<T> grad_kernel, const SolveOptions& options) {
  detail::check_same_shape(kernel, "kernel", grad_kernel, "grad_kernel");
  // U = T^-T G is dL/dX.
  triangular_adjoint_inverse(kernel, corner, grad_y, grad_x, options);
  // dL/dK = -sum U (x) Y at each tap: the layer's output Y plays the input of a forward layer.
  triangular_weight_grad(y, as_const(grad_x), corner, grad_kernel, options.threads);
  for (int64_t i = 0; i < grad_kernel.size(); ++i) grad_kernel.data[i] = -grad_kernel.data[i];
}

#define NFX_INSTANTIATE(T)                                                                                  \
  template void triangular_weight_grad<T>(View4<const T>, View4<const T>, Corner, View4<T>, int);            \
  template void triangular_inverse_backward<T>(View4<const T>, Corner, View4<const T>, View4<const T>,       \
                                               View4<T>, View4<T>, const SolveOptions&);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
