#include "nodes/raster_features.hpp"
#include "nodes/node_params.hpp"

#include <algorithm>
#include <limits>

namespace nfx::mapper {

namespace {

template <typename T>
void widen(const void* data, int64_t n, std::vector<float>& out) {
  const T* values = static_cast<const T*>(data);
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = static_cast<float>(values[i]);
}

// Values `first` .. first + n - 1 of the block as float, whatever the raster's pixel type.
std::vector<float> as_float(const nfx::TensorView& t, int64_t first, int64_t n, const std::string& item) {
  const DLDataType dtype = t.dtype();
  std::vector<float> out(static_cast<size_t>(n));
  const void* data = t.data<uint8_t>() + first * ((dtype.bits + 7) / 8);
  const bool is_int = dtype.code == kDLInt, is_uint = dtype.code == kDLUInt, is_float = dtype.code == kDLFloat;
  if (dtype.lanes != 1) throw nfx::Error(item + ": raster pixels of " + nfx::dtype_name(dtype) + " are not numbers the mapper reads");
  if (is_uint && dtype.bits == 8) widen<uint8_t>(data, n, out);
  else if (is_uint && dtype.bits == 16) widen<uint16_t>(data, n, out);
  else if (is_uint && dtype.bits == 32) widen<uint32_t>(data, n, out);
  else if (is_uint && dtype.bits == 64) widen<uint64_t>(data, n, out);
  else if (is_int && dtype.bits == 8) widen<int8_t>(data, n, out);
  else if (is_int && dtype.bits == 16) widen<int16_t>(data, n, out);
  else if (is_int && dtype.bits == 32) widen<int32_t>(data, n, out);
  else if (is_int && dtype.bits == 64) widen<int64_t>(data, n, out);
  else if (is_float && dtype.bits == 32) widen<float>(data, n, out);
  else if (is_float && dtype.bits == 64) widen<double>(data, n, out);
  else throw nfx::Error(item + ": raster pixels of " + nfx::dtype_name(dtype) + " are not numbers the mapper reads");
  return out;
}

}  // namespace

BlockFeatures::BlockFeatures(const nfx::TensorView& raster, const std::string& geo_json, const std::string& item)
    : raster_(raster), item_(item), geo_(nfx::rasters::block_from_json(geo_json, item)) {
  if ((raster.ndim() != 3 && raster.ndim() != 2) || !nfx::is_compact(raster.dl())) {
    throw nfx::Error(item + ": a raster block is a compact H x W x B or H x W tensor (io.read_raster's raster)");
  }
  rows_ = raster.shape(0) - geo_.halo_top - geo_.halo_bottom;
  width_ = raster.shape(1);
  bands_ = raster.ndim() == 3 ? raster.shape(2) : 1;
  if (rows_ < 1 || width_ != geo_.width || geo_.x != 0 || geo_.y + rows_ + geo_.halo_bottom > geo_.height) {
    throw nfx::Error(item + ": a block of " + std::to_string(rows_) + " x " + std::to_string(width_) + " at row " + std::to_string(geo_.y) +
                     " does not fit the raster of " + std::to_string(geo_.height) + " x " + std::to_string(geo_.width) + " its geo names");
  }
}

ValidPixels BlockFeatures::rows_features(int64_t r0, int64_t r1, const std::vector<SpectralIndex>& indices, bool neighbourhood,
                                         std::vector<float>* reference) const {
  const int64_t pixels = (r1 - r0) * width_, total_rows = raster_.shape(0);
  const int64_t first = geo_.halo_top + r0;  // in the tensor, whose rows begin with the halo's
  if (neighbourhood) {
    const bool row_above_missing = r0 == 0 && geo_.y > 0 && geo_.halo_top == 0;
    const bool row_below_missing = r1 == rows_ && geo_.y + rows_ < geo_.height && geo_.halo_bottom == 0;
    if (row_above_missing || row_below_missing) {
      throw nfx::Error(item_ + ": the model looks at each pixel's 3 x 3 neighbourhood, but this block came without the rows "
                       "around it: set halo = 1 on io.read_raster");
    }
  }
  // The rows asked for, and with the neighbourhood the rows around them that the tensor has, so the
  // windows see across chunks and blocks.
  const int64_t from = neighbourhood ? std::max<int64_t>(0, first - 1) : first;
  const int64_t to = neighbourhood ? std::min(total_rows, first + (r1 - r0) + 1) : first + (r1 - r0);
  std::vector<float> values = as_float(raster_, from * width_ * bands_, (to - from) * width_ * bands_, item_);
  int64_t bands = bands_;
  std::vector<float> reference_values;
  if (reference != nullptr) {
    // The last band is the reference map: out of the features, one value per pixel.
    bands = bands_ - 1;
    const int64_t n = (to - from) * width_;
    reference_values.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      reference_values[i] = values[i * bands_ + bands];
      std::copy_n(values.begin() + i * bands_, bands, values.begin() + i * bands);
    }
    values.resize(static_cast<size_t>(n * bands));
  }
  const int64_t offset = first - from;  // rows of context before the rows asked for
  std::vector<float> windows;
  if (neighbourhood) windows = window_statistics(values.data(), to - from, width_, bands, offset, r1 - r0, geo_.nodata);
  ValidPixels valid = valid_pixels(values.data() + offset * width_ * bands, pixels, bands, geo_.nodata, indices,
                                   neighbourhood ? windows.data() : nullptr, neighbourhood ? 2 * bands : 0);
  if (reference != nullptr) {
    const bool has_nodata = static_cast<int64_t>(geo_.nodata.size()) == bands_ && geo_.nodata.back().has_value();
    const double nodata = has_nodata ? *geo_.nodata.back() : 0.0;
    reference->clear();
    for (int64_t index : valid.index) {
      const float label = reference_values[offset * width_ + index];
      reference->push_back(has_nodata && static_cast<double>(label) == nodata ? std::numeric_limits<float>::quiet_NaN() : label);
    }
  }
  for (int64_t& index : valid.index) index += r0 * width_;
  return valid;
}

int64_t BlockFeatures::rows_per_chunk() const { return std::max<int64_t>(1, (int64_t{1} << 20) / std::max<int64_t>(1, width_ * bands_)); }

std::vector<std::string> band_names_of(const std::string& given, const nfx::rasters::RasterBlock& geo, int64_t bands,
                                       const std::string& param) {
  std::vector<std::string> names;
  if (!given.empty()) {
    names = comma_list(given);
    if (static_cast<int64_t>(names.size()) != bands) {
      throw nfx::ParamError(param, param + " names " + std::to_string(names.size()) + " bands, but " + geo.source + " has " +
                                       std::to_string(bands));
    }
    return names;
  }
  bool described = static_cast<int64_t>(geo.band_names.size()) == bands;
  for (const std::string& name : geo.band_names) described = described && !name.empty();
  if (described) return geo.band_names;
  for (int64_t b = 1; b <= bands; ++b) names.push_back("band " + std::to_string(b));
  return names;
}

}  // namespace nfx::mapper
