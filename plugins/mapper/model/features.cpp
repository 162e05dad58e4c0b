#include "model/features.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace nfx::mapper {

namespace {

bool has_data(float value, const std::vector<std::optional<double>>& nodata, int64_t band) {
  const bool is_nodata = static_cast<size_t>(band) < nodata.size() && nodata[band] && static_cast<double>(value) == *nodata[band];
  return !std::isnan(value) && !is_nodata;
}

}  // namespace

ValidPixels valid_pixels(const float* block, int64_t pixels, int64_t bands, const std::vector<std::optional<double>>& nodata,
                         const std::vector<SpectralIndex>& indices, const float* extra, int64_t extra_d) {
  ValidPixels out;
  std::vector<float> derived(indices.size());
  for (int64_t i = 0; i < pixels; ++i) {
    const float* pixel = block + i * bands;
    bool valid = true;
    for (int64_t b = 0; b < bands && valid; ++b) valid = has_data(pixel[b], nodata, b);
    for (size_t j = 0; j < indices.size() && valid; ++j) {
      derived[j] = indices[j].of(pixel);
      valid = std::isfinite(derived[j]);
    }
    if (!valid) continue;
    out.index.push_back(i);
    out.values.insert(out.values.end(), pixel, pixel + bands);
    out.values.insert(out.values.end(), derived.begin(), derived.end());
    if (extra != nullptr) out.values.insert(out.values.end(), extra + i * extra_d, extra + (i + 1) * extra_d);
  }
  return out;
}

std::vector<float> window_statistics(const float* values, int64_t total_rows, int64_t width, int64_t bands, int64_t first,
                                     int64_t rows, const std::vector<std::optional<double>>& nodata) {
  std::vector<float> out(static_cast<size_t>(rows * width * 2 * bands));
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t y = first + r;
    for (int64_t x = 0; x < width; ++x) {
      float* stats = out.data() + (r * width + x) * 2 * bands;
      for (int64_t b = 0; b < bands; ++b) {
        double sum = 0, squares = 0;
        int count = 0;
        for (int64_t wy = std::max<int64_t>(0, y - 1); wy <= std::min(total_rows - 1, y + 1); ++wy) {
          for (int64_t wx = std::max<int64_t>(0, x - 1); wx <= std::min(width - 1, x + 1); ++wx) {
            const float v = values[(wy * width + wx) * bands + b];
            if (!has_data(v, nodata, b)) continue;
            sum += v;
            squares += static_cast<double>(v) * v;
            ++count;
          }
        }
        const double mean = count > 0 ? sum / count : std::numeric_limits<double>::quiet_NaN();
        stats[b] = static_cast<float>(mean);
        stats[bands + b] = static_cast<float>(count > 0 ? std::sqrt(std::max(0.0, squares / count - mean * mean)) : mean);
      }
    }
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
