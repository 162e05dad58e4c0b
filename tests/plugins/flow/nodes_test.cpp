// The flow plugin's nodes through real graphs: training writes a checkpoint and a curve and resumes from
// them; sampling and evaluation read the checkpoint; bad input is named.
#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <fstream>
#include <tuple>

using namespace nfx::test;

namespace {

// A small, quick model on the real digits.
std::string train_graph(const fs::path& out, const std::string& extra = "") {
  return R"(
[graph.variables]
epochs = 1
[nodes.train]
type = "flow.train"
data = ")" + sample("digits.png").string() + R"("
out = ")" + out.string() + R"("
epochs = "${epochs}"
steps_per_level = 1
hidden = 8
mixing = "finc3"
coupling = "quad"
direction = "inverse"
batch = 250
)" + extra;
}

int lines_of(const fs::path& file) {
  std::ifstream in(file);
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

}  // namespace

TEST(FlowNodes, TrainWritesCheckpointAndCurveThenResumes) {
  auto host = make_host(false);
  TempDir out;
  nfx::RunStats first = host->parse_graph(train_graph(out.path()), "train.toml").run({});
  EXPECT_EQ(first.items, 1);
  EXPECT_TRUE(fs::exists(out.path() / "checkpoint.pt"));
  EXPECT_EQ(lines_of(out.path() / "curve.csv"), 2);  // header + epoch 1
  const cv::Mat plot = cv::imread((out.path() / "curve.png").string());
  EXPECT_EQ(plot.cols, 800);
  // A second run with a larger epoch budget continues at epoch 2 instead of starting over.
  nfx::RunStats second = host->parse_graph(train_graph(out.path()), "train.toml", {"epochs=2"}).run({});
  EXPECT_EQ(second.items, 1);
  EXPECT_EQ(lines_of(out.path() / "curve.csv"), 3);
  std::ifstream csv(out.path() / "curve.csv");
  std::string header, row1, row2;
  std::getline(csv, header);
  std::getline(csv, row1);
  std::getline(csv, row2);
  EXPECT_EQ(row2.substr(0, 5), "2,36,") << "epoch 2 resumes the step count (18 steps of 250 per epoch): " << row2;
  for (const auto& entry : fs::directory_iterator(out.path())) {
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << "left behind: " << entry.path();
  }
}

TEST(FlowNodes, SampleAndEvalReadTheCheckpoint) {
  auto host = make_host(false);
  TempDir out;
  host->parse_graph(train_graph(out.path()), "train.toml").run({});
  host->parse_graph(R"(
[nodes.sample]
type = "flow.sample"
checkpoint = ")" + out / "checkpoint.pt" + R"("
count = 10
columns = 5
[nodes.write]
type = "io.write_images"
in.image = "sample.grid"
dir = ")" + out.path().string() + R"("
)", "sample.toml").run({});
  const cv::Mat grid = cv::imread(out / "samples.png", cv::IMREAD_UNCHANGED);
  ASSERT_FALSE(grid.empty());
  EXPECT_EQ(grid.cols, 100);  // 5 columns of 20 pixels
  EXPECT_EQ(grid.rows, 40);   // 2 rows
  EXPECT_EQ(grid.channels(), 1);

  double bpd = 0;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) { bpd = e.value.as_scalar(); };
  host->parse_graph(R"(
[nodes.eval]
type = "flow.eval"
checkpoint = ")" + out / "checkpoint.pt" + R"("
data = ")" + sample("digits.png").string() + R"("
[nodes.out]
type = "host.output"
in.value = "eval.bpd"
)", "eval.toml").run(options);
  EXPECT_GT(bpd, 0.5);
  EXPECT_LT(bpd, 12.0);  // barely trained: near the 8 bits/dim of uniform noise
  std::ifstream csv(out / "curve.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  EXPECT_NEAR(bpd, std::stod(row.substr(row.rfind(',') + 1)), 1e-3) << "eval agrees with training's held-out figure";
}

TEST(FlowNodes, BadCheckpointsAndSpecsAreNamed) {
  auto host = make_host(false);
  TempDir dir;
  std::ofstream(dir / "broken.pt") << "not a checkpoint";
  auto sample_graph = [&](const std::string& checkpoint) {
    return "[nodes.sample]\ntype = \"flow.sample\"\ncheckpoint = \"" + checkpoint + "\"\n";
  };
  for (const std::string& bad : {dir / "missing.pt", dir / "broken.pt"}) {
    try {
      host->parse_graph(sample_graph(bad), "sample.toml").run({});
      FAIL() << "a bad checkpoint must fail the run";
    } catch (const std::exception& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  // Errors that span fields or parse a field's text are reported at that field's line.
  std::string bad_mixing = train_graph(dir.path());
  bad_mixing.replace(bad_mixing.find("mixing = \"finc3\""), 16, "mixing = \"finc3+fnc\"");
  for (const auto& [toml, field, expected] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {train_graph(dir.path(), "levels = 3\n"), "levels =", "multiples of 8"},
           {bad_mixing, "mixing =", "mixing = \"finc3+fnc\": expected"}}) {
    const int line = 1 + static_cast<int>(std::count(toml.begin(), toml.begin() + static_cast<std::ptrdiff_t>(toml.find(field)), '\n'));
    try {
      host->parse_graph(toml, "train.toml").run({});
      FAIL() << "the spec must be refused: " << expected;
    } catch (const nfx::RunError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).rfind("train.toml:" + std::to_string(line) + ":", 0), 0u) << e.what();
    }
  }
}

namespace {

// The first `count` digits of digits.png as 20 x 20 grayscale PNG files in `dir`.
void write_digits(const fs::path& dir, int count) {
  const cv::Mat sheet = cv::imread(sample("digits.png").string(), cv::IMREAD_GRAYSCALE);
  for (int i = 0; i < count; ++i) {
    cv::imwrite((dir / ("digit" + std::to_string(i) + ".png")).string(), sheet(cv::Rect(20 * i, 0, 20, 20)));
  }
}

std::vector<float> latent_values(const nfx::Value& v) {
  const DLTensor* t = v.dl();
  const float* data = static_cast<const float*>(t->data);
  return std::vector<float>(data, data + t->shape[0]);
}

// Runs `toml` and returns the latents that reach its host.output node, by item.
std::map<int64_t, std::vector<float>> run_for_latents(nfx::Host& host, const std::string& toml) {
  std::map<int64_t, std::vector<float>> latents;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) { latents[e.item] = latent_values(e.value); };
  host.parse_graph(toml, "latents.toml").run(options);
  return latents;
}

std::string encode_graph(const fs::path& images, const std::string& codec) {
  return R"(
[nodes.read]
type = "io.read_images"
path = ")" + images.string() + R"("
color = "gray"
[nodes.codec]
in.image = "read.image"
)" + codec + R"(
[nodes.out]
type = "host.output"
in.value = "codec.latent"
)";
}

}  // namespace

// Real digits through encode and decode, both ways round, with the graph's invert and state keys.
TEST(FlowNodes, EncodeAndDecodeAreInversesAndTheirExtensionsWork) {
  auto host = make_host(false);
  TempDir dir;
  const fs::path images = dir.path() / "digits", decoded = dir.path() / "decoded", model = dir.path() / "model";
  fs::create_directories(images);
  write_digits(images, 3);
  host->parse_graph(train_graph(model), "train.toml").run({});
  const std::string checkpoint = (model / "checkpoint.pt").string();

  const auto latents = run_for_latents(*host, encode_graph(images, "type = \"flow.encode\"\ncheckpoint = \"" + checkpoint + "\""));
  ASSERT_EQ(latents.size(), 3u);
  EXPECT_EQ(latents.at(0).size(), 400u);  // one value per pixel: a flow keeps the dimension

  // flow.decode inverted is flow.encode.
  EXPECT_EQ(run_for_latents(*host, encode_graph(images, "type = \"flow.decode\"\ninvert = true\ncheckpoint = \"" + checkpoint + "\"")),
            latents);

  // Latents fed back through flow.encode inverted give the digits back, pixel for pixel.
  auto decode = host->parse_graph(R"(
[nodes.in]
type = "host.input"
kind = "tensor"
[nodes.codec]
type = "flow.encode"
invert = true
checkpoint = ")" + checkpoint + R"("
in.latent = "in.value"
[nodes.write]
type = "io.write_images"
in.image = "codec.image"
dir = ")" + decoded.string() + R"("
ext = "png"
)", "decode.toml");
  for (const auto& [item, values] : latents) {
    auto* managed = new DLManagedTensor{};
    auto* storage = new std::pair<std::vector<float>, int64_t>(values, static_cast<int64_t>(values.size()));
    managed->dl_tensor = DLTensor{storage->first.data(), {kDLCPU, 0}, 1, DLDataType{kDLFloat, 32, 1}, &storage->second, nullptr, 0};
    managed->manager_ctx = storage;
    managed->deleter = [](DLManagedTensor* m) {
      delete static_cast<std::pair<std::vector<float>, int64_t>*>(m->manager_ctx);
      delete m;
    };
    decode.feed("in", nfx::Value::tensor(NFX_KIND_TENSOR, managed));
  }
  decode.run({});
  for (int i = 0; i < 3; ++i) {
    const cv::Mat original = cv::imread((images / ("digit" + std::to_string(i) + ".png")).string(), cv::IMREAD_UNCHANGED);
    const cv::Mat back = cv::imread((decoded / ("in#" + std::to_string(i) + ".png")).string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(back.empty()) << "decoded item " << i;
    EXPECT_EQ(cv::norm(original, back, cv::NORM_INF), 0.0) << "digit " << i << " must come back exactly";
  }

  // state = another model's weights replaces the checkpoint's model: the latents change to that model's.
  const fs::path other = dir.path() / "other";
  host->parse_graph(train_graph(other, "seed = 7\n"), "train.toml").run({});
  const std::string other_checkpoint = (other / "checkpoint.pt").string();
  const auto with_state = run_for_latents(
      *host, encode_graph(images, "type = \"flow.encode\"\ncheckpoint = \"" + checkpoint + "\"\nstate = \"" + other_checkpoint + "\""));
  EXPECT_EQ(with_state, run_for_latents(*host, encode_graph(images, "type = \"flow.encode\"\ncheckpoint = \"" + other_checkpoint + "\"")));
  EXPECT_NE(with_state, latents);
}

TEST(FlowNodes, EncodeNamesAWrongImageSize) {
  auto host = make_host(false);
  TempDir dir;
  host->parse_graph(train_graph(dir.path() / "model"), "train.toml").run({});
  cv::imwrite(dir / "big.png", cv::Mat(28, 28, CV_8UC1, cv::Scalar(9)));
  try {
    run_for_latents(*host, encode_graph(dir / "big.png", "type = \"flow.encode\"\ncheckpoint = \"" + dir / "model/checkpoint.pt\""));
    FAIL() << "a 28 x 28 image does not fit a 20 x 20 model";
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("the model takes 20 x 20 with 1"), std::string::npos) << e.what();
    EXPECT_EQ(e.node(), "codec");
  }
}

// The loop parameters every train node shares: an epoch longer than one pass over the data (18 steps of
// 250 digits) goes on into the next pass, and validation comes at its interval.
TEST(FlowNodes, StepsPerEpochAndValidateEveryAreTheLoops) {
  auto host = make_host(false);
  TempDir dir;
  host->parse_graph(train_graph(dir.path(), "steps_per_epoch = 20\nvalidate_every = 2\n"), "train.toml", {"epochs=2"})
      .run({});
  // The curve gets a row per validation: epoch 2 only, after 2 epochs of 20 steps.
  EXPECT_EQ(lines_of(dir.path() / "curve.csv"), 2);
  std::ifstream csv(dir.path() / "curve.csv");
  std::string header, row;
  std::getline(csv, header);
  std::getline(csv, row);
  ASSERT_EQ(header, "epoch,step,seconds,train_bpd,held_out_bpd");
  EXPECT_EQ(row.substr(0, 5), "2,40,") << row;
  EXPECT_GT(std::stod(row.substr(row.rfind(',') + 1)), 0) << row;
}

// Training data from an io source: digit files read by io.read_images, collected, split and trained on.
TEST(FlowNodes, TrainsOnImagesFromAnIoSource) {
  auto host = make_host(false);
  TempDir dir;
  const fs::path images = dir.path() / "digits", out = dir.path() / "model";
  fs::create_directories(images);
  write_digits(images, 30);
  auto graph = [&](const std::string& path) {
    return R"(
[nodes.read]
type = "io.read_images"
path = ")" + path + R"("
color = "gray"
[nodes.train]
type = "flow.train"
in.image = "read.image"
out = ")" + out.string() + R"("
epochs = 2
steps_per_level = 1
hidden = 8
batch = 9
)";
  };
  host->parse_graph(graph(images.string()), "train.toml").run({});
  EXPECT_TRUE(fs::exists(out / "checkpoint.pt"));
  EXPECT_EQ(lines_of(out / "curve.csv"), 3);  // header + 2 epochs
  std::ifstream csv(out / "curve.csv");
  std::string header, row1;
  std::getline(csv, header);
  std::getline(csv, row1);
  EXPECT_EQ(row1.substr(0, 4), "1,3,") << "27 training images (3 of 30 held out) make 3 steps of 9: " << row1;

  // flow.eval on the same images and split gives training's last held-out figure.
  std::string last = row1;
  for (std::string line; std::getline(csv, line);) last = line;
  host->parse_graph(R"(
[nodes.read]
type = "io.read_images"
path = ")" + images.string() + R"("
color = "gray"
[nodes.eval]
type = "flow.eval"
in.image = "read.image"
checkpoint = ")" + (out / "checkpoint.pt").string() + R"("
report = ")" + (out / "eval.json").string() + R"("
)", "eval.toml").run({});
  std::ifstream report(out / "eval.json");
  const std::string json((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  EXPECT_NE(json.find("\"images\": 3, \"split\": \"held_out\""), std::string::npos) << json;
  const double bpd = std::stod(json.substr(json.find("\"bits_per_dim\": ") + 16));
  EXPECT_NEAR(bpd, std::stod(last.substr(last.rfind(',') + 1)), 1e-3) << "eval agrees with training: " << last;

  // One image of another size is named.
  cv::imwrite((images / "odd.png").string(), cv::Mat(24, 20, CV_8UC1, cv::Scalar(0)));
  try {
    host->parse_graph(graph(images.string()), "train.toml").run({});
    FAIL() << "images of two sizes cannot be trained on together";
  } catch (const nfx::RunError& e) {
    EXPECT_NE(std::string(e.what()).find("every image must have the same size"), std::string::npos) << e.what();
  }
}
