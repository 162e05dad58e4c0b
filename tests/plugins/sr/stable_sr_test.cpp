// Affine-StableSR: the model's sizes, temperature and determinism, its files, and a few training steps.
#include "model/stable_sr.hpp"
#include "model/stable_sr_training.hpp"
#include "model/upscaler.hpp"
#include "test_support.hpp"

#include <nfx/base.hpp>
#include <nfx/training/loop.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/random.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <fstream>

using namespace nfx::test;
using nfx::sr::StableSr;
using nfx::sr::StableSrSpec;

namespace {

// A small model on esrgan-slim's first block, quick enough for tests.
StableSrSpec small_spec(int64_t scale) {
  StableSrSpec spec;
  spec.scale = scale;
  spec.encoder = "esrgan-slim";
  spec.encoder_blocks = 1;
  spec.condition = 16;
  spec.flow.levels = 2;
  spec.flow.steps = 2;
  spec.flow.hidden = 16;
  spec.flow.mixing = "invconv1x1+finc3";
  spec.flow.direction = nfx::flow::Direction::inverse;
  return spec;
}

torch::Tensor read_rgb(const fs::path& file) {
  cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR), rgb;
  if (bgr.empty()) ADD_FAILURE() << "cannot read " << file;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).permute({2, 0, 1}).clone();
}

// The flow's ActNorm layers initialize themselves on the first batch, as training does.
void initialize(StableSr& model, const torch::Tensor& low) {
  torch::NoGradGuard no_grad;
  const torch::Tensor condition = model.condition(model.features(low));
  const torch::Tensor residual = 0.05 * torch::randn({low.size(0), 3, low.size(2) * model.spec().scale, low.size(3) * model.spec().scale});
  model.log_prob(residual, condition);
}

}  // namespace

TEST(StableSr, UpscalesAnySizeAtX2AndX4) {
  for (int64_t scale : {2, 4}) {
    StableSr model(small_spec(scale), "", 1);
    torch::NoGradGuard no_grad;
    const torch::Tensor low = torch::rand({1, 3, 13, 17});  // odd sides: padded for the squeezes, cropped again
    EXPECT_EQ(model.upscale(low).sizes(), (std::vector<int64_t>{1, 3, 13 * scale, 17 * scale})) << "x" << scale;
  }
}

TEST(StableSr, TemperatureZeroIsDeterministicAndHigherTemperaturesSpreadMore) {
  StableSr model(small_spec(4), "", 2);
  const torch::Tensor low = torch::rand({1, 3, 16, 16});
  initialize(model, low);
  torch::NoGradGuard no_grad;
  model.eval();
  const torch::Tensor mode = model.upscale(low);
  EXPECT_TRUE(torch::equal(mode, model.upscale(low)));
  torch::Generator g1 = nfx::training::make_generator(7), g2 = nfx::training::make_generator(7);
  const torch::Tensor warm = model.upscale(low, 0.8, &g1);
  EXPECT_TRUE(torch::equal(warm, model.upscale(low, 0.8, &g2))) << "the same seed gives the same sample";
  torch::Generator g3 = nfx::training::make_generator(7);
  const torch::Tensor cool = model.upscale(low, 0.3, &g3);
  const double spread_warm = (warm - mode).std().item<double>(), spread_cool = (cool - mode).std().item<double>();
  EXPECT_GT(spread_cool, 0.0);
  EXPECT_GT(spread_warm, 2.0 * spread_cool) << "0.8 against 0.3";
}

TEST(StableSr, ModelFileRoundTripsInHalfPrecisionAndRefusesAnotherModel) {
  TempDir dir;
  StableSr model(small_spec(4), "", 3);
  const torch::Tensor low = torch::rand({1, 3, 12, 12});
  initialize(model, low);
  {
    torch::NoGradGuard no_grad;  // move the mean off zero so the weights matter
    for (auto& p : model.parameters()) p.add_(0.01 * torch::randn(p.sizes()));
  }
  nfx::training::CheckpointWriter writer(nfx::sr::kStableSrFormat);
  nfx::sr::write_stable_sr(writer, model, true);
  writer.save(dir / "model.pt");

  nfx::training::CheckpointReader reader(dir / "model.pt", nfx::sr::kStableSrFormat);
  StableSr loaded(nfx::sr::read_stable_sr_spec(reader), "", 99);
  nfx::sr::read_stable_sr_weights(reader, loaded);
  torch::NoGradGuard no_grad;
  model.eval();
  loaded.eval();
  const torch::Tensor a = model.upscale(low), b = loaded.upscale(low);
  EXPECT_GT((a - nfx::sr::StableSr(small_spec(4), "", 3).base(low)).abs().max().item<double>(), 1e-3);
  EXPECT_LT((a - b).abs().max().item<double>(), 2e-3) << "float16 weights";

  StableSrSpec wider = small_spec(4);
  wider.flow.hidden = 24;
  StableSr other(wider, "", 0);
  nfx::training::CheckpointReader again(dir / "model.pt", nfx::sr::kStableSrFormat);
  try {
    nfx::sr::read_stable_sr_weights(again, other);
    ADD_FAILURE() << "a model of another shape was loaded";
  } catch (const nfx::training::CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find("model.pt: tensor 'weights/flow."), std::string::npos) << e.what();
  }
}

TEST(StableSr, CorruptOrMismatchedFilesGiveClearErrors) {
  TempDir dir;
  StableSr model(small_spec(2), "", 0);
  nfx::training::CheckpointWriter writer(nfx::sr::kStableSrFormat);
  nfx::sr::write_stable_sr(writer, model, true);
  writer.save(dir / "x2.pt");
  const auto load_error = [&](const std::string& file, int64_t scale) {
    nfx::sr::UpscalerOptions options;
    options.model = file;
    options.scale = scale;
    return error_of([&] { nfx::sr::Upscaler upscaler(options); });
  };
  EXPECT_NE(load_error(dir / "x2.pt", 4).find("an x2 model, but scale = 4"), std::string::npos);
  fs::copy_file(dir / "x2.pt", dir / "cut.pt");
  fs::resize_file(dir / "cut.pt", fs::file_size(dir / "cut.pt") / 2);
  EXPECT_NE(load_error(dir / "cut.pt", 2).find("cut.pt: not a readable model"), std::string::npos);
  std::ofstream(dir / "text.pt") << "not a model";
  EXPECT_NE(load_error(dir / "text.pt", 2).find("text.pt: not a readable model"), std::string::npos);
  EXPECT_NE(load_error(dir / "none.pt", 2).find("none.pt: no such model file"), std::string::npos);
  nfx::sr::UpscalerOptions missing;
  missing.model = "affine-stablesr";
  missing.weights_dir = dir / "empty";
  EXPECT_THROW(nfx::sr::Upscaler{missing}, nfx::Error);
}

TEST(StableSrTraining, TheLossFallsInAFewSteps) {
  TempDir dir;
  auto model = std::make_shared<StableSr>(small_spec(4), "", 4);
  const torch::Tensor baboon = read_rgb(data_dir() / "images/baboon.jpg");
  // Two small crops, so the patches of different steps overlap and the loss is not dominated by which
  // part of the image a batch happens to show.
  std::vector<std::pair<std::string, torch::Tensor>> train{{"a", baboon.narrow(1, 0, 64).narrow(2, 0, 64)},
                                                           {"b", baboon.narrow(1, 256, 64).narrow(2, 256, 64)}};
  std::vector<std::pair<std::string, torch::Tensor>> held{{"c", baboon.narrow(1, 384, 64).narrow(2, 0, 64)}};
  nfx::sr::SrTrainOptions options;
  options.patch = 8;
  options.batch = 8;
  options.learning_rate = 3e-3;
  options.augment = false;
  options.warmup_steps = 0;
  options.schedule = "constant";
  nfx::sr::StableSrTask task(model, options, nfx::sr::prepare_examples(*model, train, options.patch, [](size_t) {}),
                             nfx::sr::prepare_examples(*model, held, 1, [](size_t) {}));
  nfx::training::LoopOptions loop_options;
  loop_options.out = dir.path();
  loop_options.format = nfx::sr::kStableSrFormat;
  loop_options.minutes = 0;
  loop_options.epochs = 3;
  loop_options.steps_per_epoch = 20;
  loop_options.best = "y_psnr";
  loop_options.higher_is_better = true;
  nfx::training::Loop loop(task, loop_options);
  loop.begin();
  const auto first = loop.run_epoch();
  loop.run_epoch();
  const auto last = loop.run_epoch();
  ASSERT_EQ(first.train.front().first, "loss");
  std::printf("loss %.3f -> %.3f, held-out Y-PSNR %.2f -> %.2f dB\n", first.train.front().second, last.train.front().second,
              first.held_out.front().second, last.held_out.front().second);
  EXPECT_LT(last.train.front().second, first.train.front().second - 0.05);
  EXPECT_TRUE(fs::exists(dir / "best.pt"));
}

// The committed x2 and x4 weights (plugins/sr/models, from graphs/sr-train.toml) on a held-out image.
TEST(StableSr, CommittedModelsBeatBicubicOnAHeldOutImage) {
  const torch::Tensor truth = read_rgb(sample("sr/eval/butterfly.png"));
  for (int64_t scale : {2, 4}) {
    const torch::Tensor low = nfx::sr::degrade_bicubic(truth, scale);
    const auto y_psnr = [&](const std::string& model) {
      nfx::sr::UpscalerOptions options;
      options.model = model;
      options.scale = scale;
      return nfx::training::psnr(nfx::sr::Upscaler(options).upscale(low), truth, {255.0, scale, true});
    };
    const double bicubic = y_psnr("bicubic"), flow = y_psnr("affine-stablesr");
    std::printf("butterfly x%lld: bicubic %.2f dB, affine-stablesr %.2f dB\n", static_cast<long long>(scale), bicubic, flow);
    EXPECT_GT(flow, bicubic + 1.0) << "x" << scale;
  }
}

// The parts nfx inspect shows: the frozen encoder and the trained condition, mean and flow, adding up to
// the total; the condition's and mean's counts by hand from their layers.
TEST(StableSr, ParameterPartsAddUpAndMatchTheirLayers) {
  for (int64_t scale : {2, 4}) {
    StableSr model(small_spec(scale), "", 1);
    const auto parts = model.parameter_parts();
    ASSERT_EQ(parts.size(), 4u);
    int64_t sum = 0;
    for (const auto& [name, count] : parts) sum += count;
    EXPECT_EQ(sum, model.encoder_parameters() + model.trainable_parameters()) << "x" << scale;
    EXPECT_EQ(parts[0].first, "frozen encoder (esrgan-slim blocks 1-1)");
    EXPECT_EQ(parts[0].second, model.encoder_parameters());
    // condition: 1 x 1 from 64 feature channels to c = 16, then 3 x 3 from c to c (scale / 2)^2
    const int64_t c = 16, lift = scale / 2, out = c * lift * lift;
    EXPECT_EQ(parts[1].second, 64 * c + c + 9 * c * out + out) << "x" << scale;
    // mean: 3 x 3 from c to c, then 3 x 3 from c to 12 (3 colours x 2 x 2 pixel shuffle)
    EXPECT_EQ(parts[2].second, 9 * c * c + c + 9 * c * 12 + 12) << "x" << scale;
  }
}

// The claim: 5x fewer parameters than ESRGAN. Real-ESRGAN x4plus is counted from its ncnn file and
// checked against RRDBNet's layers (23 blocks of 3 dense blocks, 64 features, growth 32).
TEST(StableSr, CommittedModelsHaveFiveTimesFewerParametersThanEsrgan) {
  const auto conv3 = [](int64_t in, int64_t out) { return 9 * in * out + out; };
  int64_t dense_block = 0;
  for (int64_t i = 0; i < 4; ++i) dense_block += conv3(64 + 32 * i, 32);
  dense_block += conv3(64 + 32 * 4, 64);
  const int64_t rrdbnet = conv3(3, 64) + 23 * 3 * dense_block + 4 * conv3(64, 64) + conv3(64, 3);
  nfx::sr::UpscalerOptions options;
  options.model = "realesrgan-x4plus";
  EXPECT_EQ(nfx::sr::Upscaler(options).parameter_count(), rrdbnet);
  EXPECT_EQ(rrdbnet, 16697987);
  options.model = "affine-stablesr";
  for (int64_t scale : {2, 4}) {
    options.scale = scale;
    const nfx::sr::Upscaler upscaler(options);
    EXPECT_LE(5 * upscaler.parameter_count(), rrdbnet) << "x" << scale << ": " << upscaler.description();
    const auto facts = upscaler.facts();
    const auto total = std::find_if(facts.begin(), facts.end(), [](const auto& f) { return f.first == "parameters"; });
    ASSERT_NE(total, facts.end());
    EXPECT_EQ(total->second, nfx::training::with_commas(upscaler.parameter_count()));
  }
}
