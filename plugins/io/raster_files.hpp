// Georeferenced rasters through GDAL (GeoTIFF, ENVI, JP2, VRT, ... whatever drivers GDAL has): opening
// with errors that name the file, and the mapping between GDAL's pixel types and DLPack's.
#pragma once

#include <nfx/nfx.hpp>

#include <gdal_priv.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace nfx::io {

struct GdalClose {
  void operator()(GDALDataset* dataset) const { GDALClose(GDALDataset::ToHandle(dataset)); }
};
using GdalDataset = std::unique_ptr<GDALDataset, GdalClose>;

// `path` opened read-only as a raster. Throws nfx::Error (NFX_ERR_IO) "PATH: ..." with GDAL's own reason
// when it is missing, not a regular file, or no driver can read it.
GdalDataset open_raster(const std::string& path);

// GDAL's errors during a call, kept from stderr for the message of an nfx::Error (GDAL's error state and
// handlers are per thread, so one of these lives on the thread that makes the calls).
class GdalErrors {
 public:
  GdalErrors();
  ~GdalErrors();
  GdalErrors(const GdalErrors&) = delete;
  GdalErrors& operator=(const GdalErrors&) = delete;
  bool failed() const;         // a CE_Failure or worse since construction
  std::string reason() const;  // GDAL's last message ("no reason given" when it gave none)
};

DLDataType dtype_of(GDALDataType type);  // throws nfx::Error for complex pixel types
GDALDataType gdal_type_of(DLDataType dtype);  // throws nfx::Error for a type GeoTIFF cannot hold

}  // namespace nfx::io
