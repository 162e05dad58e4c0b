#include "layer_plan.hpp"

#include <algorithm>

namespace nfx::kernels {

const char* corner_name(Corner corner) {
  switch (corner) {
    case Corner::top_left: return "top-left";
    case Corner::top_right: return "top-right";
    case Corner::bottom_left: return "bottom-left";
    case Corner::bottom_right: return "bottom-right";
  }
  return "?";
}

namespace detail {

bool flips_rows(Corner corner) { return corner == Corner::bottom_left || corner == Corner::bottom_right; }
bool flips_columns(Corner corner) { return corner == Corner::top_right || corner == Corner::bottom_right; }

Corner opposite(Corner corner) {
  switch (corner) {
    case Corner::top_left: return Corner::bottom_right;
    case Corner::top_right: return Corner::bottom_left;
    case Corner::bottom_left: return Corner::top_right;
    case Corner::bottom_right: return Corner::top_left;
  }
  return corner;
}

Geometry::Geometry(Corner corner, int64_t h, int64_t w)
    : height(h), width(w),
      origin((flips_rows(corner) ? (h - 1) * w : 0) + (flips_columns(corner) ? w - 1 : 0)),
      row_step(flips_rows(corner) ? -w : w), col_step(flips_columns(corner) ? -1 : 1) {}

namespace {

int vectors_for(int64_t channels, int lanes, int* block) {
  const int64_t needed = (channels + lanes - 1) / lanes;
  for (int b : {1, 2, 4}) {
    if (needed <= b) {
      *block = b;
      return b;
    }
  }
  *block = 8;
  return static_cast<int>((needed + 7) / 8 * 8);
}

}  // namespace

template <typename T>
LayerPlan<T>::LayerPlan(View4<const T> kernel, bool transposed, Corner corner, int64_t height, int64_t width,
                        bool solve, double min_pivot)
    : channels(kernel.n), k(kernel.h), plane(height * width), vectors(vectors_for(kernel.n, kLanes<T>, &block)),
      geometry(corner, height, width), taps(static_cast<size_t>(kernel.h * kernel.h)) {
  const int64_t c_count = channels, lanes = kLanes<T>;
  weights.assign(static_cast<size_t>(k * k * c_count * vectors), Vec<T>{});
  for (int64_t o = 0; o < c_count; ++o) {
    for (int64_t c = 0; c < c_count; ++c) {
      const int64_t from = transposed ? c * c_count + o : o * c_count + c;  // A[o][c]
      for (int64_t t = 0; t < k * k; ++t) {
        weights[(t * c_count + c) * vectors + o / lanes][o % lanes] = kernel.data[from * k * k + t];
      }
    }
  }
  if (solve) {
    const std::vector<double> inverse = CenterTap(kernel, min_pivot).inverse(transposed);
    center_inverse.assign(static_cast<size_t>(c_count * vectors), Vec<T>{});
    for (int64_t o = 0; o < c_count; ++o) {
      for (int64_t c = 0; c < c_count; ++c) {
        center_inverse[c * vectors + o / lanes][o % lanes] = static_cast<T>(inverse[o * c_count + c]);
      }
    }
  }
  for (int64_t ci = 0; ci < k; ++ci) {
    for (int64_t cj = 0; cj < k; ++cj) {
      std::vector<Tap>& list = taps[ci * k + cj];
      for (int64_t a = k - 1 - ci; a < k; ++a) {
        for (int64_t b = k - 1 - cj; b < k; ++b) {
          if (solve && a == k - 1 && b == k - 1) continue;
          list.push_back({(a - (k - 1)) * geometry.row_step + (b - (k - 1)) * geometry.col_step, a * k + b});
        }
      }
    }
  }
}

template struct LayerPlan<float>;
template struct LayerPlan<double>;

}  // namespace detail
}  // namespace nfx::kernels
