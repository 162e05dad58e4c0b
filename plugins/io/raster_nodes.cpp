// Georeferenced rasters in and out through GDAL: io.read_raster streams a scene as blocks of rows (so a
// scene larger than memory never is in memory), io.write_raster puts blocks back into one tiled,
// compressed GeoTIFF (or a Cloud-Optimized GeoTIFF) with its source's georeferencing, published whole.
#include "image_files.hpp"
#include "io_nodes.hpp"
#include "raster_files.hpp"

#include <nfx/rasters/raster_block.hpp>

#include <cpl_string.h>
#include <gdal_rat.h>
#include <gdal_utils.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace nfx::io {

namespace fs = std::filesystem;
using nfx::rasters::RasterBlock;
using nfx::rasters::RasterClass;

namespace {

// "1,3,5" -> {1, 3, 5} (GDAL counts bands from 1); empty: every band.
std::vector<int> band_selection(const std::string& text, int count, const std::string& path) {
  std::vector<int> bands;
  if (text.empty()) {
    for (int b = 1; b <= count; ++b) bands.push_back(b);
    return bands;
  }
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    char* end = nullptr;
    const long band = std::strtol(part.c_str(), &end, 10);
    if (part.empty() || *end != '\0' || band < 1 || band > count) {
      throw nfx::ParamError("bands", "bands = \"" + text + "\": \"" + part + "\" is not a band of " + path + ", which has " +
                                         std::to_string(count) + " (bands count from 1)");
    }
    bands.push_back(static_cast<int>(band));
  }
  return bands;
}

// `path` resampled by GDAL's warper onto the grid of `scene` (its CRS, extent and pixel size), as a
// virtual raster read window by window like the scene. Pixels `path` does not cover are its nodata (for
// a raster without nodata: NaN for floats, the type's lowest value for integers, marked as nodata).
GdalDataset warped_onto(const GdalDataset& scene, GDALDataset* source, const std::string& path, const std::string& resampling) {
  double g[6];
  if (scene->GetGeoTransform(g) != CE_None || scene->GetSpatialRef() == nullptr) {
    throw nfx::ParamError("stack", "stack: the scene has no georeferencing to resample " + path + " onto");
  }
  if (source->GetSpatialRef() == nullptr) throw nfx::ParamError("stack", path + ": has no CRS, so it cannot be placed on the scene");
  if (g[2] != 0 || g[4] != 0) throw nfx::ParamError("stack", "stack: the scene's grid is rotated, which the warp onto it does not handle");
  const int w = scene->GetRasterXSize(), h = scene->GetRasterYSize();
  char* wkt = nullptr;
  scene->GetSpatialRef()->exportToWkt(&wkt);
  const std::string crs = wkt != nullptr ? wkt : "";
  CPLFree(wkt);
  const auto number = [](double v) {
    char text[64];
    std::snprintf(text, sizeof text, "%.17g", v);
    return std::string(text);
  };
  CPLStringList args;
  for (const std::string& a : {std::string("-of"), std::string("VRT"), std::string("-t_srs"), crs, std::string("-te"), number(g[0]),
                               number(g[3] + h * g[5]), number(g[0] + w * g[1]), number(g[3]), std::string("-ts"), std::to_string(w),
                               std::to_string(h), std::string("-r"), resampling}) {
    args.AddString(a.c_str());
  }
  int has_nodata = 0;
  source->GetRasterBand(1)->GetNoDataValue(&has_nodata);
  const GDALDataType type = source->GetRasterBand(1)->GetRasterDataType();
  if (!has_nodata) {
    args.AddString("-dstnodata");
    const double lowest = GDALDataTypeIsSigned(type) ? -std::ldexp(1.0, GDALGetDataTypeSizeBits(type) - 1) : 0.0;
    args.AddString(GDALDataTypeIsFloating(type) ? "nan" : number(lowest).c_str());
  }
  const GdalErrors errors;
  GDALWarpAppOptions* options = GDALWarpAppOptionsNew(args.List(), nullptr);
  if (options == nullptr) throw nfx::ParamError("stack", path + ": cannot resample with \"" + resampling + "\" (" + errors.reason() + ")");
  GDALDatasetH source_handle = GDALDataset::ToHandle(source);
  int usage_error = 0;
  GdalDataset warped(GDALDataset::FromHandle(GDALWarp("", nullptr, 1, &source_handle, options, &usage_error)));
  GDALWarpAppOptionsFree(options);
  if (!warped) throw nfx::ParamError("stack", path + ": cannot be resampled onto the scene (" + errors.reason() + ")", NFX_ERR_IO);
  return warped;
}

constexpr int64_t kBlockBytes = int64_t{16} << 20;

// One item per block of `block_rows` rows, top to bottom: an H x W x B tensor of the raster's own pixel
// type (the widest of the bands read, where they differ) and the block's georeferencing as JSON.
class ReadRaster : public nfx::Node {
 public:
  explicit ReadRaster(nfx::Params& p) : path_(p.get_string("path")), block_rows_(p.get_int("block_rows")), halo_(p.get_int("halo")) {
    const GdalErrors quiet;  // a damaged tag GDAL ignores shows as a failed read of its block, not on stderr
    try {
      dataset_ = open_raster(path_);
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("path", e.what(), NFX_ERR_IO);
    }
    bands_ = band_selection(p.get_string("bands"), dataset_->GetRasterCount(), path_);
    std::stringstream stack(p.get_string("stack"));
    for (std::string extra; std::getline(stack, extra, ',');) {
      extra.erase(0, extra.find_first_not_of(' '));
      extra.erase(extra.find_last_not_of(' ') + 1);
      if (extra.empty()) continue;
      try {
        stacked_sources_.push_back(open_raster(extra));
      } catch (const nfx::Error& e) {
        throw nfx::ParamError("stack", e.what(), NFX_ERR_IO);
      }
      stacked_.push_back(warped_onto(dataset_, stacked_sources_.back().get(), extra, p.get_string("stack_resampling")));
      stacked_names_.push_back(fs::path(extra).stem().string());
    }
    block_.source = path_;
    block_.width = dataset_->GetRasterXSize();
    block_.height = dataset_->GetRasterYSize();
    type_ = dataset_->GetRasterBand(bands_.front())->GetRasterDataType();
    for (int b : bands_) {
      GDALRasterBand* band = dataset_->GetRasterBand(b);
      type_ = GDALDataTypeUnion(type_, band->GetRasterDataType());
      int has_nodata = 0;
      const double nodata = band->GetNoDataValue(&has_nodata);
      block_.nodata.push_back(has_nodata ? std::optional<double>(nodata) : std::nullopt);
      block_.band_names.emplace_back(band->GetDescription());
    }
    for (size_t i = 0; i < stacked_.size(); ++i) {
      for (int b = 1; b <= stacked_[i]->GetRasterCount(); ++b) {
        GDALRasterBand* band = stacked_[i]->GetRasterBand(b);
        type_ = GDALDataTypeUnion(type_, band->GetRasterDataType());
        int has_nodata = 0;
        const double nodata = band->GetNoDataValue(&has_nodata);
        block_.nodata.push_back(has_nodata ? std::optional<double>(nodata) : std::nullopt);
        block_.band_names.push_back(stacked_[i]->GetRasterCount() == 1 ? stacked_names_[i] : stacked_names_[i] + " " + std::to_string(b));
      }
    }
    try {
      dtype_ = dtype_of(type_);
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("path", path_ + ": " + e.what());
    }
    double geotransform[6];
    if (dataset_->GetGeoTransform(geotransform) == CE_None) block_.geotransform.assign(geotransform, geotransform + 6);
    if (const OGRSpatialReference* crs = dataset_->GetSpatialRef()) {
      char* wkt = nullptr;
      if (crs->exportToWkt(&wkt) == OGRERR_NONE && wkt != nullptr) block_.crs = wkt;
      CPLFree(wkt);
    }
    if (block_rows_ == 0) {
      // About kBlockBytes a block, so memory stays flat whatever the scene's width.
      const int64_t row_bytes = block_.width * static_cast<int64_t>(block_.nodata.size()) * GDALGetDataTypeSizeBytes(type_);
      block_rows_ = std::max<int64_t>(1, kBlockBytes / std::max<int64_t>(1, row_bytes));
    }
    block_rows_ = std::min(block_rows_, block_.height);
  }

  void process(nfx::Context& ctx) override {
    const int64_t y = ctx.item_index() * block_rows_;
    if (y >= block_.height) {
      ctx.end_of_stream();
      return;
    }
    const int64_t own_rows = std::min(block_rows_, block_.height - y), w = block_.width, b = static_cast<int64_t>(block_.nodata.size());
    const int64_t first = std::max<int64_t>(0, y - halo_), rows = std::min(block_.height, y + own_rows + halo_) - first;
    ctx.set_item_count((block_.height + block_rows_ - 1) / block_rows_);
    char name[32];
    std::snprintf(name, sizeof name, "/rows_%06lld", static_cast<long long>(y));
    ctx.set_item_name(fs::path(path_).stem().string() + name);
    nfx::Tensor pixels(dtype_, {rows, w, b});
    const int bytes = GDALGetDataTypeSizeBytes(type_);
    const GdalErrors errors;
    // Pixel-interleaved into the tensor (H x W x B), converted to the common type by GDAL: the scene's
    // bands, then each stacked raster's.
    const auto read = [&](GDALDataset& dataset, int count, int* band_list, int64_t first_band, const std::string& name) {
      const CPLErr status = dataset.RasterIO(GF_Read, 0, static_cast<int>(first), static_cast<int>(w), static_cast<int>(rows),
                                             pixels.data<uint8_t>() + first_band * bytes, static_cast<int>(w), static_cast<int>(rows), type_,
                                             count, band_list, bytes * b, bytes * b * w, bytes, nullptr);
      if (status != CE_None) {
        throw nfx::Error(name + ": rows " + std::to_string(first) + " to " + std::to_string(first + rows - 1) + " cannot be read (" +
                             errors.reason() + ")", NFX_ERR_IO);
      }
    };
    read(*dataset_, static_cast<int>(bands_.size()), bands_.data(), 0, path_);
    int64_t first_band = static_cast<int64_t>(bands_.size());
    for (size_t i = 0; i < stacked_.size(); ++i) {
      read(*stacked_[i], stacked_[i]->GetRasterCount(), nullptr, first_band, stacked_names_[i]);
      first_band += stacked_[i]->GetRasterCount();
    }
    RasterBlock block = block_;
    block.y = y;
    block.halo_top = y - first;
    block.halo_bottom = first + rows - (y + own_rows);
    ctx.output(0, std::move(pixels));
    ctx.output_text(1, nfx::rasters::to_json(block));
  }

 private:
  std::string path_;
  int64_t block_rows_, halo_;
  GdalDataset dataset_;
  std::vector<int> bands_;
  std::vector<GdalDataset> stacked_sources_, stacked_;  // what `stack` names, and each warped onto the scene
  std::vector<std::string> stacked_names_;
  GDALDataType type_ = GDT_Unknown;
  DLDataType dtype_{};
  RasterBlock block_;
};

// Blocks, each at the place its georeferencing names, into a temporary GeoTIFF created by the first block
// with the source's size, geotransform, CRS and nodata; published under `path` when the run ends well.
class WriteRaster : public nfx::Node {
 public:
  explicit WriteRaster(nfx::Params& p)
      : file_(p.get_string("path"), p.get_bool("overwrite")), compress_(p.get_string("compress")), cog_(p.get_bool("cog")) {
    const std::string nodata = p.get_string("nodata");
    nodata_from_source_ = nodata == "source";
    if (nodata != "source" && nodata != "none") {
      char* end = nullptr;
      nodata_ = std::strtod(nodata.c_str(), &end);
      if (nodata.empty() || *end != '\0') {
        throw nfx::ParamError("nodata", "nodata = \"" + nodata + "\": expected \"source\", \"none\" or a number");
      }
    }
  }
  ~WriteRaster() override {
    dataset_.reset();  // closed before file_ removes an unpublished temporary
    std::error_code ec;
    fs::remove(sidecar_of(file_.temporary()), ec);  // an attribute table not published
  }

  void process(nfx::Context& ctx) override {
    const nfx::TensorView pixels = ctx.input(0);
    const RasterBlock block = nfx::rasters::block_from_json(ctx.input_text(1), ctx.item_name());
    if (pixels.ndim() != 3 && pixels.ndim() != 2) {
      throw nfx::Error(ctx.item_name() + ": a raster block is H x W x B or H x W, not of rank " + std::to_string(pixels.ndim()));
    }
    if (!nfx::is_compact(pixels.dl())) throw nfx::Error(ctx.item_name() + ": the raster block is not compact");
    const int64_t w = pixels.shape(1), b = pixels.ndim() == 3 ? pixels.shape(2) : 1;
    const int64_t rows = pixels.shape(0) - block.halo_top - block.halo_bottom;  // the block's own rows, without context
    if (rows < 1) throw nfx::Error(ctx.item_name() + ": a block of " + std::to_string(pixels.shape(0)) + " rows has no rows of its own beside its halo");
    if (!dataset_) create(block, pixels.dtype(), b);
    if (w != block.width || block.y + rows > block.height || b != dataset_->GetRasterCount() || block.width != width_ ||
        block.height != height_) {
      throw nfx::Error(ctx.item_name() + ": a block of " + std::to_string(rows) + " x " + std::to_string(w) + " x " +
                       std::to_string(b) + " at row " + std::to_string(block.y) + " does not fit the raster of " +
                       std::to_string(height_) + " x " + std::to_string(width_) + " x " +
                       std::to_string(dataset_->GetRasterCount()) + " its first block began");
    }
    if (!nfx::same_dtype(pixels.dtype(), dtype_)) {
      throw nfx::Error(ctx.item_name() + ": " + nfx::dtype_name(pixels.dtype()) + " pixels, but the raster holds " +
                       nfx::dtype_name(dtype_));
    }
    const int bytes = GDALGetDataTypeSizeBytes(type_);
    const GdalErrors errors;
    uint8_t* own = const_cast<uint8_t*>(pixels.data<uint8_t>()) + block.halo_top * w * b * bytes;
    const CPLErr status = dataset_->RasterIO(GF_Write, 0, static_cast<int>(block.y), static_cast<int>(w), static_cast<int>(rows), own, static_cast<int>(w),
                                             static_cast<int>(rows), type_, static_cast<int>(b), nullptr, bytes * b, bytes * b * w,
                                             bytes, nullptr);
    if (status != CE_None) throw nfx::Error(file_.path().string() + ": cannot write rows (" + errors.reason() + ")", NFX_ERR_IO);
    if (!classes_.empty()) count_classes(own, rows * w * b);
  }

  void finish(nfx::Context& ctx) override {
    if (!dataset_) throw nfx::Error(file_.path().string() + ": no raster blocks to write", NFX_ERR_IO);
    {
      const GdalErrors errors;
      dataset_.reset();  // GDALClose writes what is cached
      if (errors.failed()) throw nfx::Error(file_.path().string() + ": cannot finish the GeoTIFF (" + errors.reason() + ")", NFX_ERR_IO);
    }
    if (cog_) make_cloud_optimized(ctx);
    // The attribute table goes beside the GeoTIFF (GDAL's .aux.xml, which QGIS reads), published first; an
    // older one describes the raster this one replaces.
    const fs::path sidecar = sidecar_of(file_.path());
    std::error_code ec;
    fs::remove(sidecar, ec);
    if (!classes_.empty()) {
      write_attribute_table();
      fs::rename(sidecar_of(file_.temporary()), sidecar, ec);
      if (ec) throw nfx::Error(sidecar.string() + ": cannot move the finished file into place: " + ec.message(), NFX_ERR_IO);
    }
    file_.publish();
  }

 private:
  void create(const RasterBlock& block, DLDataType dtype, int64_t bands) {
    type_ = gdal_type_of(dtype);
    dtype_ = dtype;
    width_ = block.width;
    height_ = block.height;
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    if (gtiff == nullptr) throw nfx::Error("GDAL has no GTiff driver", NFX_ERR_IO);
    file_.create_folder();
    CPLStringList options;
    options.SetNameValue("TILED", "YES");
    options.SetNameValue("COMPRESS", compress_.c_str());
    options.SetNameValue("BIGTIFF", "IF_SAFER");
    const GdalErrors errors;
    dataset_.reset(gtiff->Create(file_.temporary().c_str(), static_cast<int>(width_), static_cast<int>(height_), static_cast<int>(bands), type_,
                                 options.List()));
    if (!dataset_) throw nfx::Error(file_.path().string() + ": cannot create the GeoTIFF (" + errors.reason() + ")", NFX_ERR_IO);
    if (block.geotransform.size() == 6) {
      std::vector<double> geotransform = block.geotransform;
      dataset_->SetGeoTransform(geotransform.data());
    }
    if (!block.crs.empty()) dataset_->SetProjection(block.crs.c_str());
    for (int b = 1; b <= bands; ++b) {
      GDALRasterBand* band = dataset_->GetRasterBand(b);
      const size_t i = static_cast<size_t>(b - 1);
      const std::optional<double> nodata = nodata_from_source_ && i < block.nodata.size() ? block.nodata[i] : nodata_;
      if (nodata) band->SetNoDataValue(*nodata);
      if (i < block.band_names.size() && !block.band_names[i].empty()) band->SetDescription(block.band_names[i].c_str());
    }
    if (!block.classes.empty()) set_colour_table(block.classes);
  }

  static fs::path sidecar_of(const fs::path& raster) { return raster.string() + ".aux.xml"; }

  // A class map: one band of small integers, each class drawn in its colour (values without a class, such
  // as nodata, transparent).
  void set_colour_table(const std::vector<RasterClass>& classes) {
    if (dataset_->GetRasterCount() != 1 || (type_ != GDT_Byte && type_ != GDT_UInt16)) {
      throw nfx::Error(file_.path().string() + ": a class map is one band of uint8 or uint16, not " + std::to_string(dataset_->GetRasterCount()) +
                       " band(s) of " + nfx::dtype_name(dtype_));
    }
    int64_t largest = 0;
    for (const RasterClass& c : classes) {
      if (c.value < 0 || c.value > (type_ == GDT_Byte ? 255 : 65535)) {
        throw nfx::Error(file_.path().string() + ": class value " + std::to_string(c.value) + " does not fit " + nfx::dtype_name(dtype_));
      }
      largest = std::max(largest, c.value);
    }
    GDALColorTable table;
    const GDALColorEntry transparent{0, 0, 0, 0};
    for (int64_t v = 0; v <= largest; ++v) table.SetColorEntry(static_cast<int>(v), &transparent);
    for (const RasterClass& c : classes) {
      const GDALColorEntry entry{c.red, c.green, c.blue, 255};
      table.SetColorEntry(static_cast<int>(c.value), &entry);
    }
    GDALRasterBand* band = dataset_->GetRasterBand(1);
    band->SetColorTable(&table);
    band->SetColorInterpretation(GCI_PaletteIndex);
    classes_ = classes;
    pixels_per_value_.assign(static_cast<size_t>(largest) + 1, 0);
  }

  void count_classes(const uint8_t* pixels, int64_t n) {
    const auto count = [&](const auto* values) {
      for (int64_t i = 0; i < n; ++i) {
        if (static_cast<size_t>(values[i]) < pixels_per_value_.size()) ++pixels_per_value_[values[i]];
      }
    };
    if (type_ == GDT_Byte) count(pixels);
    else count(reinterpret_cast<const uint16_t*>(pixels));
  }

  // The legend as a raster attribute table: value, class name, colour and pixel count per class. GDAL keeps
  // it in the .aux.xml beside the file (its PAM), written when the dataset closes.
  void write_attribute_table() {
    GDALDefaultRasterAttributeTable table;
    table.CreateColumn("value", GFT_Integer, GFU_MinMax);
    table.CreateColumn("class", GFT_String, GFU_Name);
    table.CreateColumn("red", GFT_Integer, GFU_Red);
    table.CreateColumn("green", GFT_Integer, GFU_Green);
    table.CreateColumn("blue", GFT_Integer, GFU_Blue);
    table.CreateColumn("pixels", GFT_Integer, GFU_PixelCount);
    table.SetRowCount(static_cast<int>(classes_.size()));
    for (size_t r = 0; r < classes_.size(); ++r) {
      const RasterClass& c = classes_[r];
      const int row = static_cast<int>(r);
      table.SetValue(row, 0, static_cast<int>(c.value));
      table.SetValue(row, 1, c.name.c_str());
      table.SetValue(row, 2, c.red);
      table.SetValue(row, 3, c.green);
      table.SetValue(row, 4, c.blue);
      table.SetValue(row, 5, static_cast<int>(std::min<int64_t>(pixels_per_value_[static_cast<size_t>(c.value)], INT32_MAX)));
    }
    const GdalErrors errors;
    GdalDataset written = open_raster(file_.temporary().string());
    written->GetRasterBand(1)->SetDefaultRAT(&table);
    written.reset();
    if (errors.failed() || !fs::exists(sidecar_of(file_.temporary()))) {
      throw nfx::Error(file_.path().string() + ": cannot write the class table beside it (" + errors.reason() + ")", NFX_ERR_IO);
    }
  }

  // GDAL's COG driver writes only by copying a finished raster: overviews, then tiles in the order readers
  // over HTTP want.
  void make_cloud_optimized(nfx::Context& ctx) {
    GDALDriver* cog = GetGDALDriverManager()->GetDriverByName("COG");
    if (cog == nullptr) throw nfx::Error("GDAL has no COG driver (GDAL 3.1 or later writes Cloud-Optimized GeoTIFFs)", NFX_ERR_IO);
    GdalDataset tiled = open_raster(file_.temporary().string());
    const fs::path copy = temporary_sibling(file_.path());
    CPLStringList options;
    options.SetNameValue("COMPRESS", compress_.c_str());
    const GdalErrors errors;
    GdalDataset optimized(cog->CreateCopy(copy.c_str(), tiled.get(), FALSE, options.List(), nullptr, nullptr));
    optimized.reset();
    tiled.reset();
    if (errors.failed()) {
      std::error_code ec;
      fs::remove(copy, ec);
      throw nfx::Error(file_.path().string() + ": cannot write the Cloud-Optimized GeoTIFF (" + errors.reason() + ")", NFX_ERR_IO);
    }
    std::error_code ec;
    fs::rename(copy, file_.temporary(), ec);
    if (ec) throw nfx::Error(file_.path().string() + ": " + ec.message(), NFX_ERR_IO);
    ctx.log(NFX_LOG_INFO, file_.path().string() + ": written as a Cloud-Optimized GeoTIFF");
  }

  nfx::plugins::PendingFile file_;
  std::string compress_;
  bool cog_;
  bool nodata_from_source_ = false;
  std::optional<double> nodata_;  // the `nodata` parameter's number (none: "source" or "none")
  GdalDataset dataset_;  // after file_: closed before it goes
  GDALDataType type_ = GDT_Unknown;
  DLDataType dtype_{};
  int64_t width_ = 0, height_ = 0;
  std::vector<RasterClass> classes_;       // a class map's legend, from its first block
  std::vector<int64_t> pixels_per_value_;  // of a class map
};

}  // namespace

void register_raster_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<ReadRaster>("io.read_raster", "Reads a georeferenced raster through GDAL (GeoTIFF, ENVI, JP2, VRT, ...) as blocks "
                                            "of rows, one item each, so a scene larger than memory streams")
      .output(nfx::tensor_port("raster", "the block, H x W x B in the raster's own pixel type", 0, 3))
      .output(nfx::port("geo", NFX_KIND_TEXT, "where the block lies and how the raster is georeferenced (JSON; connect "
                                              "io.write_raster's geo)"))
      .param(nfx::required(nfx::string_param("path", "", "raster file, or a GDAL VRT stacking single-band files")))
      .param(nfx::string_param("bands", "", "bands to read, counted from 1, e.g. \"1,2,3,4,5,7\"; empty: every band"))
      .param(nfx::string_param("stack", "", "rasters resampled onto this raster's grid by GDAL and added after its bands, "
                                            "joined by commas (e.g. a DEM as an elevation band, named after its file)"))
      .param(nfx::string_param("stack_resampling", "bilinear", "GDAL's resampling for `stack`: nearest, bilinear, cubic, average, ...",
                               "nearest|bilinear|cubic|cubicspline|lanczos|average|mode|min|max|med"))
      .param(nfx::int_param("halo", 0, "rows above and below each block read with it as context (for features over a "
                                        "neighbourhood); its geo says how many, and io.write_raster writes only the block's own rows", 0, 64))
      .param(nfx::int_param("block_rows", 0, "rows per block (memory follows width x block_rows x bands); 0: as many as "
                                              "make about 16 MiB; a number above the raster's height: the whole raster", 0, 1e9));
  plugin.node<WriteRaster>("io.write_raster", "Writes raster blocks into one tiled, compressed GeoTIFF with the "
                                              "georeferencing of their source; the file appears only when the run ends without error")
      .input(nfx::tensor_port("raster", "a block, H x W x B or H x W"))
      .input(nfx::port("geo", NFX_KIND_TEXT, "the block's georeferencing (io.read_raster's geo)"))
      .param(nfx::required(nfx::string_param("path", "", "output GeoTIFF (.tif)")))
      .param(nfx::string_param("nodata", "source", "nodata value of every band: \"source\" (the source's), \"none\", or a number"))
      .param(nfx::string_param("compress", "DEFLATE", "GeoTIFF compression: DEFLATE, LZW, ZSTD, NONE, ..."))
      .param(nfx::bool_param("cog", false, "write a Cloud-Optimized GeoTIFF (with overviews)"))
      // A class map's legend (mapper.map's geo) becomes its colour table, and its attribute table beside it.
      .param(nfx::bool_param("overwrite", false, "replace an existing file"))
      .ordered();
}

}  // namespace nfx::io
