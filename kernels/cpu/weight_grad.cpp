// The weight gradient of a triangular layer, dL/dK[o,c,a,b] = sum_{n,i,j} G[n,o,i,j] X at the tap, as
// register-blocked outer products over NHWC copies of X and G. Compiled per variant.
#include "layer_plan.hpp"  // Geometry
#include "scratch.hpp"
#include "variants.hpp"

#include <algorithm>

#include "variant.hpp"

NFX_VARIANT_BEGIN

namespace {

// Accumulators of one block: OB output rows x CB input vectors, as many as leave registers for the CB
// input vectors and a broadcast.
constexpr int kAccumulators = kVectorRegisters >= 32 ? 16 : 12;
// Pixels of one row summed between loads and stores of the accumulators: their X and G stay in L1 while
// every (row block, vector block) of the partial sums passes over them.
constexpr int64_t kTilePixels = 32;

// partial[o][c] (row-major, `stride` columns) += sum over the pixels where tap (a, b) stays in the image of
// g[p][o] * x[p + tap][c], for one batch item in NHWC, OB output rows x CB input vectors at a time.
template <typename T, int CB, int OB>
void tap_outer_products_in_blocks(const Geometry& geo, int64_t channels, int64_t stride, int64_t k, int64_t a,
                                  int64_t b, const T* g, const T* x, T* partial) {
  const int vectors = static_cast<int>(stride / kLanes<T>);
  const int64_t shift = (a - (k - 1)) * geo.row_step + (b - (k - 1)) * geo.col_step;
  for (int64_t ci = k - 1 - a; ci < geo.height; ++ci) {
    for (int64_t tile = k - 1 - b; tile < geo.width; tile += kTilePixels) {
      const int64_t tile_end = std::min(geo.width, tile + kTilePixels);
      for (int64_t o0 = 0; o0 < channels; o0 += OB) {
        const int rows = static_cast<int>(std::min<int64_t>(OB, channels - o0));
        for (int v0 = 0; v0 < vectors; v0 += CB) {
          Vec<T> acc[OB][CB] = {};
          for (int r = 0; r < rows; ++r) {
            for (int v = 0; v < CB; ++v) acc[r][v] = reinterpret_cast<const Vec<T>*>(partial + (o0 + r) * stride)[v0 + v];
          }
          for (int64_t cj = tile; cj < tile_end; ++cj) {
            const int64_t p = geo.offset(ci, cj);
            const Vec<T>* xv = reinterpret_cast<const Vec<T>*>(x + p + shift) + v0;
            const T* gp = g + p + o0;
            // Fully unrolled, so the accumulators live in registers. Rows past `channels` read the padding
            // lanes or the next pixel (or the slack after the last); they are never stored.
#pragma GCC unroll 16
            for (int r = 0; r < OB; ++r) {
              const T scale = gp[r];
#pragma GCC unroll 4
              for (int v = 0; v < CB; ++v) acc[r][v] += xv[v] * scale;
            }
          }
          for (int r = 0; r < rows; ++r) {
            for (int v = 0; v < CB; ++v) reinterpret_cast<Vec<T>*>(partial + (o0 + r) * stride)[v0 + v] = acc[r][v];
          }
        }
      }
    }
  }
}

// The same with as many rows at once as the registers hold, or fewer for a layer of few channels (FInC's
// channel quarters), whose unused rows would only cost time.
template <typename T, int CB>
void tap_outer_products(const Geometry& geo, int64_t channels, int64_t stride, int64_t k, int64_t a, int64_t b,
                        const T* g, const T* x, T* partial) {
  constexpr int rows = kAccumulators / CB;
  if (channels <= 1) return tap_outer_products_in_blocks<T, CB, 1>(geo, channels, stride, k, a, b, g, x, partial);
  if (channels <= 2) return tap_outer_products_in_blocks<T, CB, 2>(geo, channels, stride, k, a, b, g, x, partial);
  if (channels <= 4) return tap_outer_products_in_blocks<T, CB, 4>(geo, channels, stride, k, a, b, g, x, partial);
  tap_outer_products_in_blocks<T, CB, rows>(geo, channels, stride, k, a, b, g, x, partial);
}

}  // namespace

// Both arrays go to NHWC once; then each (batch item, tap) is one task that sums its outer products in a
// fixed order, and the items' partial sums are added in item order: reproducible for any thread count.
template <typename T>
void weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel, int threads) {
  threads = thread_count(threads);
  const int64_t channels = grad_kernel.n, k = grad_kernel.h, batch = x.n, plane = x.h * x.w;
  const int vectors = static_cast<int>((channels + kLanes<T> - 1) / kLanes<T>);
  const int cb = vectors == 1 ? 1 : 2;
  const int padded_vectors = (vectors + cb - 1) / cb * cb;
  const int64_t stride = static_cast<int64_t>(padded_vectors) * kLanes<T>, item = plane * stride;
  const int64_t taps = k * k, block = channels * stride;  // one tap's partial: C rows of `stride`
  const int64_t slack = kAccumulators;                     // read past the last pixel, never used
  const Geometry geo(corner, x.h, x.w, stride);
  T* x_nhwc = scratch<T>(0, batch * item);
  T* g_nhwc = scratch<T>(1, batch * item + slack);
  T* partial = scratch<T>(2, batch * taps * block);
  std::fill(g_nhwc + batch * item, g_nhwc + batch * item + slack, T(0));
#pragma omp parallel num_threads(threads)
  {
#pragma omp for schedule(static)
    for (int64_t n = 0; n < batch; ++n) {
      nchw_to_nhwc(x.data + n * channels * plane, x_nhwc + n * item, 1, channels, plane, stride);
      nchw_to_nhwc(grad_y.data + n * channels * plane, g_nhwc + n * item, 1, channels, plane, stride);
    }
#pragma omp for schedule(dynamic)
    for (int64_t task = 0; task < batch * taps; ++task) {
      const int64_t n = task / taps, t = task % taps;
      T* out = partial + task * block;
      std::fill(out, out + block, T(0));
      if (cb == 1) {
        tap_outer_products<T, 1>(geo, channels, stride, k, t / k, t % k, g_nhwc + n * item, x_nhwc + n * item, out);
      } else {
        tap_outer_products<T, 2>(geo, channels, stride, k, t / k, t % k, g_nhwc + n * item, x_nhwc + n * item, out);
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

template void weight_grad<float>(View4<const float>, View4<const float>, Corner, View4<float>, int);
template void weight_grad<double>(View4<const double>, View4<const double>, Corner, View4<double>, int);

NFX_VARIANT_END
