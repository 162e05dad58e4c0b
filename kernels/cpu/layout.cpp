// NCHW <-> NHWC conversion for the pixel engine and the weight gradient, one lanes x lanes tile of
// (channel, pixel) at a time, transposed in registers. Compiled per variant.
#include "variants.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "variant.hpp"

NFX_VARIANT_BEGIN

namespace {

// Stage B of an in-place L x L transpose held as L row vectors: swaps the off-diagonal B x B sub-blocks of
// every 2B x 2B block with two-source shuffles whose masks are compile-time constants.
template <typename T, int B, size_t... J>
void transpose_stage(Vec<T>* rows, std::index_sequence<J...>) {
  constexpr int lanes = kLanes<T>;
  constexpr VecIndex<T> low{((J & B) ? lanes + static_cast<int>(J) - B : static_cast<int>(J))...};  // row i
  constexpr VecIndex<T> high{((J & B) ? lanes + static_cast<int>(J) : static_cast<int>(J) + B)...};  // row i + B
  for (int i = 0; i < lanes; ++i) {
    if (i & B) continue;
    const Vec<T> a = rows[i], c = rows[i + B];
    rows[i] = __builtin_shuffle(a, c, low);
    rows[i + B] = __builtin_shuffle(a, c, high);
  }
}

template <typename T, int B = kLanes<T> / 2>
void transpose_block(Vec<T>* rows) {
  transpose_stage<T, B>(rows, std::make_index_sequence<kLanes<T>>{});
  if constexpr (B > 1) transpose_block<T, B / 2>(rows);
}

// Lanes of `bad` become non-zero where a value of `v` is NaN or infinite (all exponent bits set).
template <typename T>
void mark_not_finite(const Vec<T>& v, VecIndex<T>& bad) {
  using Lane = typename VectorTypes<T, kVectorBytes>::Lane;
  constexpr Lane exponent = sizeof(T) == 4 ? Lane(0x7f800000) : Lane(0x7ff0000000000000ll);
  bad |= ((VecIndex<T>)v & exponent) == exponent;
}

// dst(q, c) = src(c, q) for a block of `lanes` channels and `lanes` pixels: rows of src are `src_stride`
// apart, rows of dst `dst_stride` apart.
template <typename T>
void transpose_tile(const T* src, int64_t src_stride, T* dst, int64_t dst_stride, VecIndex<T>& bad) {
  Vec<T> rows[kLanes<T>];
  for (int i = 0; i < kLanes<T>; ++i) {
    rows[i] = *reinterpret_cast<const VecU<T>*>(src + i * src_stride);
    mark_not_finite<T>(rows[i], bad);
  }
  transpose_block<T>(rows);
  for (int i = 0; i < kLanes<T>; ++i) *reinterpret_cast<VecU<T>*>(dst + i * dst_stride) = rows[i];
}

}  // namespace

template <typename T>
bool nchw_to_nhwc(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride) {
  constexpr int64_t lanes = kLanes<T>;
  VecIndex<T> bad{};
  bool finite = true;
  const int64_t tiles = (plane + lanes - 1) / lanes;
  for (int64_t t = 0; t < batch * tiles; ++t) {
    const int64_t n = t / tiles, p0 = t % tiles * lanes, count = std::min(lanes, plane - p0);
    const T* in = src + n * channels * plane + p0;
    T* out = dst + (n * plane + p0) * stride;
    int64_t c0 = 0;
    if (count == lanes) {
      for (; c0 + lanes <= channels; c0 += lanes) transpose_tile(in + c0 * plane, plane, out + c0, stride, bad);
    }
    for (int64_t c = c0; c < channels; ++c) {
      for (int64_t q = 0; q < count; ++q) {
        out[q * stride + c] = in[c * plane + q];
        finite = finite && std::isfinite(in[c * plane + q]);
      }
    }
    // Zero padding lanes: stale values there could be denormals, which are slow to compute with.
    for (int64_t q = 0; q < count; ++q) std::fill(out + q * stride + channels, out + (q + 1) * stride, T(0));
  }
  for (int l = 0; l < kLanes<T>; ++l) finite = finite && bad[l] == 0;
  return finite;
}

template <typename T>
void nhwc_to_nchw(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride) {
  constexpr int64_t lanes = kLanes<T>;
  VecIndex<T> unused{};
  const int64_t tiles = (plane + lanes - 1) / lanes;
  for (int64_t t = 0; t < batch * tiles; ++t) {
    const int64_t n = t / tiles, p0 = t % tiles * lanes, count = std::min(lanes, plane - p0);
    const T* in = src + (n * plane + p0) * stride;
    T* out = dst + n * channels * plane + p0;
    int64_t c0 = 0;
    if (count == lanes) {
      for (; c0 + lanes <= channels; c0 += lanes) transpose_tile(in + c0, stride, out + c0 * plane, plane, unused);
    }
    for (int64_t c = c0; c < channels; ++c) {
      for (int64_t q = 0; q < count; ++q) out[c * plane + q] = in[q * stride + c];
    }
  }
}

#define NFX_INSTANTIATE(T)                                                               \
  template bool nchw_to_nhwc<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t); \
  template void nhwc_to_nchw<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

NFX_VARIANT_END
