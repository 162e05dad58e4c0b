// Points to cluster: n rows of d features, row-major float (pixels' band vectors or their codes).
#pragma once

#include <cstdint>
#include <vector>

namespace nfx::mapper {

struct PointSet {
  const float* data = nullptr;
  int64_t n = 0, d = 0;
  const float* row(int64_t i) const { return data + i * d; }
};

inline PointSet points_of(const std::vector<float>& values, int64_t d) {
  return PointSet{values.data(), d > 0 ? static_cast<int64_t>(values.size()) / d : 0, d};
}

// Squared Euclidean distance of two rows of d features, summed in double.
inline double squared_distance(const float* a, const float* b, int64_t d) {
  double sum = 0;
  for (int64_t j = 0; j < d; ++j) {
    const double diff = static_cast<double>(a[j]) - static_cast<double>(b[j]);
    sum += diff * diff;
  }
  return sum;
}

}  // namespace nfx::mapper
