// Where a block of a georeferenced raster lies and how the raster is georeferenced, as the JSON text a
// block carries beside its pixels from io.read_raster through a model (which may add a class legend) to
// io.write_raster, so the blocks of a map go into one file that lines up with its source.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace nfx::rasters {

// One class of a class map: its pixel value, name and display colour (the GeoTIFF's colour table and
// attribute table).
struct RasterClass {
  int64_t value = 0;
  std::string name;
  uint8_t red = 0, green = 0, blue = 0;
};

// Where a block lies in its raster and how the raster is georeferenced: what io.write_raster needs to
// write the blocks of a map into one file that lines up with its source.
struct RasterBlock {
  std::string source;                // the file read
  int64_t width = 0, height = 0;     // of the whole raster, in pixels
  int64_t x = 0, y = 0;              // the block's top-left pixel
  // Rows of context read above and below the block (io.read_raster's `halo`): the block's tensor holds
  // halo_top + its rows + halo_bottom rows, y is its first own row.
  int64_t halo_top = 0, halo_bottom = 0;
  std::vector<double> geotransform;  // GDAL's six coefficients; empty when the raster has none
  std::string crs;                   // WKT; empty when the raster has none
  std::vector<std::optional<double>> nodata;  // one per band read
  std::vector<std::string> band_names;        // one per band read (GDAL's descriptions; may be empty)
  std::vector<RasterClass> classes;           // a class map's legend (empty for other rasters)
};

std::string to_json(const RasterBlock& block);
// Throws nfx::Error naming `where` when `text` is not a block written by to_json.
RasterBlock block_from_json(const std::string& text, const std::string& where);

}  // namespace nfx::rasters
