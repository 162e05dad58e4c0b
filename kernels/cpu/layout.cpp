#include "layout.hpp"

#include "layer_plan.hpp"  // Vec, VecU, kLanes

#include <algorithm>
#include <cstdlib>
#include <new>
#include <vector>

namespace nfx::kernels::detail {

namespace {

// Transposes an L x L block held as L row vectors, in place: log2(L) stages of two-source shuffles.
template <typename T>
void transpose_block(Vec<T>* rows) {
  constexpr int lanes = kLanes<T>;
  using Mask = typename VectorTypes<T>::index;
  using Index = std::remove_reference_t<decltype(Mask{}[0])>;
  for (int b = lanes / 2; b >= 1; b /= 2) {
    // Stage b swaps the off-diagonal b x b sub-blocks of every 2b x 2b block.
    Mask low{}, high{};
    for (int j = 0; j < lanes; ++j) {
      low[j] = static_cast<Index>((j & b) ? lanes + j - b : j);   // row i: its own j, or row i+b's j-b
      high[j] = static_cast<Index>((j & b) ? lanes + j : j + b);  // row i+b: row i's j+b, or its own j
    }
    for (int i = 0; i < lanes; ++i) {
      if (i & b) continue;
      const Vec<T> a = rows[i], c = rows[i + b];
      rows[i] = __builtin_shuffle(a, c, low);
      rows[i + b] = __builtin_shuffle(a, c, high);
    }
  }
}

// dst(q, c) = src(c, q) for a block of `lanes` channels and `lanes` pixels: rows of src are `src_stride`
// apart, rows of dst `dst_stride` apart.
template <typename T>
void transpose_tile(const T* src, int64_t src_stride, T* dst, int64_t dst_stride) {
  Vec<T> rows[kLanes<T>];
  for (int i = 0; i < kLanes<T>; ++i) rows[i] = *reinterpret_cast<const VecU<T>*>(src + i * src_stride);
  transpose_block<T>(rows);
  for (int i = 0; i < kLanes<T>; ++i) *reinterpret_cast<VecU<T>*>(dst + i * dst_stride) = rows[i];
}

}  // namespace

template <typename T>
void nchw_to_nhwc(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride) {
  constexpr int64_t lanes = kLanes<T>;
  const int64_t tiles = (plane + lanes - 1) / lanes;
  for (int64_t t = 0; t < batch * tiles; ++t) {
    const int64_t n = t / tiles, p0 = t % tiles * lanes, count = std::min(lanes, plane - p0);
    const T* in = src + n * channels * plane + p0;
    T* out = dst + (n * plane + p0) * stride;
    int64_t c0 = 0;
    if (count == lanes) {
      for (; c0 + lanes <= channels; c0 += lanes) transpose_tile(in + c0 * plane, plane, out + c0, stride);
    }
    for (int64_t c = c0; c < channels; ++c) {
      for (int64_t q = 0; q < count; ++q) out[q * stride + c] = in[c * plane + q];
    }
    // Zero padding lanes: stale values there could be denormals, which are slow to compute with.
    for (int64_t q = 0; q < count; ++q) std::fill(out + q * stride + channels, out + (q + 1) * stride, T(0));
  }
}

template <typename T>
void nhwc_to_nchw(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride) {
  constexpr int64_t lanes = kLanes<T>;
  const int64_t tiles = (plane + lanes - 1) / lanes;
  for (int64_t t = 0; t < batch * tiles; ++t) {
    const int64_t n = t / tiles, p0 = t % tiles * lanes, count = std::min(lanes, plane - p0);
    const T* in = src + (n * plane + p0) * stride;
    T* out = dst + n * channels * plane + p0;
    int64_t c0 = 0;
    if (count == lanes) {
      for (; c0 + lanes <= channels; c0 += lanes) transpose_tile(in + c0, stride, out + c0 * plane, plane);
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
  template void nchw_to_nhwc<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);    \
  template void nhwc_to_nchw<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);    \
  template T* scratch<T>(int, int64_t);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels::detail
