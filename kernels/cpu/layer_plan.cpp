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

Geometry::Geometry(Corner corner, int64_t h, int64_t w, int64_t pixel_stride)
    : height(h), width(w),
      origin(((flips_rows(corner) ? (h - 1) * w : 0) + (flips_columns(corner) ? w - 1 : 0)) * pixel_stride),
      row_step((flips_rows(corner) ? -w : w) * pixel_stride), col_step((flips_columns(corner) ? -1 : 1) * pixel_stride) {}

template <typename T>
std::vector<double> layer_weights(View4<const T> kernel, bool transposed, bool solve, double min_pivot) {
  const int64_t channels = kernel.n, k = kernel.h, center = k * k - 1;
  std::vector<double> a(static_cast<size_t>(k * k * channels * channels));
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      const int64_t from = transposed ? c * channels + o : o * channels + c;
      for (int64_t t = 0; t < k * k; ++t) a[(t * channels + o) * channels + c] = kernel.data[from * k * k + t];
    }
  }
  if (!solve) return a;
  const std::vector<double> inverse = CenterTap(kernel, min_pivot).inverse(transposed);
  std::vector<double> folded(a.size());
  for (int64_t t = 0; t < k * k; ++t) {
    for (int64_t o = 0; o < channels; ++o) {
      for (int64_t c = 0; c < channels; ++c) {
        double sum = 0.0;
        for (int64_t m = 0; m < channels; ++m) sum += inverse[o * channels + m] * a[(t * channels + m) * channels + c];
        folded[(t * channels + o) * channels + c] = t == center ? inverse[o * channels + c] : -sum;
      }
    }
  }
  return folded;
}

template std::vector<double> layer_weights<float>(View4<const float>, bool, bool, double);
template std::vector<double> layer_weights<double>(View4<const double>, bool, bool, double);

template <typename T>
LayerPlan<T>::LayerPlan(View4<const T> kernel, bool transposed, Corner corner, int64_t height, int64_t width,
                        bool solve, double min_pivot, VectorLayout vector_layout)
    : channels(kernel.n), k(kernel.h), plane(height * width), layout(vector_layout),
      geometry(corner, height, width, static_cast<int64_t>(vector_layout.vectors) * vector_layout.lanes),
      taps(static_cast<size_t>(kernel.h * kernel.h)) {
  const int64_t c_count = channels, row = padded_channels();
  const std::vector<double> a = layer_weights(kernel, transposed, solve, min_pivot);
  weights.assign(static_cast<size_t>(k * k * c_count * row), T(0));
  for (int64_t t = 0; t < k * k; ++t) {
    for (int64_t o = 0; o < c_count; ++o) {
      for (int64_t c = 0; c < c_count; ++c) {
        weights[(t * c_count + c) * row + o] = static_cast<T>(a[(t * c_count + o) * c_count + c]);
      }
    }
  }
  for (int64_t ci = 0; ci < k; ++ci) {
    for (int64_t cj = 0; cj < k; ++cj) {
      std::vector<Tap>& list = taps[ci * k + cj];
      for (int64_t ta = k - 1 - ci; ta < k; ++ta) {
        for (int64_t tb = k - 1 - cj; tb < k; ++tb) {
          const bool from_rhs = solve && ta == k - 1 && tb == k - 1;
          list.push_back({(ta - (k - 1)) * geometry.row_step + (tb - (k - 1)) * geometry.col_step, ta * k + tb, from_rhs});
        }
      }
    }
  }
}

template struct LayerPlan<float>;
template struct LayerPlan<double>;

}  // namespace detail
}  // namespace nfx::kernels
