// A block from io.read_raster (pixels of any numeric type, and its georeferencing) as the mapper's
// features: every band as float, the pixels with data in every band and defined indices, each pixel's
// place in the raster.
#pragma once

#include "model/features.hpp"

#include <nfx/nfx.hpp>
#include <nfx/rasters/raster_block.hpp>

#include <string>
#include <vector>

namespace nfx::mapper {

struct BlockFeatures {
  nfx::rasters::RasterBlock geo;
  int64_t rows = 0, width = 0, bands = 0;
  ValidPixels pixels;  // index: row-major within the block
  int64_t position(size_t i) const { return (geo.y + pixels.index[i] / width) * geo.width + geo.x + pixels.index[i] % width; }
};

// Throws nfx::Error naming the item for a block that is not H x W x B (or H x W) numbers, or whose
// georeferencing is not io.read_raster's.
BlockFeatures block_features(const nfx::TensorView& raster, const std::string& geo_json, const std::string& item,
                             const std::vector<SpectralIndex>& indices);

// The bands' names: `given` ("blue,green,red,nir,swir1,swir2"), else the raster's own descriptions when
// every band has one, else "band 1", "band 2", ... Throws nfx::ParamError at `param` when `given` names
// another number of bands than the raster has.
std::vector<std::string> band_names_of(const std::string& given, const nfx::rasters::RasterBlock& geo, int64_t bands,
                                       const std::string& param);

}  // namespace nfx::mapper
