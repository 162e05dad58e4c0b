// MATLAB-style bicubic resizing: checked on what the kernel must reproduce exactly (constants; linear
// ramps inside the image, where the taps sit symmetrically) and on a value computed by hand.
#include <nfx/training/resize.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

using nfx::training::imresize_bicubic;

namespace {

// f(y, x) = 3 x + 2 y + 1 on a 1 x 1 x h x w grid, in pixel-centre coordinates.
torch::Tensor ramp(int64_t h, int64_t w) {
  auto y = torch::arange(h, torch::kFloat64).view({h, 1}), x = torch::arange(w, torch::kFloat64).view({1, w});
  return (3 * x + 2 * y + 1).view({1, 1, h, w});
}

}  // namespace

TEST(Resize, KeepsConstantsEverywhere) {
  const torch::Tensor flat = torch::full({2, 3, 17, 23}, 0.37);
  for (auto [h, w] : {std::pair<int64_t, int64_t>{4, 5}, {34, 46}, {17, 23}, {51, 7}}) {
    const torch::Tensor out = imresize_bicubic(flat, h, w);
    EXPECT_EQ(out.sizes(), (std::vector<int64_t>{2, 3, h, w}));
    EXPECT_LT((out - 0.37).abs().max().item<double>(), 1e-6);
  }
}

// Shrinking by 4 (antialiased: the kernel 4 times wider) and growing by 4 both land exactly on the ramp
// sampled at each output pixel's centre, (j + 0.5) / scale - 0.5 in input pixels, away from the borders.
TEST(Resize, ReproducesALinearRampInside) {
  const torch::Tensor in = ramp(64, 48);
  const torch::Tensor down = imresize_bicubic(in, 16, 12).to(torch::kFloat64);
  const torch::Tensor down_expected = ramp(16, 12) * 4 + 1.5 * 3 + 1.5 * 2 - 3;  // centre 4 j + 1.5 in each axis
  EXPECT_LT((down - down_expected).slice(2, 2, 14).slice(3, 2, 10).abs().max().item<double>(), 1e-3);

  const torch::Tensor up = imresize_bicubic(ramp(12, 10), 48, 40).to(torch::kFloat64);
  const torch::Tensor up_expected = (ramp(48, 40) - 1) / 4 - 0.375 * 5 + 1;  // centre j / 4 - 0.375
  EXPECT_LT((up - up_expected).slice(2, 8, 40).slice(3, 8, 32).abs().max().item<double>(), 1e-4);
}

// Growing [0 0 1 0 0] by 2: output 4 sits at input 1.75, where the a = -0.5 kernel gives sample 2 the
// weight 1.5 (0.25)^3 - 2.5 (0.25)^2 + 1 = 0.8671875.
TEST(Resize, MatchesAHandComputedWeight) {
  const torch::Tensor impulse = torch::tensor({0.0, 0.0, 1.0, 0.0, 0.0}).view({1, 1, 1, 5});
  const torch::Tensor out = imresize_bicubic(impulse, 1, 10);
  EXPECT_NEAR(out[0][0][0][4].item<double>(), 0.8671875, 1e-6);
  EXPECT_NEAR(out[0][0][0][3].item<double>(), 0.2265625, 1e-6);  // at 1.25, sample 2 is 0.75 away: 1.5 (0.75)^3 - 2.5 (0.75)^2 + 1
}
