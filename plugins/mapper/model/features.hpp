// A raster block's pixels as feature rows: the pixels where every band holds data (nodata and NaN pixels
// never enter training, metrics or the map's classes), and standardization by per-feature statistics that
// are fitted once and stored with the model, so every block of every scene is scaled alike.
#pragma once

#include "model/points.hpp"
#include "model/spectral_indices.hpp"

#include <optional>
#include <vector>

namespace nfx::mapper {

// The pixels of an H x W x B block (values as float, pixel-interleaved) with data in every band and a
// defined value of every index: their indices in the block (row-major) and their features, one row each:
// the B band values, the indices, then `extra_d` values per pixel of `extra` (pixels x extra_d) if given.
// Features per pixel: the bands, the indices, and with the neighbourhood each band's window mean and
// deviation (window_statistics).
inline int64_t feature_count(int64_t bands, int64_t indices, bool neighbourhood) { return bands * (neighbourhood ? 3 : 1) + indices; }

struct ValidPixels {
  std::vector<int64_t> index;
  std::vector<float> values;  // index.size() x (B + indices + extra_d)
};
ValidPixels valid_pixels(const float* block, int64_t pixels, int64_t bands, const std::vector<std::optional<double>>& nodata,
                         const std::vector<SpectralIndex>& indices = {}, const float* extra = nullptr, int64_t extra_d = 0);

// The 3 x 3 neighbourhood of each pixel of rows first .. first + rows - 1 of `values` (total_rows x width
// x bands): each band's mean and standard deviation over the window's pixels with data in that band (fewer
// at the raster's edges and beside nodata), rows x width x 2B values, the B means then the B deviations.
std::vector<float> window_statistics(const float* values, int64_t total_rows, int64_t width, int64_t bands, int64_t first,
                                     int64_t rows, const std::vector<std::optional<double>>& nodata);

struct Standardizer {
  std::vector<double> mean, scale;  // per feature; scale is the standard deviation (1 where it is 0)

  // Mean and standard deviation of each feature of `points`. Throws nfx::Error for fewer than 2 points.
  static Standardizer fit(const PointSet& points);
  // (x - mean) / scale, in place. Throws nfx::Error when the feature count differs from the fitted one.
  void apply(std::vector<float>& values, int64_t d) const;
};

}  // namespace nfx::mapper
