// sr.train and sr.eval as graph nodes: a tiny training run writes a model that sr.upscale and sr.eval load,
// and sr.eval's report holds what the docs say.
#include "test_support.hpp"

#include <nlohmann/json.hpp>

#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <fstream>

using namespace nfx::test;

namespace {

void run_graph(const std::string& toml) {
  auto host = make_host(false);
  nfx::Graph graph = host->parse_graph(toml, "sr.toml");
  graph.run(nfx::RunOptions{});
}

}  // namespace

// sr.train and flow.train declare the loop's parameters once (nfx::training::add_train_params): the same
// names with the same documentation; only the defaults are each model's.
TEST(SrNodes, TrainHasFlowTrainsLoopParameters) {
  auto host = make_host(false);
  const nfx_node_type* sr = host->node_type("sr.train");
  const nfx_node_type* flow = host->node_type("flow.train");
  ASSERT_NE(sr, nullptr);
  ASSERT_NE(flow, nullptr);
  auto doc_of = [](const nfx_node_type* t, const std::string& name) -> std::string {
    for (uint32_t i = 0; i < t->param_count; ++i) {
      if (name == t->params[i].name) return t->params[i].doc;
    }
    return "(missing)";
  };
  for (const char* name : {"out", "minutes", "epochs", "steps_per_epoch", "validate_every", "batch", "learning_rate",
                           "warmup_steps", "schedule", "clip_norm", "seed", "resume", "steps_per_level"}) {
    EXPECT_NE(doc_of(sr, name), "(missing)") << name;
    EXPECT_EQ(doc_of(sr, name), doc_of(flow, name)) << name;
  }
  EXPECT_EQ(doc_of(sr, "steps"), "(missing)") << "renamed steps_per_level: steps counts training steps elsewhere";
}

TEST(SrNodes, TrainWritesAModelThatUpscaleAndEvalLoad) {
  TempDir dir;
  const cv::Mat baboon = cv::imread(sample("images/baboon.jpg").string());
  fs::create_directories(dir / "train");
  for (int i = 0; i < 3; ++i) cv::imwrite(dir / ("train/crop" + std::to_string(i) + ".png"), baboon(cv::Rect(i * 160, 0, 96, 96)));
  run_graph("[nodes.train]\ntype = \"sr.train\"\nimages = \"" + dir / "train" + "\"\nout = \"" + dir / "run" +
            "\"\nencoder = \"esrgan-slim\"\nencoder_blocks = 1\ncondition = 8\nsteps_per_level = 1\nhidden = 8\nminutes = 0\n"
            "epochs = 2\nsteps_per_epoch = 2\nbatch = 4\npatch = 8\n");
  for (const char* file : {"checkpoint.pt", "best.pt", "model.pt", "curve.csv", "curve.png"}) {
    EXPECT_TRUE(fs::exists(dir / ("run/" + std::string(file)))) << file;
  }
  EXPECT_LT(fs::file_size(dir / "run/model.pt"), fs::file_size(dir / "run/checkpoint.pt")) << "float16, no optimizer";

  run_graph("[nodes.read]\ntype = \"io.read_images\"\npath = \"" + sample("sr/eval/butterfly.png").string() + "\"\n"
            "[nodes.eval]\ntype = \"sr.eval\"\nin.image = \"read.image\"\nmodel = \"" + dir / "run/model.pt" +
            "\"\nscale = 4\nreport = \"" + dir / "report.json" + "\"\n");
  nlohmann::json report = nlohmann::json::parse(std::ifstream(dir / "report.json"));
  ASSERT_EQ(report["images"].size(), 1u);
  EXPECT_EQ(report["images"][0]["image"], "butterfly.png");
  const double y_psnr = report["mean"]["y_psnr"];
  EXPECT_GT(y_psnr, 18.0) << "an upscale of the butterfly, not noise";
  EXPECT_LT(y_psnr, 40.0);
  EXPECT_NE(report["model"].get<std::string>().find("parameters"), std::string::npos);
}

TEST(SrNodes, TrainRefusesAFolderWithoutUsableImages) {
  TempDir dir;
  fs::create_directories(dir / "small");
  cv::imwrite(dir / "small/tiny.png", cv::Mat(20, 20, CV_8UC3, cv::Scalar(1, 2, 3)));
  cv::imwrite(dir / "small/tiny2.png", cv::Mat(20, 20, CV_8UC3, cv::Scalar(1, 2, 3)));
  try {
    run_graph("[nodes.train]\ntype = \"sr.train\"\nimages = \"" + dir / "small" + "\"\nout = \"" + dir / "run" +
              "\"\nencoder = \"esrgan-slim\"\nencoder_blocks = 1\nminutes = 0\nepochs = 1\n");
    ADD_FAILURE() << "trained on 20 x 20 images";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("tiny"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("too small for training patches"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "run/checkpoint.pt"));
}

TEST(SrNodes, TheShippedGraphsValidate) {
  for (const char* graph : {"sr-upscale", "sr-train", "sr-eval"}) {
    const std::string command = std::string(NFX_TEST_TOOL) + " validate " + NFX_TEST_SOURCE_DIR + "/graphs/" + graph + ".toml";
    EXPECT_EQ(std::system(command.c_str()), 0) << command;
  }
}
