#include "raster_files.hpp"

#include <cpl_error.h>

#include <filesystem>
#include <mutex>

namespace nfx::io {

namespace {

// GDAL's block cache defaults to 5% of the machine's memory (1.2 GiB on 24 GiB), and a large raster
// written block by block fills it; 128 MiB keeps a run's memory flat. GDAL_CACHEMAX still rules when set.
constexpr int64_t kBlockCacheBytes = int64_t{128} << 20;

void register_drivers() {
  static std::once_flag once;
  std::call_once(once, [] {
    GDALAllRegister();
    if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr) GDALSetCacheMax64(kBlockCacheBytes);
  });
}

}  // namespace

GdalErrors::GdalErrors() {
  CPLErrorReset();
  CPLPushErrorHandler(CPLQuietErrorHandler);
}

GdalErrors::~GdalErrors() { CPLPopErrorHandler(); }

bool GdalErrors::failed() const { return CPLGetLastErrorType() >= CE_Failure; }

std::string GdalErrors::reason() const {
  const char* message = CPLGetLastErrorMsg();
  return message != nullptr && *message != '\0' ? message : "no reason given";
}

GdalDataset open_raster(const std::string& path) {
  register_drivers();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw nfx::Error(path + ": no such file", NFX_ERR_IO);
  // A FIFO or a device would block GDAL's read; a folder is no raster. (GDAL's /vsi paths are files too.)
  if (!std::filesystem::is_regular_file(path, ec)) throw nfx::Error(path + ": not a regular file", NFX_ERR_IO);
  const GdalErrors errors;
  GdalDataset dataset(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!dataset) {
    throw nfx::Error(path + ": GDAL cannot read it as a raster (" + (errors.failed() ? errors.reason() : "no driver recognises it") + ")",
                     NFX_ERR_IO);
  }
  if (dataset->GetRasterCount() < 1) throw nfx::Error(path + ": holds no raster band", NFX_ERR_IO);
  return dataset;
}

DLDataType dtype_of(GDALDataType type) {
  switch (type) {
    case GDT_Byte: return {kDLUInt, 8, 1};
    case GDT_UInt16: return {kDLUInt, 16, 1};
    case GDT_Int16: return {kDLInt, 16, 1};
    case GDT_UInt32: return {kDLUInt, 32, 1};
    case GDT_Int32: return {kDLInt, 32, 1};
    case GDT_UInt64: return {kDLUInt, 64, 1};
    case GDT_Int64: return {kDLInt, 64, 1};
    case GDT_Float32: return {kDLFloat, 32, 1};
    case GDT_Float64: return {kDLFloat, 64, 1};
    default: throw nfx::Error(std::string("pixels of type ") + GDALGetDataTypeName(type) + " (complex) are not supported");
  }
}

GDALDataType gdal_type_of(DLDataType dtype) {
  for (GDALDataType type : {GDT_Byte, GDT_UInt16, GDT_Int16, GDT_UInt32, GDT_Int32, GDT_UInt64, GDT_Int64, GDT_Float32, GDT_Float64}) {
    if (nfx::same_dtype(dtype_of(type), dtype)) return type;
  }
  throw nfx::Error("a raster cannot hold " + nfx::dtype_name(dtype) + " pixels");
}

}  // namespace nfx::io
