// Spectral indices computed from named bands and added to each pixel's features: normalized differences
// (NDVI = (nir - red) / (nir + red) and any nd(a,b)) and band ratios (a/b, e.g. swir1/swir2 for clays,
// red/blue for iron oxides), the band arithmetic geologists use to bring out minerals the raw bands mix.
#pragma once

#include <string>
#include <vector>

namespace nfx::mapper {

struct SpectralIndex {
  std::string name;                     // as the user wrote it, e.g. "ndvi", "swir1/swir2"
  int a = 0, b = 0;                     // band positions (from 0) in the pixel's band vector
  bool normalized_difference = false;  // (a - b) / (a + b); otherwise a / b
  // The index of one pixel's bands; NaN where it is undefined (a zero denominator), which leaves the pixel
  // out like nodata.
  float of(const float* bands) const;
};

// "ndvi, swir1/swir2, nd(nir,swir1)" over bands called `band_names` (matched ignoring case). Throws
// nfx::Error naming the term and the band names there are when a term names no band or cannot be read.
std::vector<SpectralIndex> parse_indices(const std::string& text, const std::vector<std::string>& band_names);

}  // namespace nfx::mapper
