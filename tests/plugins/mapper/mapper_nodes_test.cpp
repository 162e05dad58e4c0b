// mapper.train, mapper.map and mapper.eval as graph nodes on the real Landsat-7 scene (issue 17): the
// model does not depend on the block size, a map made block by block equals the map made whole and lines
// up with its scene (colour table, class table, COG), nodata stays nodata, and a wrong band count, a
// missing or corrupt model and a missing scene are errors that name the file and the graph line.
// The written rasters are read back with GDAL itself.
#include "model/mapper_model.hpp"
#include "raster_support.hpp"
#include "test_support.hpp"

#include <gdal_priv.h>
#include <gdal_rat.h>
#include <ogr_spatialref.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <memory>

using namespace nfx::test;

namespace {

Dataset open(const std::string& path) {
  Dataset d = open_raster_file(path);
  EXPECT_TRUE(d) << path;
  return d;
}

std::vector<double> band(GDALDataset& d, int b) { return band_pixels(d, b); }

// A few seconds of training: a small sample, short autoencoder stages, k given.
std::string train_graph(const std::string& scene, const std::string& model, const std::string& read_extra = "",
                        const std::string& train_extra = "") {
  return "[nodes.read]\ntype = \"io.read_raster\"\npath = \"" + scene + "\"\n" + read_extra +
         "[nodes.train]\ntype = \"mapper.train\"\nin.raster = \"read.raster\"\nin.geo = \"read.geo\"\nout = \"" + model +
         "\"\nsample = 4000\nk = 5\npretrain_steps = 100\nfinetune_steps = 300\n" + train_extra;
}

std::string map_graph(const std::string& scene, const std::string& model, const std::string& out, const std::string& read_extra = "",
                      const std::string& map_extra = "") {
  return "[nodes.read]\ntype = \"io.read_raster\"\npath = \"" + scene + "\"\n" + read_extra +
         "[nodes.map]\ntype = \"mapper.map\"\nin.raster = \"read.raster\"\nin.geo = \"read.geo\"\nmodel = \"" + model + "\"\n" + map_extra +
         "[nodes.write]\ntype = \"io.write_raster\"\nin.raster = \"map.classes\"\nin.geo = \"map.geo\"\npath = \"" + out + "\"\ncog = true\n";
}

void run(nfx::Host& host, const std::string& toml) { host.parse_graph(toml, "map.toml").run(); }

std::string error_of_run(nfx::Host& host, const std::string& toml) { return graph_error(host, toml, "map.toml"); }

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST(MapperNodes, BlockByBlockEqualsWholeAndTheMapLinesUpWithItsScene) {
  TempDir dir;
  auto host = make_host(false);
  const std::string scene = sample("stars/L7_ETMs.tif").string();
  // The sample is the same whatever the blocks, so the model is too.
  run(*host, train_graph(scene, dir / "model.pt", "block_rows = 50\n"));
  run(*host, train_graph(scene, dir / "whole.pt", "block_rows = 100000\n"));
  run(*host, map_graph(scene, dir / "model.pt", dir / "blocks.tif", "block_rows = 37\n", "picture = \"" + (dir / "map.png") + "\"\n"));
  run(*host, map_graph(scene, dir / "whole.pt", dir / "whole.tif", "block_rows = 100000\n"));

  Dataset source = open(scene), blocks = open(dir / "blocks.tif"), whole = open(dir / "whole.tif");
  ASSERT_TRUE(source && blocks && whole);
  const std::vector<double> classes = band(*blocks, 1);
  EXPECT_EQ(classes, band(*whole, 1));
  // Every pixel of the scene has data: classes 1 .. 5, each used.
  std::vector<int64_t> count(6, 0);
  for (double c : classes) {
    ASSERT_GE(c, 1);
    ASSERT_LE(c, 5);
    ++count[static_cast<size_t>(c)];
  }
  for (int c = 1; c <= 5; ++c) EXPECT_GT(count[c], 0) << "class " << c;

  // Georeferenced like the scene; one band of bytes, nodata 0, a Cloud-Optimized GeoTIFF.
  EXPECT_EQ(blocks->GetRasterXSize(), source->GetRasterXSize());
  EXPECT_EQ(blocks->GetRasterYSize(), source->GetRasterYSize());
  double gs[6], gm[6];
  ASSERT_EQ(source->GetGeoTransform(gs), CE_None);
  ASSERT_EQ(blocks->GetGeoTransform(gm), CE_None);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(gs[i], gm[i]);
  ASSERT_NE(blocks->GetSpatialRef(), nullptr);
  EXPECT_TRUE(blocks->GetSpatialRef()->IsSame(source->GetSpatialRef()));
  GDALRasterBand* b = blocks->GetRasterBand(1);
  EXPECT_EQ(b->GetRasterDataType(), GDT_Byte);
  int has_nodata = 0;
  EXPECT_EQ(b->GetNoDataValue(&has_nodata), 0.0);
  EXPECT_TRUE(has_nodata);
  const char* layout = blocks->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
  EXPECT_STREQ(layout, "COG");

  // The colour table draws each class and leaves nodata transparent; the class table beside the file
  // (map.tif.aux.xml, which GDAL and QGIS read) names each class with its colour and pixel count.
  const GDALColorTable* colours = b->GetColorTable();
  ASSERT_NE(colours, nullptr);
  EXPECT_EQ(colours->GetColorEntry(0)->c4, 0);
  const GDALRasterAttributeTable* table = b->GetDefaultRAT();
  ASSERT_NE(table, nullptr);
  ASSERT_EQ(table->GetRowCount(), 5);
  const int name = table->GetColOfUsage(GFU_Name), red = table->GetColOfUsage(GFU_Red), pixels = table->GetColOfUsage(GFU_PixelCount);
  ASSERT_GE(name, 0);
  ASSERT_GE(red, 0);
  ASSERT_GE(pixels, 0);
  for (int r = 0; r < 5; ++r) {
    EXPECT_EQ(std::string(table->GetValueAsString(r, name)), "class " + std::to_string(r + 1));
    EXPECT_EQ(table->GetValueAsInt(r, red), colours->GetColorEntry(r + 1)->c1);
    EXPECT_EQ(table->GetValueAsInt(r, pixels), count[r + 1]);
    EXPECT_EQ(colours->GetColorEntry(r + 1)->c4, 255);
  }
  // The picture: the map 800 pixels wide beside its legend.
  Dataset picture = open(dir / "map.png");
  ASSERT_TRUE(picture);
  EXPECT_GT(picture->GetRasterXSize(), 800);
}

TEST(MapperNodes, NodataStaysNodataAndNeverEntersTheModel) {
  TempDir dir;
  // The scene's first three bands as Int16 with a nodata hole: rows 100-159 hold -9999 in band 2 only.
  Dataset source = open(sample("stars/L7_ETMs.tif").string());
  ASSERT_TRUE(source);
  const int w = source->GetRasterXSize(), h = source->GetRasterYSize();
  {
    Dataset holed(GetGDALDriverManager()->GetDriverByName("GTiff")->Create((dir / "holed.tif").c_str(), w, h, 3, GDT_Int16, nullptr));
    double geotransform[6];
    source->GetGeoTransform(geotransform);
    holed->SetGeoTransform(geotransform);
    holed->SetSpatialRef(source->GetSpatialRef());
    for (int b = 1; b <= 3; ++b) {
      std::vector<double> values = band(*source, b);
      for (int y = 100; y < 160 && b == 2; ++y) std::fill_n(values.begin() + y * w, w, -9999.0);
      holed->GetRasterBand(b)->SetNoDataValue(-9999);
      ASSERT_EQ(holed->GetRasterBand(b)->RasterIO(GF_Write, 0, 0, w, h, values.data(), w, h, GDT_Float64, 0, 0, nullptr), CE_None);
    }
  }
  auto host = make_host(false);
  run(*host, train_graph(dir / "holed.tif", dir / "model.pt", "block_rows = 64\n"));
  run(*host, map_graph(dir / "holed.tif", dir / "model.pt", dir / "map.tif", "block_rows = 64\n"));
  Dataset map = open(dir / "map.tif");
  ASSERT_TRUE(map);
  const std::vector<double> classes = band(*map, 1);
  for (int y = 0; y < h; ++y) {
    for (int x = 0; x < w; x += 7) {
      if (y >= 100 && y < 160) {
        ASSERT_EQ(classes[y * w + x], 0) << x << "," << y;
      } else {
        ASSERT_GE(classes[y * w + x], 1) << x << "," << y;
      }
    }
  }
  // Had a -9999 entered the fit, band 2's mean and some class's mean would fall far below its real values.
  const std::vector<double> real = band(*source, 2);
  const double low = *std::min_element(real.begin(), real.end()), high = *std::max_element(real.begin(), real.end());
  const nfx::mapper::MapperModel model = nfx::mapper::MapperModel::load(dir / "model.pt");
  EXPECT_GE(model.standardizer().mean[1], low);
  EXPECT_LE(model.standardizer().mean[1], high);
  for (int c = 0; c < model.k(); ++c) {
    EXPECT_GE(model.class_means()[c * 3 + 1], low) << c;
    EXPECT_LE(model.class_means()[c * 3 + 1], high) << c;
  }
}

TEST(MapperNodes, WrongBandsMissingAndCorruptFilesAreLocatedErrors) {
  TempDir dir;
  auto host = make_host(false);
  const std::string scene = sample("stars/L7_ETMs.tif").string();
  run(*host, train_graph(scene, dir / "model.pt"));

  // Four bands into a six-band model: the model's line, both files, the band names.
  const std::string bands = error_of_run(*host, map_graph(scene, dir / "model.pt", dir / "four.tif", "bands = \"1,2,3,4\"\n"));
  EXPECT_NE(bands.find("map.toml:9:9: "), std::string::npos) << bands;
  EXPECT_NE(bands.find(scene + " has 4 band(s), but " + (dir / "model.pt") + " was trained on 6"), std::string::npos) << bands;
  EXPECT_FALSE(std::filesystem::exists(dir / "four.tif"));

  const std::string missing = error_of_run(*host, map_graph(scene, dir / "none.pt", dir / "out.tif"));
  EXPECT_NE(missing.find("map.toml:8:9: "), std::string::npos) << missing;
  EXPECT_NE(missing.find(dir / "none.pt"), std::string::npos) << missing;

  const std::string model = file_bytes(dir / "model.pt");
  std::ofstream(dir / "truncated.pt", std::ios::binary) << model.substr(0, model.size() / 2);
  const std::string truncated = error_of_run(*host, map_graph(scene, dir / "truncated.pt", dir / "out.tif"));
  EXPECT_NE(truncated.find("map.toml:8:9: "), std::string::npos) << truncated;
  EXPECT_NE(truncated.find(dir / "truncated.pt"), std::string::npos) << truncated;

  const std::string no_scene = error_of_run(*host, map_graph(dir / "none.tif", dir / "model.pt", dir / "out.tif"));
  EXPECT_NE(no_scene.find("map.toml:3:8: "), std::string::npos) << no_scene;
  EXPECT_NE(no_scene.find("none.tif: no such file"), std::string::npos) << no_scene;
  EXPECT_FALSE(std::filesystem::exists(dir / "out.tif"));

  // An index over a band the scene does not name: the indices line.
  const std::string index = error_of_run(*host, train_graph(scene, dir / "other.pt", "", "indices = \"ndvi\"\n"));
  EXPECT_NE(index.find("map.toml:13:11: "), std::string::npos) << index;
  EXPECT_NE(index.find("no band is called \"nir\""), std::string::npos) << index;
}

TEST(MapperNodes, EvalScoresEachMethodOnHeldOutPixelsAndComparesSeeds) {
  TempDir dir;
  auto host = make_host(false);
  const std::string scene = sample("stars/L7_ETMs.tif").string();
  run(*host, train_graph(scene, dir / "a.pt", "", "seed = 1\n"));
  run(*host, train_graph(scene, dir / "b.pt", "", "seed = 2\n"));
  const std::string eval = "[nodes.read]\ntype = \"io.read_raster\"\npath = \"" + scene +
                           "\"\n[nodes.eval]\ntype = \"mapper.eval\"\nin.raster = \"read.raster\"\nin.geo = \"read.geo\"\nmodel = \"" +
                           (dir / "a.pt") + "\"\ncompare = \"" + (dir / "a.pt") + "," + (dir / "b.pt") + "\"\nsample = 2000\nreport = \"" +
                           (dir / "eval.json") + "\"\n";
  run(*host, eval);
  const nlohmann::json report = nlohmann::json::parse(file_bytes(dir / "eval.json"));
  EXPECT_EQ(report["pixels"], 2000);
  EXPECT_EQ(report["left_out_as_trained_on"], 4000);  // the training sample, every pixel of it in the scene
  for (const char* method : {"autoencoder", "pca", "bands"}) {
    const nlohmann::json& m = report["methods"][method];
    for (const char* space : {"own", "common"}) {
      EXPECT_GT(m[std::string("silhouette_") + space].get<double>(), 0.1) << method << space;
      EXPECT_LT(m[std::string("silhouette_") + space].get<double>(), 1.0) << method << space;
      EXPECT_GT(m[std::string("davies_bouldin_") + space].get<double>(), 0.0) << method << space;
      EXPECT_GT(m[std::string("calinski_harabasz_") + space].get<double>(), 0.0) << method << space;
    }
    // A model compared with itself agrees exactly; with another seed, less.
    EXPECT_EQ(m["compared"][0]["adjusted_rand_index"].get<double>(), 1.0) << method;
    EXPECT_NEAR(m["compared"][0]["normalized_mutual_information"].get<double>(), 1.0, 1e-12) << method;
    EXPECT_LT(m["compared"][1]["adjusted_rand_index"].get<double>(), 1.0 + 1e-12) << method;
  }
  // In the bands' own space the common space is the same space.
  EXPECT_EQ(report["methods"]["bands"]["silhouette_own"], report["methods"]["bands"]["silhouette_common"]);

  // A reference map, stacked onto the scene as its last band: a's own map agrees with a's classes exactly,
  // the baselines' classes less.
  run(*host, map_graph(scene, dir / "a.pt", dir / "a.tif"));
  const std::string with_reference = "[nodes.read]\ntype = \"io.read_raster\"\npath = \"" + scene + "\"\nstack = \"" + (dir / "a.tif") +
                                     "\"\nstack_resampling = \"nearest\"\n[nodes.eval]\ntype = \"mapper.eval\"\nin.raster = \"read.raster\"\n"
                                     "in.geo = \"read.geo\"\nmodel = \"" + (dir / "a.pt") + "\"\nreference = true\nsample = 2000\nreport = \"" +
                                     (dir / "reference.json") + "\"\n";
  run(*host, with_reference);
  const nlohmann::json scored = nlohmann::json::parse(file_bytes(dir / "reference.json"));
  EXPECT_EQ(scored["methods"]["autoencoder"]["reference"]["adjusted_rand_index"].get<double>(), 1.0);
  EXPECT_EQ(scored["methods"]["autoencoder"]["reference"]["pixels"], 2000);
  EXPECT_LT(scored["methods"]["pca"]["reference"]["adjusted_rand_index"].get<double>(), 0.99);
  EXPECT_EQ(scored["methods"]["autoencoder"]["silhouette_common"], report["methods"]["autoencoder"]["silhouette_common"]);
}

// The 3 x 3 neighbourhood: with a halo of one row the blocks see across their edges, so the map made in
// blocks equals the map made whole; without it the error says what to set.
TEST(MapperNodes, NeighbourhoodFeaturesNeedAHaloAndThenMatchTheWholeMap) {
  TempDir dir;
  auto host = make_host(false);
  const std::string scene = sample("stars/L7_ETMs.tif").string();
  run(*host, train_graph(scene, dir / "model.pt", "block_rows = 40\nhalo = 1\n", "neighbourhood = true\n"));
  EXPECT_EQ(nfx::mapper::MapperModel::load(dir / "model.pt").features(), 18);
  run(*host, map_graph(scene, dir / "model.pt", dir / "blocks.tif", "block_rows = 37\nhalo = 1\n"));
  run(*host, map_graph(scene, dir / "model.pt", dir / "whole.tif", "block_rows = 100000\n"));
  Dataset blocks = open(dir / "blocks.tif"), whole = open(dir / "whole.tif");
  ASSERT_TRUE(blocks && whole);
  EXPECT_EQ(band(*blocks, 1), band(*whole, 1));
  // The halo rows are context only: the map has the scene's size.
  EXPECT_EQ(blocks->GetRasterYSize(), 352);

  const std::string no_halo = error_of_run(*host, map_graph(scene, dir / "model.pt", dir / "none.tif", "block_rows = 37\n"));
  EXPECT_NE(no_halo.find("set halo = 1 on io.read_raster"), std::string::npos) << no_halo;
}
