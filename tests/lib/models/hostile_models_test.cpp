// Model files a user is handed (issue 33): crafted TF.js and ncnn files end in an nfx::Error naming the file
// and the layer or field, before anything large is allocated; sr.upscale refuses a network whose output has
// the wrong channel count or holds NaN, and tile settings that cannot work.
#include "model/upscaler.hpp"
#include <nfx/models/ncnn_model.hpp>
#include <nfx/models/tfjs_model.hpp>
#include "test_support.hpp"

#include <nfx/nfx.hpp>

#include <nlohmann/json.hpp>
#include <torch/script.h>

#include <sys/stat.h>

#include <fstream>
#include <limits>

using namespace nfx::test;
using json = nlohmann::json;

namespace {

// A TF.js layers model: input -> Conv2D (3x3, `filters`, 'same') -> UpSampling2D(`up`), weights of float32
// `value` in one shard. Returns model.json's path.
std::string write_tfjs(const fs::path& dir, int filters = 3, int up = 2, float value = 0.01f) {
  const json layers = json::array({
      {{"class_name", "InputLayer"}, {"name", "in"}, {"config", json::object()}, {"inbound_nodes", json::array()}},
      {{"class_name", "Conv2D"}, {"name", "conv"}, {"config", {{"padding", "same"}, {"activation", "linear"}}},
       {"inbound_nodes", json::array({json::array({json::array({"in", 0, 0, json::object()})})})}},
      {{"class_name", "UpSampling2D"}, {"name", "up"}, {"config", {{"size", {up, up}}}},
       {"inbound_nodes", json::array({json::array({json::array({"conv", 0, 0, json::object()})})})}},
  });
  const json weights = json::array({{{"name", "conv/kernel"}, {"shape", {3, 3, 3, filters}}, {"dtype", "float32"}},
                                    {{"name", "conv/bias"}, {"shape", {filters}}, {"dtype", "float32"}}});
  const json model = {{"format", "layers-model"},
                      {"modelTopology", {{"model_config", {{"config", {{"layers", layers}, {"output_layers", {{"up", 0, 0}}}}}}}}},
                      {"weightsManifest", json::array({{{"paths", {"shard.bin"}}, {"weights", weights}}})}};
  std::ofstream(dir / "model.json") << model.dump();
  const std::vector<float> values(static_cast<size_t>(27 * filters + filters), value);
  std::ofstream(dir / "shard.bin", std::ios::binary).write(reinterpret_cast<const char*>(values.data()),
                                                           static_cast<std::streamsize>(values.size() * sizeof(float)));
  return dir / "model.json";
}

std::string tfjs_error(const std::string& model_json) {
  return error_of([&] { nfx::models::TfjsModel::load(model_json); });
}

// model.json with `edit` applied to its JSON.
template <class Edit>
std::string edited_tfjs_error(const fs::path& dir, Edit edit) {
  const std::string file = write_tfjs(dir);
  json model = json::parse(std::ifstream(file));
  edit(model);
  std::ofstream(file) << model.dump();
  return tfjs_error(file);
}

json& layer(json& model, int i) { return model["modelTopology"]["model_config"]["config"]["layers"][i]; }

}  // namespace

TEST(HostileTfjs, TheWellFormedModelLoads) {
  TempDir dir;
  EXPECT_EQ(nfx::models::TfjsModel::load(write_tfjs(dir.path())).parameter_count(), 27 * 3 + 3);
}

TEST(HostileTfjs, BadShapesAndFieldsNameTheFileAndLayer) {
  TempDir dir;
  const std::string file = (dir / "model.json");
  const auto expect = [&](const std::string& error, const std::string& part) {
    EXPECT_NE(error.find(file + ": "), std::string::npos) << error;
    EXPECT_NE(error.find(part), std::string::npos) << error;
  };
  const auto weight_shape = [](json value) {
    return [value](json& m) { m["weightsManifest"][0]["weights"][0]["shape"] = value; };
  };
  expect(edited_tfjs_error(dir.path(), weight_shape({3, 3, -9, 3})), "weight 'conv/kernel': shape dimension -9");
  expect(edited_tfjs_error(dir.path(), weight_shape({65536, 65536, 65536, 3})), "more than 2^31 values");
  expect(edited_tfjs_error(dir.path(), weight_shape({3, "x", 3, 3})), "weight 'conv/kernel': \"x\" is not a whole number");
  expect(edited_tfjs_error(dir.path(), weight_shape({3, 2e62, 3, 3})), "is not a whole number");  // found by fuzz_tfjs
  expect(edited_tfjs_error(dir.path(), [](json& m) { layer(m, 1)["name"] = 7; }), "a field has the wrong type");
  expect(edited_tfjs_error(dir.path(), [](json& m) { layer(m, 2)["config"]["size"] = {200, 200}; }), "layer 'up': size must be 1 to 16");
  expect(edited_tfjs_error(dir.path(), [](json& m) { layer(m, 2)["inbound_nodes"][0][0][0] = "up"; }),
         "layer 'up' reads 'up', which is not defined before it");
}

TEST(HostileTfjs, ShardsThatAreNotPlainFilesOrTooLargeAreRefusedUnread) {
  TempDir dir;
  const std::string file = write_tfjs(dir.path());
  fs::remove(dir / "shard.bin");
  ASSERT_EQ(mkfifo((dir / "shard.bin").c_str(), 0600), 0);  // opening a FIFO for reading would block forever
  EXPECT_NE(tfjs_error(file).find("shard.bin: weight shard named by model.json is not a regular file"), std::string::npos);
  fs::remove(dir / "shard.bin");
  EXPECT_NE(tfjs_error(file).find("shard.bin: weight shard named by model.json does not exist"), std::string::npos);

  write_tfjs(dir.path());
  fs::resize_file(dir / "model.json", (uint64_t{64} << 20) + 1);  // sparse: refused by its size, not parsed
  EXPECT_NE(tfjs_error(file).find("more than the 67108864 allowed"), std::string::npos) << tfjs_error(file);

  write_tfjs(dir.path());
  ASSERT_EQ(setenv("NFX_MAX_MODEL_BYTES", "100", 1), 0);
  const std::string limited = tfjs_error(file);
  unsetenv("NFX_MAX_MODEL_BYTES");
  EXPECT_NE(limited.find("shard.bin: the weight shard named by model.json is 336 bytes, more than the 100 allowed"), std::string::npos)
      << limited;
}

TEST(HostileNcnn, BadLayersNameTheFileLineAndField) {
  TempDir dir;
  const auto error = [&](const std::string& layers) {
    std::ofstream(dir / "m.param") << "7767517\n2 2\nInput in 0 1 data\n" << layers;
    std::ofstream(dir / "m.bin", std::ios::binary) << std::string(4096, '\0');
    return error_of([&] { nfx::models::NcnnModel::load(dir / "m.param", dir / "m.bin"); });
  };
  const auto expect = [&](const std::string& layers, const std::string& part) {
    const std::string e = error(layers);
    EXPECT_NE(e.find(dir / "m.param:4: "), std::string::npos) << e;
    EXPECT_NE(e.find(part), std::string::npos) << e;
  };
  expect("Convolution c 1 1 data out 0=2 1=0 6=6\n", "layer 'c': kernel size (1=, 11=) must be 1 to 64");
  expect("Convolution c 1 1 data out 0=2 1=1 11=0 6=6\n", "layer 'c': kernel size");
  expect("Convolution c 1 1 data out 0=65536 1=64 11=64 6=0\n", "layer 'c': weight size (6=) does not fit the kernel");
  expect("Convolution c 1 1 data out 0=2147483648 1=3 6=6\n", "layer 'c': output channels (0=)");
  expect("Convolution c 1 1 data out 0=2 1=1 4=100000 6=6\n", "layer 'c': padding");
  expect("PixelShuffle ps 1 1 data out 0=0\n", "layer 'ps': upscale factor (0=) must be 1 to 16");
  expect("Interp i 1 1 data out 0=1 1=200 2=200\n", "layer 'i': scales (1=, 2=)");
  expect("Split s 1 2147483647 data a b\n", "layer 's': 2147483647 blobs (at most 64)");
  expect("Split s 1 2 data a\n", "layer 's': fewer output blob names than its count");
  expect("Split s 1 2 data a data\n", "layer 's' makes blob 'data', which an earlier layer made already");
  expect("PReLU p 1 1 data out 0=-5\n", "layer 'p': slope count (0=)");
}

TEST(HostileNcnn, AFifoAsWeightsIsRefusedUnread) {
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
