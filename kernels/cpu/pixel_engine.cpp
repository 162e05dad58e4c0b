#include "pixel_engine.hpp"

#include <omp.h>

#include <cstring>

namespace nfx::kernels::detail {

namespace {

constexpr int kMaxGroup = 8;

// Up to kMaxGroup consecutive instances of one diagonal that share a pixel class (hence a tap list).
struct Group {
  int64_t first;  // instance index within the diagonal: pixel * batch + n
  int32_t count;
  int32_t pixel_class;
};

struct Schedule {
  std::vector<Group> groups;
  std::vector<size_t> diagonal_start;  // groups of diagonal d: [diagonal_start[d], diagonal_start[d + 1])
};

// The first canonical row on diagonal d.
int64_t first_row(int64_t d, int64_t width) { return d < width ? 0 : d - width + 1; }

template <typename T>
Schedule make_schedule(const LayerPlan<T>& plan, int64_t batch, int group_size) {
  const int64_t h = plan.geometry.height, w = plan.geometry.width;
  Schedule s;
  for (int64_t d = 0; d < h + w - 1; ++d) {
    s.diagonal_start.push_back(s.groups.size());
    const int64_t i0 = first_row(d, w), i1 = std::min(d, h - 1);
    for (int64_t i = i0; i <= i1; ++i) {
      const int cls = plan.pixel_class(i, d - i);
      for (int64_t n = 0; n < batch; ++n) {
        const int64_t instance = (i - i0) * batch + n;
        if (!s.groups.empty() && s.diagonal_start.back() < s.groups.size() && s.groups.back().pixel_class == cls &&
            s.groups.back().count < group_size) {
          ++s.groups.back().count;
        } else {
          s.groups.push_back({instance, 1, cls});
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
  const int vectors = plan.vectors;
  for (int v0 = 0; v0 < vectors; v0 += BLOCK) {
    Vec<T> acc[G][BLOCK] = {};
    for (const Tap& tap : taps) {
      const Vec<T>* wt = plan.weights.data() + tap.index * channels * vectors + v0;
      const T* src[G];
      for (int g = 0; g < G; ++g) src[g] = (tap.from_rhs ? rhs : in) + base[g] + tap.offset;
      for (int64_t c = 0; c < channels; ++c) {
        for (int g = 0; g < G; ++g) {
          const T x = src[g][c];
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
void run_group(const LayerPlan<T>& plan, const Group& group, int64_t diagonal, int64_t batch, const T* in,
               const T* rhs, T* out) {
  const int64_t w = plan.geometry.width, i0 = first_row(diagonal, w), image = plan.padded_channels() * plan.plane;
  int64_t base[G];
  for (int g = 0; g < G; ++g) {
    // Instances past the group's end repeat its first one; their results are not stored.
    const int64_t instance = group.first + (g < group.count ? g : 0);
    const int64_t i = i0 + instance / batch, n = instance % batch;
    base[g] = n * image + plan.geometry.offset(i, diagonal - i);
  }
  accumulate<T, BLOCK, G>(plan, plan.taps[group.pixel_class], base, in, rhs, out, group.count);
}

template <typename T, int BLOCK, bool SOLVE>
void run(const LayerPlan<T>& plan, int64_t batch, const T* in, const T* rhs, T* out, int threads) {
  constexpr int G = kMaxGroup / BLOCK;
  const Schedule schedule = make_schedule(plan, batch, G);
  const int64_t diagonals = static_cast<int64_t>(schedule.diagonal_start.size()) - 1;
  const int64_t total = static_cast<int64_t>(schedule.groups.size());
  // Group g belongs to diagonal diagonal_of[g]; needed when the product runs all diagonals in one loop.
  std::vector<int32_t> diagonal_of;
  if (!SOLVE) {
    diagonal_of.resize(static_cast<size_t>(total));
    for (int64_t d = 0; d < diagonals; ++d) {
      for (size_t g = schedule.diagonal_start[d]; g < schedule.diagonal_start[d + 1]; ++g) diagonal_of[g] = d;
    }
  }
#pragma omp parallel num_threads(threads)
  {
    if constexpr (SOLVE) {
      for (int64_t d = 0; d < diagonals; ++d) {
        const int64_t g0 = static_cast<int64_t>(schedule.diagonal_start[d]);
        const int64_t g1 = static_cast<int64_t>(schedule.diagonal_start[d + 1]);
#pragma omp for schedule(static)
        for (int64_t g = g0; g < g1; ++g) {
          run_group<T, BLOCK, G>(plan, schedule.groups[g], d, batch, out, rhs, out);
        }
      }
    } else {
#pragma omp for schedule(static)
      for (int64_t g = 0; g < total; ++g) {
        run_group<T, BLOCK, G>(plan, schedule.groups[g], diagonal_of[g], batch, in, rhs, out);
      }
    }
  }
}

template <typename T, bool SOLVE>
void dispatch(const LayerPlan<T>& plan, int64_t batch, const T* in, const T* rhs, T* out, int threads) {
  switch (plan.block) {
    case 1: return run<T, 1, SOLVE>(plan, batch, in, rhs, out, threads);
    case 2: return run<T, 2, SOLVE>(plan, batch, in, rhs, out, threads);
    case 4: return run<T, 4, SOLVE>(plan, batch, in, rhs, out, threads);
    default: return run<T, 8, SOLVE>(plan, batch, in, rhs, out, threads);
  }
}

}  // namespace

int thread_count(int requested) { return requested > 0 ? requested : omp_get_max_threads(); }

template <typename T>
void run_product(const LayerPlan<T>& plan, int64_t batch, const T* in, T* out, int threads) {
  dispatch<T, false>(plan, batch, in, nullptr, out, thread_count(threads));
}

template <typename T>
void run_solve(const LayerPlan<T>& plan, int64_t batch, const T* rhs, T* x, int threads) {
  dispatch<T, true>(plan, batch, nullptr, rhs, x, thread_count(threads));
}

template void run_product<float>(const LayerPlan<float>&, int64_t, const float*, float*, int);
template void run_product<double>(const LayerPlan<double>&, int64_t, const double*, double*, int);
template void run_solve<float>(const LayerPlan<float>&, int64_t, const float*, float*, int);
template void run_solve<double>(const LayerPlan<double>&, int64_t, const double*, double*, int);

}  // namespace nfx::kernels::detail
