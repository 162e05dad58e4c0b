// Runs a LayerPlan over pixels, diagonal by diagonal: the forward product (any order) and the wavefront
// solve (anti-diagonal d = ci + cj only after d - 1). Pixel instances (pixel, batch item) of one diagonal
// are independent; they are grouped so several accumulate at once (hiding FMA latency), vectorized
// across output channels, and spread over threads. Each instance is computed the same way whatever the
// grouping or thread count, so results are bitwise reproducible. Compiled per variant.
#include "layer_plan.hpp"
#include "scratch.hpp"
#include "variants.hpp"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <vector>

#include "variant.hpp"

NFX_VARIANT_BEGIN

namespace {

// Output vectors accumulated at once (BLOCK), and instances at once (kGroupSize): enough independent FMAs
// to hide their latency while every weight vector and every broadcast input is reused several times, and
// few enough accumulators that they, the BLOCK weight vectors and a broadcast stay in registers. With 32
// registers (AVX-512): 8 x 1, 6 x 2 or 6 x 4 accumulators; with 16 (AVX2, SSE2): 8 x 1 or 6 x 2 (measured
// with bench/kernels_cpu.sh).
constexpr int kMaxBlock = kVectorRegisters >= 32 ? 4 : 2;
template <int BLOCK>
constexpr int kGroupSize = BLOCK == 1 ? 8 : 6;

// Vectors per pixel over output channels: BLOCK divides them (they are padded with zero lanes).
template <typename T>
VectorLayout vector_layout(int64_t channels) {
  const int needed = static_cast<int>((channels + kLanes<T> - 1) / kLanes<T>);
  const int block = needed == 1 ? 1 : (kMaxBlock >= 4 && needed % 4 == 0) ? 4 : 2;
  return {kLanes<T>, (needed + block - 1) / block * block, block};
}

// Up to kGroupSize consecutive instances of one diagonal that share a pixel class (hence a tap list). The
// instances of a diagonal are (pixel, batch item) pairs, batch item fastest, pixels from (i, j) to
// (i + 1, j - 1) and so on.
struct Group {
  int32_t i, j;         // canonical pixel of the first instance
  int32_t n;            // batch item of the first instance
  int16_t count;
  int16_t pixel_class;
};

// The groups of `batch` items, anti-diagonal by anti-diagonal (d = i + j): the pixels of a diagonal depend
// only on earlier diagonals.
struct Schedule {
  int64_t batch = 0;
  std::vector<Group> groups;
  std::vector<size_t> diagonal_start;  // groups of diagonal d: [diagonal_start[d], diagonal_start[d + 1])
};

template <typename T>
Schedule make_schedule(const LayerPlan<T>& plan, int64_t batch, int group_size) {
  const int64_t h = plan.geometry.height, w = plan.geometry.width;
  Schedule s;
  s.batch = batch;
  for (int64_t d = 0; d < h + w - 1; ++d) {
    s.diagonal_start.push_back(s.groups.size());
    for (int64_t i = std::max<int64_t>(0, d - (w - 1)); i <= std::min(d, h - 1); ++i) {
      const int cls = plan.pixel_class(i, d - i);
      for (int64_t n = 0; n < batch; ++n) {
        Group* last = s.groups.size() > s.diagonal_start.back() ? &s.groups.back() : nullptr;
        if (last && last->pixel_class == cls && last->count < group_size) {
          ++last->count;
        } else {
          s.groups.push_back({static_cast<int32_t>(i), static_cast<int32_t>(d - i), static_cast<int32_t>(n), 1,
                              static_cast<int16_t>(cls)});
        }
      }
    }
  }
  s.diagonal_start.push_back(s.groups.size());
  return s;
}

// Sums the taps for G instances, BLOCK output vectors at a time, and stores the first `count` of them
// (a pixel owns padded_channels() values, 64-byte aligned).
template <typename T, int BLOCK, int G>
void accumulate(const LayerPlan<T>& plan, const std::vector<Tap>& taps, const int64_t* base, const T* in,
                const T* rhs, T* out, int count) {
  const int64_t channels = plan.channels;
  const int vectors = plan.layout.vectors;
  const Vec<T>* weights = reinterpret_cast<const Vec<T>*>(plan.weights.data());
  for (int v0 = 0; v0 < vectors; v0 += BLOCK) {
    Vec<T> acc[G][BLOCK] = {};
    for (const Tap& tap : taps) {
      const Vec<T>* wt = weights + tap.index * channels * vectors + v0;
      const T* src[G];
      for (int g = 0; g < G; ++g) src[g] = (tap.from_rhs ? rhs : in) + base[g] + tap.offset;
      for (int64_t c = 0; c < channels; ++c) {
        // Fully unrolled, so the G x BLOCK accumulators live in registers.
#pragma GCC unroll 16
        for (int g = 0; g < G; ++g) {
          const T x = src[g][c];
#pragma GCC unroll 8
          for (int v = 0; v < BLOCK; ++v) acc[g][v] += wt[c * vectors + v] * x;
        }
      }
    }
    for (int g = 0; g < count; ++g) {
      Vec<T>* to = reinterpret_cast<Vec<T>*>(out + base[g]) + v0;
      for (int v = 0; v < BLOCK; ++v) to[v] = acc[g][v];
    }
  }
}

template <typename T, int BLOCK, int G>
void run_group(const LayerPlan<T>& plan, const Schedule& schedule, const Group& group, const T* in, const T* rhs,
               T* out) {
  const int64_t image = plan.padded_channels() * plan.plane;
  int64_t base[G];
  for (int g = 0; g < G; ++g) {
    // Instances past the group's end repeat its first one; their results are not stored.
    const int64_t instance = group.n + (g < group.count ? g : 0);
    const int64_t along = instance / schedule.batch, n = instance % schedule.batch;
    base[g] = n * image + plan.geometry.offset(group.i + along, group.j - along);
  }
  accumulate<T, BLOCK, G>(plan, plan.taps[group.pixel_class], base, in, rhs, out, group.count);
}

// Runs every diagonal of the NHWC batch items in `source` (the input of a product, the right-hand side of a
// solve) into `result`, on one thread.
template <typename T, int BLOCK>
void run_all_diagonals(const LayerPlan<T>& plan, const Schedule& schedule, const T* source, T* result, bool solve) {
  const T* in = solve ? result : source;  // a solve reads the neighbours it has already solved
  for (const Group& group : schedule.groups) {
    run_group<T, BLOCK, kGroupSize<BLOCK>>(plan, schedule, group, in, source, result);
  }
}

// NCHW in and out. A product has no dependencies, and the batch items of a solve are independent: the
// batch is cut into chunks small enough that their NHWC copies stay in a core's cache, and threads take
// chunks as they come free. A solve with fewer batch items than threads shares the pixels of each
// diagonal instead, with a barrier between diagonals. Returns false, leaving `result` unspecified, when
// `source` holds a NaN or an infinity.
template <typename T, int BLOCK>
bool run(const LayerPlan<T>& plan, int64_t batch, const T* source, T* result, int threads, bool solve) {
  constexpr int G = kGroupSize<BLOCK>;
  const int64_t channels = plan.channels, stride = plan.padded_channels(), plane = plan.plane;
  const int64_t item_nchw = channels * plane, item_nhwc = stride * plane;
  std::atomic<bool> finite{true};
  if (!solve || batch >= threads) {
    constexpr int64_t kCacheBytes = 1 << 20;
    const int64_t chunk = std::max<int64_t>(1, kCacheBytes / (2 * item_nhwc * static_cast<int64_t>(sizeof(T))));
    const int64_t chunks = (batch + chunk - 1) / chunk;
#pragma omp parallel num_threads(static_cast<int>(std::min<int64_t>(threads, chunks)))
    {
      T* source_nhwc = scratch<T>(0, chunk * item_nhwc);
      T* result_nhwc = scratch<T>(1, chunk * item_nhwc);
      Schedule schedule;
#pragma omp for schedule(dynamic)
      for (int64_t c = 0; c < chunks; ++c) {
        const int64_t first = c * chunk, count = std::min(chunk, batch - first);
        if (!finite.load(std::memory_order_relaxed)) continue;
        if (!nchw_to_nhwc(source + first * item_nchw, source_nhwc, count, channels, plane, stride)) {
          finite = false;
          continue;
        }
        if (schedule.batch != count) schedule = make_schedule(plan, count, G);
        run_all_diagonals<T, BLOCK>(plan, schedule, source_nhwc, result_nhwc, solve);
        nhwc_to_nchw(result_nhwc, result + first * item_nchw, count, channels, plane, stride);
      }
    }
    return finite;
  }
  T* source_nhwc = scratch<T>(0, batch * item_nhwc);
  T* result_nhwc = scratch<T>(1, batch * item_nhwc);
  for (int64_t n = 0; n < batch; ++n) {
    if (!nchw_to_nhwc(source + n * item_nchw, source_nhwc + n * item_nhwc, 1, channels, plane, stride)) return false;
  }
  const Schedule schedule = make_schedule(plan, batch, G);
  const int64_t diagonals = plan.geometry.height + plan.geometry.width - 1;
#pragma omp parallel num_threads(threads)
  {
    for (int64_t d = 0; d < diagonals; ++d) {
      const int64_t g0 = static_cast<int64_t>(schedule.diagonal_start[d]);
      const int64_t g1 = static_cast<int64_t>(schedule.diagonal_start[d + 1]);
#pragma omp for schedule(static)
      for (int64_t g = g0; g < g1; ++g) {
        run_group<T, BLOCK, G>(plan, schedule, schedule.groups[g], result_nhwc, source_nhwc, result_nhwc);
      }
    }
#pragma omp for schedule(static)
    for (int64_t n = 0; n < batch; ++n) {
      nhwc_to_nchw(result_nhwc + n * item_nhwc, result + n * item_nchw, 1, channels, plane, stride);
    }
  }
  return true;
}

}  // namespace

template <typename T>
bool run_layer(View4<const T> kernel, const LayerCall& call, int64_t batch, int64_t height, int64_t width,
               const T* source, T* result, int threads) {
  const LayerPlan<T> plan(kernel, call.transposed, call.corner, height, width, call.solve, call.min_pivot,
                          vector_layout<T>(kernel.n));
  threads = thread_count(threads);
  switch (plan.layout.block) {
    case 1: return run<T, 1>(plan, batch, source, result, threads, call.solve);
    case 2: return run<T, 2>(plan, batch, source, result, threads, call.solve);
    default: return run<T, kMaxBlock>(plan, batch, source, result, threads, call.solve);
  }
}

template bool run_layer<float>(View4<const float>, const LayerCall&, int64_t, int64_t, int64_t, const float*, float*,
                               int);
template bool run_layer<double>(View4<const double>, const LayerCall&, int64_t, int64_t, int64_t, const double*,
                                double*, int);

NFX_VARIANT_END
