// Weight gradient of a triangular layer and the backward pass of its inverse (Inverse-Flow).
#include "checks.hpp"
#include "layer_plan.hpp"
#include "layout.hpp"
#include "pixel_engine.hpp"

#include <algorithm>

namespace nfx::kernels {

namespace {

using detail::Vec;

// partial[o][c] (row-major, padded_channels() columns) = sum over the pixels where tap (a, b) stays in the
// image of g[p][o] * x[p + tap][c], for one batch item in NHWC. Output rows are taken OB at a time and input
// channels CB vectors at a time, so the OB x CB accumulators stay in registers while the pixels stream by.
template <typename T, int CB>
void tap_outer_products(const detail::Geometry& geo, int64_t channels, int vectors, int64_t k, int64_t a, int64_t b,
                        const T* g, const T* x, T* partial) {
  // At most one vector's worth of rows, so rows past `channels` stay inside the pixel's padded lanes.
  constexpr int OB = std::min(16 / CB, detail::kLanes<T>);
  const int64_t stride = static_cast<int64_t>(vectors) * detail::kLanes<T>;
  const int64_t shift = (a - (k - 1)) * geo.row_step + (b - (k - 1)) * geo.col_step;
  for (int64_t o0 = 0; o0 < channels; o0 += OB) {
    const int rows = static_cast<int>(std::min<int64_t>(OB, channels - o0));
    for (int v0 = 0; v0 < vectors; v0 += CB) {
      Vec<T> acc[OB][CB] = {};
      for (int64_t ci = k - 1 - a; ci < geo.height; ++ci) {
        for (int64_t cj = k - 1 - b; cj < geo.width; ++cj) {
          const int64_t p = geo.offset(ci, cj);
          const Vec<T>* xv = reinterpret_cast<const Vec<T>*>(x + p + shift) + v0;
          const T* gp = g + p + o0;
          for (int r = 0; r < OB; ++r) {
            const T scale = gp[r];  // rows past `channels` read padding lanes, which are zero
            for (int v = 0; v < CB; ++v) acc[r][v] += xv[v] * scale;
          }
        }
      }
      for (int r = 0; r < rows; ++r) {
        Vec<T>* out = reinterpret_cast<Vec<T>*>(partial + (o0 + r) * stride) + v0;
        for (int v = 0; v < CB; ++v) out[v] = acc[r][v];
      }
    }
  }
}

}  // namespace

// Both arrays go to NHWC once; then each (batch item, tap) is one task that sums its outer products in a
// fixed order, and the items' partial sums are added in item order: reproducible for any thread count.
template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            int threads) {
  detail::check_kernel_shape(grad_kernel);
  detail::check_image_shape(x, grad_kernel.n, "x");
  detail::check_same_shape(x, "x", grad_y, "grad_y");
  detail::check_finite(x, "x");
  detail::check_finite(grad_y, "grad_y");
  threads = detail::thread_count(threads);
  const int64_t channels = grad_kernel.n, k = grad_kernel.h, batch = x.n, plane = x.h * x.w;
  const int vectors = static_cast<int>((channels + detail::kLanes<T> - 1) / detail::kLanes<T>);
  const int cb = vectors == 1 ? 1 : 2;
  const int padded_vectors = (vectors + cb - 1) / cb * cb;
  const int64_t stride = static_cast<int64_t>(padded_vectors) * detail::kLanes<T>, item = plane * stride;
  const int64_t taps = k * k, block = channels * stride;  // one tap's partial: C rows of `stride`
  const detail::Geometry geo(corner, x.h, x.w, stride);
  T* x_nhwc = detail::scratch<T>(0, batch * item);
  T* g_nhwc = detail::scratch<T>(1, batch * item);
  T* partial = detail::scratch<T>(2, batch * taps * block);
#pragma omp parallel num_threads(threads)
  {
#pragma omp for schedule(static)
    for (int64_t n = 0; n < batch; ++n) {
      detail::nchw_to_nhwc(x.data + n * channels * plane, x_nhwc + n * item, 1, channels, plane, stride);
      detail::nchw_to_nhwc(grad_y.data + n * channels * plane, g_nhwc + n * item, 1, channels, plane, stride);
    }
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < batch * taps; ++task) {
      const int64_t n = task / taps, t = task % taps;
      T* out = partial + task * block;
      if (cb == 1) {
        tap_outer_products<T, 1>(geo, channels, padded_vectors, k, t / k, t % k, g_nhwc + n * item, x_nhwc + n * item, out);
      } else {
        tap_outer_products<T, 2>(geo, channels, padded_vectors, k, t / k, t % k, g_nhwc + n * item, x_nhwc + n * item, out);
      }
    }
#pragma omp for schedule(static)
    for (int64_t oc = 0; oc < channels * channels; ++oc) {
      const int64_t o = oc / channels, c = oc % channels;
      for (int64_t t = 0; t < taps; ++t) {
        T sum = 0;
        for (int64_t n = 0; n < batch; ++n) sum += partial[(n * taps + t) * block + o * stride + c];
        grad_kernel.data[oc * taps + t] = sum;
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
