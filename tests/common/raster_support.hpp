// Reading rasters back with GDAL itself in tests of nodes that write them (the io and mapper tests link
// GDAL): an owning dataset handle and a band's pixels.
#pragma once

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace nfx::test {

struct GdalCloser {
  void operator()(GDALDataset* d) const { GDALClose(GDALDataset::ToHandle(d)); }
};
using Dataset = std::unique_ptr<GDALDataset, GdalCloser>;

// `path` opened read-only; empty when GDAL cannot read it.
inline Dataset open_raster_file(const std::string& path) {
  GDALAllRegister();
  return Dataset(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
}

// Band `band` (from 1), row by row, as doubles.
inline std::vector<double> band_pixels(GDALDataset& d, int band) {
  std::vector<double> values(static_cast<size_t>(d.GetRasterXSize()) * static_cast<size_t>(d.GetRasterYSize()));
  EXPECT_EQ(d.GetRasterBand(band)->RasterIO(GF_Read, 0, 0, d.GetRasterXSize(), d.GetRasterYSize(), values.data(), d.GetRasterXSize(),
                                            d.GetRasterYSize(), GDT_Float64, 0, 0, nullptr),
            CE_None);
  return values;
}

}  // namespace nfx::test
