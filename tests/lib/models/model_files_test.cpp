// Model files a user is handed (issue 33), read by the LibTorch-free checks (nfx::model_files) that every
// model reader runs first: crafted TF.js and ncnn files and files that are not plain files end in an
// nfx::Error naming the file and the layer or field, before anything large is allocated. Built without
// LibTorch, this suite runs under AddressSanitizer and UBSan too (scripts/sanitizers.sh).
#include "tfjs_fixture.hpp"
#include "test_support.hpp"

#include <nfx/models/model_file.hpp>
#include <nfx/models/ncnn_param.hpp>
#include <nfx/models/tfjs_graph.hpp>

#include <sys/stat.h>

#include <fstream>

using namespace nfx::test;
using nfx::models::kMaxModelTextBytes;
using nfx::models::max_model_bytes;
using nfx::models::read_model_file;
using json = nlohmann::json;

namespace {

// What a model reader does before it makes tensors: model.json, its graph, then the shards.
std::string tfjs_error(const std::string& model_json) {
  return error_of([&] {
    const auto graph = nfx::models::read_tfjs_graph(read_model_file(model_json, kMaxModelTextBytes, "TF.js model.json"), model_json);
    nfx::models::read_tfjs_shards(graph, model_json);
  });
}

std::string ncnn_error(const std::string& param, const std::string& bin) {
  return error_of([&] {
    nfx::models::read_ncnn_graph(read_model_file(param, kMaxModelTextBytes, "ncnn .param file"), param,
                                 read_model_file(bin, max_model_bytes(), "ncnn weights (.bin)"), bin);
  });
}

}  // namespace

TEST(HostileTfjs, TheWellFormedModelReads) {
  TempDir dir;
  EXPECT_EQ(tfjs_error(write_tfjs(dir.path())), "no error");
}

TEST(HostileTfjs, BadShapesAndFieldsNameTheFileAndLayer) {
  TempDir dir;
  const std::string file = (dir / "model.json");
  const auto expect = [&](auto edit, const std::string& part) {
    write_tfjs(dir.path());
    edit_tfjs(file, edit);
    const std::string error = tfjs_error(file);
    EXPECT_NE(error.find(file + ": "), std::string::npos) << error;
    EXPECT_NE(error.find(part), std::string::npos) << error;
  };
  const auto weight_shape = [](json value) {
    return [value](json& m) { m["weightsManifest"][0]["weights"][0]["shape"] = value; };
  };
  expect(weight_shape({3, 3, -9, 3}), "weight 'conv/kernel': shape dimension -9");
  expect(weight_shape({65536, 65536, 65536, 3}), "more than 2^31 values");
  expect(weight_shape({3, "x", 3, 3}), "weight 'conv/kernel': \"x\" is not a whole number");
  expect(weight_shape({3, 2e62, 3, 3}), "is not a whole number");  // found by fuzz_tfjs
  expect([](json& m) { tfjs_layer(m, 1)["name"] = 7; }, "a field has the wrong type");
  expect([](json& m) { tfjs_layer(m, 2)["config"]["size"] = {200, 200}; }, "layer 'up': size must be 1 to 16");
  expect([](json& m) { tfjs_layer(m, 2)["inbound_nodes"][0][0][0] = "up"; }, "layer 'up' reads 'up', which is not defined before it");
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
  fs::resize_file(dir / "shard.bin", 100);
  EXPECT_NE(tfjs_error(file).find("model.json: the weight shards end before the manifest's weights do"), std::string::npos);
  fs::resize_file(dir / "shard.bin", 400);
  EXPECT_NE(tfjs_error(file).find("model.json: the weight shards hold 64 bytes more than the manifest names"), std::string::npos);

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
  const auto expect = [&](const std::string& layers, const std::string& part) {
    std::ofstream(dir / "m.param") << "7767517\n2 2\nInput in 0 1 data\n" << layers;
    std::ofstream(dir / "m.bin", std::ios::binary) << std::string(4096, '\0');
    const std::string e = ncnn_error(dir / "m.param", dir / "m.bin");
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
  const std::string e = ncnn_error(dir / "m.param", dir / "m.bin");
  EXPECT_NE(e.find("m.bin: ncnn weights (.bin) is not a regular file"), std::string::npos) << e;
}
