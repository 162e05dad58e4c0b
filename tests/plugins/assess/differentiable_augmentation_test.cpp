// The GAN's differentiable augmentation against what each change must do to hand-made images: a single
// pixel moves by a shift within the limit (every shift occurs) and its gradient moves with it, the cutout is
// one clipped square, and the colour change is the affine map of brightness and contrast.
#include "model/differentiable_augmentation.hpp"

#include <nfx/training/random.hpp>

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <set>

namespace a = nfx::assess;

TEST(DifferentiableAugmentation, TranslationMovesEachItemWithinTheLimitAndItsGradientWithIt) {
  torch::Generator g = nfx::training::make_generator(1);
  // 200 copies of a 2-channel 8 x 8 image with one lit pixel at (3, 4), 0.7 in channel 0, 0.3 in channel 1.
  torch::Tensor images = torch::zeros({200, 2, 8, 8});
  images.select(1, 0).select(1, 3).select(1, 4).fill_(0.7);
  images.select(1, 1).select(1, 3).select(1, 4).fill_(0.3);
  images.requires_grad_(true);
  const torch::Tensor moved = a::augment_translation(images, 2, g);
  (moved * torch::arange(1, 129, torch::kFloat32).view({1, 2, 8, 8})).sum().backward();
  std::set<std::pair<int64_t, int64_t>> shifts;
  for (int64_t n = 0; n < 200; ++n) {
    const torch::Tensor lit = torch::nonzero(moved[n][0]);
    ASSERT_EQ(lit.size(0), 1) << "item " << n << ": the pixel stays inside an 8 x 8 image at a shift of 2";
    const int64_t y = lit[0][0].item<int64_t>(), x = lit[0][1].item<int64_t>();
    shifts.insert({y - 3, x - 4});
    EXPECT_FLOAT_EQ(moved[n][0][y][x].item<float>(), 0.7f);
    EXPECT_FLOAT_EQ(moved[n][1][y][x].item<float>(), 0.3f) << "both channels move together";
    EXPECT_FLOAT_EQ(moved[n].sum().item<float>(), 1.0f);
    // d(sum of weight * output)/d(input at (3, 4)) is the weight where the pixel went.
    EXPECT_FLOAT_EQ(images.grad()[n][0][3][4].item<float>(), static_cast<float>(1 + y * 8 + x));
  }
  for (const auto& [dy, dx] : shifts) {
    EXPECT_LE(std::abs(dy), 2);
    EXPECT_LE(std::abs(dx), 2);
  }
  EXPECT_EQ(shifts.size(), 25u) << "every shift of -2 .. 2 in each direction is drawn";

  // Content shifted out is gone and zeros come in: an image of ones keeps (8 - |dy|) x (8 - |dx|) ones.
  const torch::Tensor ones = a::augment_translation(torch::ones({50, 1, 8, 8}), 3, g);
  for (int64_t n = 0; n < 50; ++n) {
    const int64_t rows = ones[n][0].sum(1).gt(0).sum().item<int64_t>(), cols = ones[n][0].sum(0).gt(0).sum().item<int64_t>();
    EXPECT_GE(rows, 5);
    EXPECT_GE(cols, 5);
    EXPECT_EQ(ones[n].sum().item<float>(), static_cast<float>(rows * cols));
  }
}

TEST(DifferentiableAugmentation, CutoutZeroesOneClippedSquare) {
  torch::Generator g = nfx::training::make_generator(2);
  const torch::Tensor cut = a::augment_cutout(torch::ones({100, 3, 8, 8}), 4, g);
  bool clipped = false, whole = false;
  for (int64_t n = 0; n < 100; ++n) {
    const torch::Tensor hole = cut[n][0].eq(0);
    EXPECT_TRUE(torch::equal(cut[n][1], cut[n][0]) && torch::equal(cut[n][2], cut[n][0])) << "every channel alike";
    const torch::Tensor rows = torch::nonzero(hole.any(1)).flatten(), cols = torch::nonzero(hole.any(0)).flatten();
    ASSERT_GT(rows.numel(), 0);
    // A rectangle: as many zeros as its rows times its columns, rows and columns consecutive.
    EXPECT_EQ(hole.sum().item<int64_t>(), rows.numel() * cols.numel());
    EXPECT_EQ(rows.max().item<int64_t>() - rows.min().item<int64_t>() + 1, rows.numel());
    EXPECT_EQ(cols.max().item<int64_t>() - cols.min().item<int64_t>() + 1, cols.numel());
    EXPECT_LE(rows.numel(), 4);
    EXPECT_LE(cols.numel(), 4);
    EXPECT_GE(rows.numel(), 2) << "the centre is inside the image";
    EXPECT_GE(cols.numel(), 2);
    whole |= rows.numel() == 4 && cols.numel() == 4;
    clipped |= rows.numel() < 4 || cols.numel() < 4;
  }
  EXPECT_TRUE(whole && clipped);
}

TEST(DifferentiableAugmentation, ColourIsBrightnessAndContrastPerItem) {
  torch::Generator g = nfx::training::make_generator(3);
  // Grey items of two values, 0.2 on the left half and 0.6 on the right: the output is
  // (x - mean) * contrast + mean + brightness, contrast in 0.5 .. 1.5 and brightness in -0.5 .. 0.5.
  torch::Tensor images = torch::full({100, 1, 4, 4}, 0.2);
  images.narrow(3, 2, 2).fill_(0.6);
  const torch::Tensor out = a::augment_colour(images, g);
  std::vector<double> contrasts, brightnesses;
  for (int64_t n = 0; n < 100; ++n) {
    const double low = out[n][0][1][0].item<double>(), high = out[n][0][1][3].item<double>();
    EXPECT_NEAR(out[n][0].narrow(1, 0, 2).std().item<double>(), 0.0, 1e-6) << "one value per half";
    const double contrast = (high - low) / 0.4, brightness = (low + high) / 2 - 0.4;
    EXPECT_GE(contrast, 0.5 - 1e-5);
    EXPECT_LE(contrast, 1.5 + 1e-5);
    EXPECT_GE(brightness, -0.5 - 1e-5);
    EXPECT_LE(brightness, 0.5 + 1e-5);
    contrasts.push_back(contrast);
    brightnesses.push_back(brightness);
  }
  const auto [cmin, cmax] = std::minmax_element(contrasts.begin(), contrasts.end());
  const auto [bmin, bmax] = std::minmax_element(brightnesses.begin(), brightnesses.end());
  EXPECT_GT(*cmax - *cmin, 0.8) << "drawn across the range";
  EXPECT_GT(*bmax - *bmin, 0.8);
  // A grey colour image keeps its channels equal: saturation changes only what differs from grey.
  const torch::Tensor grey = a::augment_colour(torch::full({10, 3, 4, 4}, 0.4), g);
  EXPECT_TRUE(torch::allclose(grey.select(1, 0), grey.select(1, 2)));
}
