#include "layout.hpp"

#include "layer_plan.hpp"  // Vec, VecU, kLanes

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace nfx::kernels::detail {

namespace {

// Stage B of an in-place L x L transpose held as L row vectors: swaps the off-diagonal B x B sub-blocks of
// every 2B x 2B block with two-source shuffles whose masks are compile-time constants.
template <typename T, int B, size_t... J>
void transpose_stage(Vec<T>* rows, std::index_sequence<J...>) {
  using Mask = typename VectorTypes<T>::index;
  constexpr int lanes = kLanes<T>;
  constexpr Mask low{((J & B) ? lanes + static_cast<int>(J) - B : static_cast<int>(J))...};  // row i
  constexpr Mask high{((J & B) ? lanes + static_cast<int>(J) : static_cast<int>(J) + B)...};  // row i + B
  for (int i = 0; i < lanes; ++i) {
    if (i & B) continue;
    const Vec<T> a = rows[i], c = rows[i + B];
    rows[i] = __builtin_shuffle(a, c, low);
    rows[i + B] = __builtin_shuffle(a, c, high);
  }
}

template <typename T>
void transpose_block(Vec<T>* rows) {
  using Lanes = std::make_index_sequence<kLanes<T>>;
  if constexpr (kLanes<T> == 16) transpose_stage<T, 8>(rows, Lanes{});
  transpose_stage<T, 4>(rows, Lanes{});
  transpose_stage<T, 2>(rows, Lanes{});
  transpose_stage<T, 1>(rows, Lanes{});
}

// Lanes of `bad` become non-zero where a value of `v` is NaN or infinite (all exponent bits set).
template <typename T>
void mark_not_finite(const Vec<T>& v, typename VectorTypes<T>::index& bad) {
  using Bits = typename VectorTypes<T>::index;
  using Lane = std::remove_reference_t<decltype(Bits{}[0])>;
  constexpr Lane exponent = sizeof(T) == 4 ? Lane(0x7f800000) : Lane(0x7ff0000000000000ll);
  bad |= ((Bits)v & exponent) == exponent;
}

// dst(q, c) = src(c, q) for a block of `lanes` channels and `lanes` pixels: rows of src are `src_stride`
// apart, rows of dst `dst_stride` apart.
template <typename T>
void transpose_tile(const T* src, int64_t src_stride, T* dst, int64_t dst_stride,
                    typename VectorTypes<T>::index& bad) {
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
  typename VectorTypes<T>::index bad{};
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
  typename VectorTypes<T>::index unused{};
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

template <typename T>
T* scratch(int slot, int64_t count) {
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  struct Buffer {
    std::unique_ptr<T, Free> data;
    int64_t size = 0;
  };
  thread_local std::vector<Buffer> buffers;
  if (static_cast<int>(buffers.size()) <= slot) buffers.resize(static_cast<size_t>(slot + 1));
  Buffer& b = buffers[static_cast<size_t>(slot)];
  if (b.size < count) {
    const size_t bytes = (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64;
    b.data.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
    if (!b.data) throw std::bad_alloc();
    b.size = count;
  }
  return b.data.get();
}

#define NFX_INSTANTIATE(T)                                                                 \
  template bool nchw_to_nhwc<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);    \
  template void nhwc_to_nchw<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);    \
  template T* scratch<T>(int, int64_t);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels::detail
