// Model files a user is handed (issue 33), through the loaders that make tensors and through sr.upscale:
// the readers' errors reach the user; a network whose output has the wrong channel count or holds NaN fails
// the image; a model that never returns is stopped by one SIGTERM.
#include "model/upscaler.hpp"
#include "tfjs_fixture.hpp"
#include <nfx/models/ncnn_model.hpp>
#include <nfx/models/tfjs_model.hpp>
#include "test_support.hpp"

#include <nfx/nfx.hpp>

#include <torch/script.h>

#include <sys/stat.h>

#include <fstream>
#include <limits>

using namespace nfx::test;

// The readers' own checks are tested without LibTorch in model_files_test.cpp (also under ASan); here the
// loaders that make tensors pass their errors on, and what a network gives is checked.
TEST(HostileLoaders, TheWellFormedTfjsModelLoads) {
  TempDir dir;
  EXPECT_EQ(nfx::models::TfjsModel::load(write_tfjs(dir.path())).parameter_count(), 27 * 3 + 3);
}

TEST(HostileLoaders, TheTfjsLoaderGivesTheReadersErrors) {
  TempDir dir;
  const std::string file = write_tfjs(dir.path());
  edit_tfjs(file, [](nlohmann::json& m) { tfjs_layer(m, 2)["config"]["size"] = {200, 200}; });
  const std::string e = error_of([&] { nfx::models::TfjsModel::load(file); });
  EXPECT_NE(e.find(file + ": layer 'up': size must be 1 to 16"), std::string::npos) << e;
}

TEST(HostileLoaders, TheNcnnLoaderGivesTheReadersErrors) {
  TempDir dir;
  std::ofstream(dir / "m.param") << "7767517\n2 2\nInput in 0 1 data\nSplit s 1 1 data out\n";
  ASSERT_EQ(mkfifo((dir / "m.bin").c_str(), 0600), 0);
  const std::string e = error_of([&] { nfx::models::NcnnModel::load(dir / "m.param", dir / "m.bin"); });
  EXPECT_NE(e.find("m.bin: ncnn weights (.bin) is not a regular file"), std::string::npos) << e;
}

// What the network gives is checked before it is blended into the image.
TEST(HostileOutputs, WrongChannelCountsAndNanFailTheImageNamingTheModel) {
  TempDir dir;
  const torch::Tensor image = torch::randint(0, 256, {3, 40, 48}, torch::kUInt8);
  const auto upscale_error = [&](const std::string& model_json, bool check_finite = true) {
    nfx::sr::UpscalerOptions options;
    options.model = model_json;
    options.scale = 2;
    options.check_finite = check_finite;
    return error_of([&] { nfx::sr::Upscaler(options).upscale(image); });
  };
  EXPECT_EQ(upscale_error(write_tfjs(dir.path())), "no error");
  for (const int filters : {12, 1}) {
    const std::string e = upscale_error(write_tfjs(dir.path(), filters));
    EXPECT_NE(e.find(dir / "model.json: the network gives [1, " + std::to_string(filters)), std::string::npos) << e;
    EXPECT_NE(e.find("an upscaler must give 3 channels"), std::string::npos) << e;
  }
  const std::string nan_model = write_tfjs(dir.path(), 3, 2, std::numeric_limits<float>::quiet_NaN());
  EXPECT_NE(upscale_error(nan_model).find("model.json: the network's output holds NaN or Inf"), std::string::npos);
  EXPECT_EQ(upscale_error(nan_model, false), "no error");  // check_finite = false: the user's choice
}

// TorchScript files written here (LibTorch compiles the TorchScript source): the same output checks apply.
TEST(HostileOutputs, TorchScriptModelsAreCheckedTheSameWay) {
  TempDir dir;
  const torch::Tensor image = torch::randint(0, 256, {3, 24, 32}, torch::kUInt8);
  const auto upscale_error = [&](const std::string& name, const std::string& body) {
    torch::jit::Module module(name);
    module.define("def forward(self, x):\n  y = x.repeat_interleave(2, 2).repeat_interleave(2, 3)\n  return " + body + "\n");
    const std::string file = dir / (name + ".pt");
    module.save(file);
    nfx::sr::UpscalerOptions options;
    options.model = file;
    options.scale = 2;
    return error_of([&] { nfx::sr::Upscaler(options).upscale(image); });
  };
  EXPECT_EQ(upscale_error("rgb", "y"), "no error");
  const std::string twelve = upscale_error("twelve", "torch.cat([y, y, y, y], 1)");
  EXPECT_NE(twelve.find("twelve.pt: the network gives [1, 12, 48, 64]"), std::string::npos) << twelve;
  const std::string nan = upscale_error("nan", "y * float('nan')");
  EXPECT_NE(nan.find("nan.pt: the network's output holds NaN or Inf"), std::string::npos) << nan;
}

// A TorchScript model that never returns, given to `nfx run`: one SIGTERM ends the run after the grace
// period with 130 and nothing written (isolated, the default, and in-process). The model prints once it
// loops (stdbuf: the line reaches the log at once), so the signal comes while an item is inside it.
TEST(HostileModels, ALoopingTorchScriptModelIsStoppedByOneSigterm) {
  TempDir dir;
  torch::jit::Module module("looping");
  module.define("def forward(self, x):\n  print('model looping')\n  i = 0\n  while True:\n    i += 1\n  return x\n");
  module.save(dir / "looping.pt");
  std::ofstream(dir / "loop.toml") << "[nodes.read]\ntype = \"io.read_images\"\npath = \""
                                   << (data_dir() / "sr/esrgan-slim/assets/fixture.png").string() << "\"\n"
                                   << "[nodes.up]\ntype = \"sr.upscale\"\nin.image = \"read.image\"\nmodel = \"" << dir / "looping.pt"
                                   << "\"\nscale = 2\n[nodes.write]\ntype = \"io.write_images\"\nin.image = \"up.image\"\ndir = \""
                                   << dir / "out" << "\"\n";
  for (const std::string isolate : {"", " --no-isolate"}) {
    const std::string log = dir / (isolate.empty() ? "isolated.log" : "in-process.log");
    const ShellResult r = sigterm_once_logged("stdbuf -oL " + std::string(NFX_TEST_TOOL) + " run" + isolate + " " + dir / "loop.toml" +
                                                  " -q --stop-grace 2", log, "model looping");
    EXPECT_EQ(r.code, 130) << isolate << r.output;
    EXPECT_NE(r.output.find("model looping"), std::string::npos) << isolate << r.output;
    EXPECT_NE(r.output.find("items still running when the grace period ended"), std::string::npos) << isolate << r.output;
    EXPECT_FALSE(fs::exists(dir / "out") && !fs::is_empty(dir / "out")) << isolate;
  }
}
