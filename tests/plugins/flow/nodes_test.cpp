// The flow plugin's nodes through real graphs: training writes a checkpoint and a curve and resumes from
// them; sampling and evaluation read the checkpoint; bad input is named.
#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>

#include <fstream>

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
steps = 1
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
  try {
    host->parse_graph(train_graph(dir.path(), "levels = 3\n"), "train.toml").run({});
    FAIL() << "20 x 20 digits cannot be squeezed three times";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("multiples of 8"), std::string::npos) << e.what();
  }
}
