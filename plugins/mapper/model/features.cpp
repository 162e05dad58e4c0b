#include "model/features.hpp"

#include <nfx/base.hpp>

#include <cmath>
#include <string>

namespace nfx::mapper {

ValidPixels valid_pixels(const float* block, int64_t pixels, int64_t bands, const std::vector<std::optional<double>>& nodata,
                         const std::vector<SpectralIndex>& indices) {
  ValidPixels out;
  std::vector<float> derived(indices.size());
  for (int64_t i = 0; i < pixels; ++i) {
    const float* pixel = block + i * bands;
    bool valid = true;
    for (int64_t b = 0; b < bands && valid; ++b) {
      const bool is_nodata = static_cast<size_t>(b) < nodata.size() && nodata[b] && static_cast<double>(pixel[b]) == *nodata[b];
      valid = !std::isnan(pixel[b]) && !is_nodata;
    }
    for (size_t j = 0; j < indices.size() && valid; ++j) {
      derived[j] = indices[j].of(pixel);
      valid = std::isfinite(derived[j]);
    }
    if (!valid) continue;
    out.index.push_back(i);
    out.values.insert(out.values.end(), pixel, pixel + bands);
    out.values.insert(out.values.end(), derived.begin(), derived.end());
  }
  return out;
}

Standardizer Standardizer::fit(const PointSet& p) {
  if (p.n < 2) throw nfx::Error("standardizing needs at least 2 pixels with data, not " + std::to_string(p.n));
  Standardizer s;
  s.mean.assign(static_cast<size_t>(p.d), 0.0);
  s.scale.assign(static_cast<size_t>(p.d), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t j = 0; j < p.d; ++j) s.mean[j] += p.row(i)[j];
  }
  for (double& m : s.mean) m /= static_cast<double>(p.n);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t j = 0; j < p.d; ++j) s.scale[j] += (p.row(i)[j] - s.mean[j]) * (p.row(i)[j] - s.mean[j]);
  }
  for (double& v : s.scale) {
    v = std::sqrt(v / static_cast<double>(p.n - 1));
    if (v == 0) v = 1;  // a constant feature stays 0 instead of dividing by zero
  }
  return s;
}

void Standardizer::apply(std::vector<float>& values, int64_t d) const {
  if (d != static_cast<int64_t>(mean.size())) {
    throw nfx::Error("features of " + std::to_string(d) + " values, but the model was fitted on " + std::to_string(mean.size()));
  }
  for (size_t i = 0; i < values.size(); ++i) {
    const size_t j = i % static_cast<size_t>(d);
    values[i] = static_cast<float>((values[i] - mean[j]) / scale[j]);
  }
}

}  // namespace nfx::mapper
