// io.read_raster / io.write_raster (issue 17): a GeoTIFF read block by block and written back keeps its
// size, pixel type, geotransform, CRS, nodata and every pixel; bad files and settings are located errors;
// a failed run leaves no raster behind. Files are checked with GDAL itself, not with the nodes.
#include "raster_support.hpp"
#include "test_support.hpp"

#include <nfx/nfx.hpp>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <vector>

using namespace nfx::test;

namespace {

Dataset open(const std::string& path) { return open_raster_file(path); }

// A small Int16 GeoTIFF in UTM 25S with nodata -9999 in its first column and a pixel per value otherwise.
void write_small_geotiff(const std::string& path) {
  GDALAllRegister();
  Dataset d(GetGDALDriverManager()->GetDriverByName("GTiff")->Create(path.c_str(), 37, 23, 2, GDT_Int16, nullptr));
  double geotransform[6] = {288776.3, 28.5, 0, 9120761.3, 0, -28.5};
  d->SetGeoTransform(geotransform);
  OGRSpatialReference utm;
  utm.importFromEPSG(32725);
  d->SetSpatialRef(&utm);
  for (int b = 1; b <= 2; ++b) {
    std::vector<int16_t> values(37 * 23);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<int16_t>(i % 37 == 0 ? -9999 : b * 1000 + static_cast<int>(i));
    d->GetRasterBand(b)->SetNoDataValue(-9999);
    ASSERT_EQ(d->GetRasterBand(b)->RasterIO(GF_Write, 0, 0, 37, 23, values.data(), 37, 23, GDT_Int16, 0, 0, nullptr), CE_None);
  }
}

std::vector<double> pixels(GDALDataset& d, int band) { return band_pixels(d, band); }

std::string copy_graph(const std::string& in, const std::string& out, const std::string& read_extra = "",
                       const std::string& write_extra = "") {
  return "[nodes.read]\ntype = \"io.read_raster\"\npath = \"" + in + "\"\n" + read_extra +
         "[nodes.write]\ntype = \"io.write_raster\"\nin.raster = \"read.raster\"\nin.geo = \"read.geo\"\npath = \"" + out + "\"\n" +
         write_extra;
}

// Whether a and b agree in size, type, georeferencing, nodata and every pixel.
void expect_same_raster(GDALDataset& a, GDALDataset& b) {
  ASSERT_EQ(a.GetRasterXSize(), b.GetRasterXSize());
  ASSERT_EQ(a.GetRasterYSize(), b.GetRasterYSize());
  ASSERT_EQ(a.GetRasterCount(), b.GetRasterCount());
  double ga[6], gb[6];
  ASSERT_EQ(a.GetGeoTransform(ga), CE_None);
  ASSERT_EQ(b.GetGeoTransform(gb), CE_None);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(ga[i], gb[i]) << "geotransform " << i;
  ASSERT_NE(a.GetSpatialRef(), nullptr);
  ASSERT_NE(b.GetSpatialRef(), nullptr);
  EXPECT_TRUE(a.GetSpatialRef()->IsSame(b.GetSpatialRef()));
  for (int band = 1; band <= a.GetRasterCount(); ++band) {
    EXPECT_EQ(a.GetRasterBand(band)->GetRasterDataType(), b.GetRasterBand(band)->GetRasterDataType()) << band;
    int has_a = 0, has_b = 0;
    const double nodata_a = a.GetRasterBand(band)->GetNoDataValue(&has_a), nodata_b = b.GetRasterBand(band)->GetNoDataValue(&has_b);
    EXPECT_EQ(has_a, has_b) << band;
    if (has_a && has_b) {
      EXPECT_EQ(nodata_a, nodata_b) << band;
    }
    EXPECT_EQ(pixels(a, band), pixels(b, band)) << "band " << band;
  }
}

}  // namespace

// The real Landsat-7 scene of the sample data (6 bands, 349 x 352, UTM), read in blocks of 50 rows (the
// last one short) and written back as a tiled, compressed GeoTIFF; also as a Cloud-Optimized one, and
// from blocks that carry 2 rows of context above and below (the writer keeps only their own rows).
TEST(Raster, TheLandsatSceneRoundTripsBlockByBlock) {
  TempDir dir;
  const std::string scene = sample("stars/L7_ETMs.tif").string();
  for (const std::string extra : {"", "cog = true\n", "halo"}) {
    const std::string out = dir / (extra.empty() ? "copy.tif" : extra == "halo" ? "halo.tif" : "cog.tif");
    const std::string read_extra = extra == "halo" ? "block_rows = 50\nhalo = 2\n" : "block_rows = 50\n";
    auto host = make_host(false);
    const nfx::RunStats stats = host->parse_graph(copy_graph(scene, out, read_extra, extra == "halo" ? "" : extra), "copy.toml").run();
    EXPECT_EQ(stats.items, 8);  // ceil(352 / 50)
    Dataset source = open(scene), copy = open(out);
    ASSERT_TRUE(source && copy) << out;
    expect_same_raster(*source, *copy);
    EXPECT_STREQ(copy->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE"), "DEFLATE");
    if (extra == "cog = true\n") {
      EXPECT_STREQ(copy->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
    }
  }
}

TEST(Raster, TypeCrsAndNodataAreKeptAndBandsCanBeChosen) {
  TempDir dir;
  write_small_geotiff(dir / "small.tif");
  auto host = make_host(false);
  host->parse_graph(copy_graph(dir / "small.tif", dir / "copy.tif", "block_rows = 7\n"), "copy.toml").run();
  Dataset source = open(dir / "small.tif"), copy = open(dir / "copy.tif");
  ASSERT_TRUE(source && copy);
  expect_same_raster(*source, *copy);

  host->parse_graph(copy_graph(dir / "small.tif", dir / "second.tif", "bands = \"2\"\n", "nodata = \"-1\"\n"), "one.toml").run();
  Dataset second = open(dir / "second.tif");
  ASSERT_TRUE(second);
  ASSERT_EQ(second->GetRasterCount(), 1);
  EXPECT_EQ(pixels(*second, 1), pixels(*source, 2));
  int has_nodata = 0;
  EXPECT_EQ(second->GetRasterBand(1)->GetNoDataValue(&has_nodata), -1.0);
  EXPECT_TRUE(has_nodata);
}

TEST(Raster, MissingCorruptAndWrongSettingsAreLocatedErrors) {
  TempDir dir;
  auto host = make_host(false);
  const auto error = [&](const std::string& toml) {
    try {
      host->parse_graph(toml, "raster.toml").run();
    } catch (const std::exception& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string missing = error(copy_graph(dir / "none.tif", dir / "out.tif"));
  EXPECT_NE(missing.find("raster.toml:3:8: "), std::string::npos) << missing;
  EXPECT_NE(missing.find("none.tif: no such file"), std::string::npos) << missing;

  write_small_geotiff(dir / "small.tif");
  std::ifstream whole(dir / "small.tif", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(whole)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "corrupt.tif", std::ios::binary) << bytes.substr(0, 200) << std::string(300, '\x7f');
  const std::string corrupt = error(copy_graph(dir / "corrupt.tif", dir / "out.tif"));
  EXPECT_NE(corrupt.find("corrupt.tif: "), std::string::npos) << corrupt;
  EXPECT_TRUE(corrupt.find("GDAL cannot read it as a raster") != std::string::npos || corrupt.find("cannot be read") != std::string::npos)
      << corrupt;
  EXPECT_FALSE(fs::exists(dir / "out.tif"));  // nothing half-written

  const std::string band = error(copy_graph(dir / "small.tif", dir / "out.tif", "bands = \"1,3\"\n"));
  EXPECT_NE(band.find("raster.toml:4:9: "), std::string::npos) << band;
  EXPECT_NE(band.find("\"3\" is not a band of"), std::string::npos) << band;
  EXPECT_NE(band.find("which has 2"), std::string::npos) << band;

  const std::string nodata = error(copy_graph(dir / "small.tif", dir / "out.tif", "", "nodata = \"zero\"\n"));
  EXPECT_NE(nodata.find("expected \"source\", \"none\" or a number"), std::string::npos) << nodata;
}

// The sample DEM (90 m, its own grid) stacked onto the Landsat scene (28.5 m) as a seventh band: with
// nearest resampling each scene pixel holds the DEM pixel under its centre, found here from the two
// geotransforms by hand; the band is named after the file and the scene's bands are unchanged.
TEST(Raster, AStackedDemIsResampledOntoTheSceneGrid) {
  TempDir dir;
  const std::string scene = sample("stars/L7_ETMs.tif").string(), dem_path = sample("stars/olinda_dem_utm25s.tif").string();
  auto host = make_host(false);
  host->parse_graph(copy_graph(scene, dir / "stack.tif", "block_rows = 64\nstack = \"" + dem_path + "\"\nstack_resampling = \"nearest\"\n"),
                    "stack.toml")
      .run();
  Dataset source = open(scene), dem = open(dem_path), stack = open(dir / "stack.tif");
  ASSERT_TRUE(source && dem && stack);
  ASSERT_EQ(stack->GetRasterCount(), 7);
  EXPECT_EQ(std::string(stack->GetRasterBand(7)->GetDescription()), "olinda_dem_utm25s");
  for (int b = 1; b <= 6; ++b) EXPECT_EQ(pixels(*stack, b), pixels(*source, b)) << b;
  double gs[6], gd[6];
  ASSERT_EQ(source->GetGeoTransform(gs), CE_None);
  ASSERT_EQ(dem->GetGeoTransform(gd), CE_None);
  const std::vector<double> stacked = pixels(*stack, 7), heights = pixels(*dem, 1);
  const int w = source->GetRasterXSize(), h = source->GetRasterYSize(), dw = dem->GetRasterXSize(), dh = dem->GetRasterYSize();
  int checked = 0;
  for (int y = 3; y < h; y += 17) {
    for (int x = 5; x < w; x += 13) {
      const double east = gs[0] + (x + 0.5) * gs[1], north = gs[3] + (y + 0.5) * gs[5];
      const double dx = (east - gd[0]) / gd[1], dy = (north - gd[3]) / gd[5];
      // Skip centres within a hundredth of a DEM pixel of its edges, where rounding may pick either side.
      if (std::abs(dx - std::round(dx)) < 0.01 || std::abs(dy - std::round(dy)) < 0.01) continue;
      const int i = static_cast<int>(std::floor(dx)), j = static_cast<int>(std::floor(dy));
      ASSERT_TRUE(i >= 0 && i < dw && j >= 0 && j < dh) << "the DEM covers the scene";
      EXPECT_EQ(stacked[static_cast<size_t>(y) * w + x], heights[static_cast<size_t>(j) * dw + i]) << x << "," << y;
      ++checked;
    }
  }
  EXPECT_GT(checked, 400);
}
