// A block from io.read_raster (pixels of any numeric type, and its georeferencing) as the mapper's
// features, a few rows at a time so that memory does not grow with the block: every band as float, the
// pixels with data in every band and defined indices, each pixel's place in the raster.
#pragma once

#include "model/features.hpp"

#include <nfx/nfx.hpp>
#include <nfx/rasters/raster_block.hpp>

#include <string>
#include <vector>

namespace nfx::mapper {

class BlockFeatures {
 public:
  // Throws nfx::Error naming the item for a block that is not H x W x B (or H x W) numbers, or whose
  // georeferencing is not io.read_raster's.
  BlockFeatures(const nfx::TensorView& raster, const std::string& geo_json, const std::string& item);

  const nfx::rasters::RasterBlock& geo() const { return geo_; }
  int64_t rows() const { return rows_; }  // the block's own rows
  int64_t width() const { return width_; }
  int64_t bands() const { return bands_; }  // every band of the block, a reference map's included
  // Rows r0 .. r1 - 1 of the block (its own rows, not its halo); their pixels' index counts from the
  // block's first own pixel. With `neighbourhood`, each band's 3 x 3 window statistics follow (the rows
  // next to the block come from its halo: throws nfx::Error naming the item when it has none). With
  // `reference`, the block's last band is a reference class map, not a feature: its value for each pixel
  // returned goes there (NaN where the reference has no data).
  ValidPixels rows_features(int64_t r0, int64_t r1, const std::vector<SpectralIndex>& indices, bool neighbourhood,
                            std::vector<float>* reference = nullptr) const;
  // Rows per call of rows_features that keep its floats to about a million values.
  int64_t rows_per_chunk() const;
  // The place in the raster (row * width + column) of the block's pixel `index`.
  int64_t position(int64_t index) const { return (geo_.y + index / width_) * geo_.width + geo_.x + index % width_; }

 private:
  nfx::TensorView raster_;
  std::string item_;
  nfx::rasters::RasterBlock geo_;
  int64_t rows_ = 0, width_ = 0, bands_ = 0;
};

// The bands' names: `given` ("blue,green,red,nir,swir1,swir2"), else the raster's own descriptions when
// every band has one, else "band 1", "band 2", ... Throws nfx::ParamError at `param` when `given` names
// another number of bands than the raster has.
std::vector<std::string> band_names_of(const std::string& given, const nfx::rasters::RasterBlock& geo, int64_t bands,
                                       const std::string& param);

}  // namespace nfx::mapper
