// The ncnn reader: a small network written here in ncnn's format (the layers Real-ESRGAN uses, weights in
// float16 and float32) runs as the same network written out in LibTorch operations; broken files give
// errors naming the file and line.
#include <nfx/models/ncnn_model.hpp>
#include "test_support.hpp"

#include <nfx/nfx.hpp>

#include <cstring>
#include <fstream>

using namespace nfx::test;

namespace {

// Appends weights as ncnn's converter writes them: a 4-byte tag, then float16 padded to 4 bytes, or raw
// float32 (tag 0); biases and PReLU slopes go untagged.
struct BinWriter {
  std::string bytes;
  void tag(uint32_t t) { bytes.append(reinterpret_cast<const char*>(&t), 4); }
  void half(const torch::Tensor& w) {
    tag(0x01306B47);
    const torch::Tensor h = w.contiguous().to(torch::kHalf);
    bytes.append(static_cast<const char*>(h.data_ptr()), static_cast<size_t>(h.numel()) * 2);
    if (h.numel() % 2 != 0) bytes.append(2, '\0');
  }
  void raw(const torch::Tensor& w) {
    const torch::Tensor f = w.contiguous().to(torch::kFloat);
    bytes.append(static_cast<const char*>(f.data_ptr()), static_cast<size_t>(f.numel()) * 4);
  }
};

constexpr const char* kParam = R"(7767517
10 12
Input            input       0 1 data
Split            split       1 2 data d0 d1
Convolution      conv_a      1 1 d0 a 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01
Split            split_a     1 2 a a0 a1
Convolution      conv_b      1 1 a0 b 0=4 1=1 5=0 6=16
PReLU            prelu       1 1 b c 0=4
Eltwise          sum         2 1 c a1 e 0=1 -23301=2,5.000000e-01,1.000000e+00
Convolution      conv_up     1 1 e u 0=12 1=3 4=1 5=1 6=432 9=1
PixelShuffle     shuffle     1 1 u s 0=2
Interp           resize      1 1 d1 r 0=1 1=2.000000e+00 2=2.000000e+00
)";

}  // namespace

TEST(NcnnModel, RunsAGeneratedNetworkAsLibTorchDoes) {
  torch::manual_seed(5);
  // Weights rounded to float16 where the file stores them so, so both sides use the same values.
  const torch::Tensor wa = torch::randn({4, 3, 3, 3}).to(torch::kHalf).to(torch::kFloat), ba = torch::randn({4});
  const torch::Tensor wb = torch::randn({4, 4, 1, 1}), slopes = torch::rand({4});
  const torch::Tensor wu = (0.3 * torch::randn({12, 4, 3, 3})).to(torch::kHalf).to(torch::kFloat), bu = torch::randn({12});
  BinWriter bin;
  bin.half(wa);
  bin.raw(ba);
  bin.tag(0);
  bin.raw(wb);
  bin.raw(slopes);
  bin.half(wu);
  bin.raw(bu);
  TempDir dir;
  // The last layer adds the shuffled features to the resized input, as Real-ESRGAN x4fast ends.
  std::ofstream(dir / "net.param") << kParam << "BinaryOp         add         2 1 s r out 0=0\n";
  std::ofstream(dir / "net.bin", std::ios::binary) << bin.bytes;
  // The header's layer count is ncnn's; this reader follows the lines.
  const nfx::models::NcnnModel model = nfx::models::NcnnModel::load(dir / "net.param", dir / "net.bin");
  EXPECT_EQ(model.parameter_count(), 108 + 4 + 16 + 4 + 432 + 12);

  const torch::Tensor x = torch::rand({2, 3, 9, 7});
  const torch::Tensor a = torch::leaky_relu(torch::conv2d(x, wa, ba, 1, 1), 0.2);
  const torch::Tensor c = torch::prelu(torch::conv2d(a, wb), slopes);
  const torch::Tensor e = 0.5 * c + a;
  const torch::Tensor expected =
      torch::pixel_shuffle(torch::relu(torch::conv2d(e, wu, bu, 1, 1)), 2) + torch::upsample_nearest2d(x, {18, 14});
  const torch::Tensor out = model.forward(x);
  ASSERT_EQ(out.sizes(), expected.sizes());
  EXPECT_LT((out - expected).abs().max().item<double>(), 1e-5);
}

TEST(NcnnModel, BrokenFilesGiveErrorsNamingTheFileAndLine) {
  TempDir dir;
  const auto load_error = [&](const std::string& param, const std::string& bin) {
    std::ofstream(dir / "m.param") << param;
    std::ofstream(dir / "m.bin", std::ios::binary) << bin;
    return error_of([&] { nfx::models::NcnnModel::load(dir / "m.param", dir / "m.bin"); });
  };
  const std::string head = "7767517\n2 2\nInput in 0 1 data\n";
  EXPECT_NE(load_error("not ncnn\n", "").find("m.param:1: not an ncnn .param file"), std::string::npos);
  EXPECT_NE(load_error(head + "Softmax sm 1 1 data out\n", "").find("m.param:4: layer 'sm': layer type Softmax is not supported"),
            std::string::npos);
  EXPECT_NE(load_error(head + "Convolution c 1 1 nowhere out 0=1 1=1 6=1\n", "").find("reads blob 'nowhere'"), std::string::npos);
  const std::string conv = head + "Convolution c 1 1 data out 0=2 1=1 5=1 6=6\n";
  EXPECT_NE(load_error(conv, std::string(10, '\0')).find("m.bin: the weights end inside layer 'c'"), std::string::npos);
  EXPECT_NE(load_error(conv, std::string(4 + 24 + 8 + 12, '\0')).find("m.bin: 12 bytes more than the layers use"), std::string::npos);
  EXPECT_NE(load_error(head + "Convolution c 1 1 data out 0=2 1=1 6=6 9=x\n", "").find("a parameter is not a number"),
            std::string::npos);
}
