// The metrics against values computed by hand.
#include <nfx/training/metrics.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

using namespace nfx::training;

TEST(TrainingMetrics, BitsPerDimFollowItsFormula) {
  // log p = 0 per item: 8 bits for each of D dimensions; log p = D log 2: one bit less.
  const int64_t d = 400;
  const torch::Tensor log_p = torch::tensor({0.0, static_cast<double>(d) * std::log(2.0)}, torch::kDouble);
  const torch::Tensor bpd = bits_per_dim(log_p, d);
  EXPECT_NEAR(bpd[0].item<double>(), 8.0, 1e-12);
  EXPECT_NEAR(bpd[1].item<double>(), 7.0, 1e-12);
}

TEST(TrainingMetrics, PsnrOfAKnownError) {
  const torch::Tensor reference = torch::zeros({3, 8, 8}, torch::kDouble);
  // Every pixel off by 0.1: MSE 0.01, 20 dB.
  EXPECT_NEAR(psnr(reference + 0.1, reference), 20.0, 1e-9);
  EXPECT_NEAR(psnr((reference + 25.5), reference, {255.0, 0, false}), 20.0, 1e-9);
  EXPECT_TRUE(std::isinf(psnr(reference, reference)));
  // A wrong border, cropped away; only the inside counts.
  torch::Tensor test = reference.clone();
  test.narrow(2, 0, 2).fill_(1.0);
  test.narrow(1, 2, 4).narrow(2, 2, 4).fill_(0.1);
  EXPECT_NEAR(psnr(test, reference, {1.0, 2, false}), 20.0, 1e-9);
  // Two images in a batch: the mean of their PSNRs (20 and 40 dB).
  const torch::Tensor batch = torch::stack({reference + 0.1, reference + 0.01});
  EXPECT_NEAR(psnr(batch, torch::zeros_like(batch)), 30.0, 1e-9);
  // Luma: pure red against black differs by 65.481 in Y (0..255 scale).
  torch::Tensor red = torch::zeros({3, 4, 4}, torch::kDouble);
  red[0].fill_(1.0);
  EXPECT_NEAR(psnr(red, torch::zeros_like(red), {1.0, 0, true}), 20.0 * std::log10(255.0 / 65.481), 1e-9);
  EXPECT_THROW(psnr(red, torch::zeros({3, 4, 5})), std::invalid_argument);
}

TEST(TrainingMetrics, SsimOfAnImageWithItselfIsOneAndOfFlatImagesFollowsTheFormula) {
  const torch::Tensor image = torch::rand({2, 3, 24, 20}, torch::kDouble);
  EXPECT_NEAR(ssim(image, image), 1.0, 1e-12);
  const double noisy = ssim((image + 0.2 * torch::randn_like(image)).clamp(0, 1), image);
  EXPECT_LT(noisy, 0.9);
  EXPECT_GT(noisy, 0.0);
  // Two flat images: no variance, so SSIM = (2 a b + C1) / (a^2 + b^2 + C1) with C1 = (0.01 peak)^2.
  const double a = 0.3, b = 0.6, c1 = 1e-4;
  EXPECT_NEAR(ssim(torch::full({1, 16, 16}, a, torch::kDouble), torch::full({1, 16, 16}, b, torch::kDouble)),
              (2 * a * b + c1) / (a * a + b * b + c1), 1e-12);
  EXPECT_THROW(ssim(torch::zeros({1, 8, 8}), torch::zeros({1, 8, 8})), std::invalid_argument) << "below 11 x 11";
}

TEST(TrainingMetrics, ClassificationFiguresOfAHandWorkedExample) {
  const torch::Tensor predicted = torch::tensor({0, 0, 1, 1, 2, 0}, torch::kLong);
  const torch::Tensor truth = torch::tensor({0, 1, 1, 1, 2, 2}, torch::kLong);
  const torch::Tensor m = confusion_matrix(predicted, truth, 4);
  const torch::Tensor expected = torch::tensor({1, 0, 0, 0,  //
                                                1, 2, 0, 0,  //
                                                1, 0, 1, 0,  //
                                                0, 0, 0, 0}, torch::kLong).view({4, 4});
  EXPECT_TRUE(torch::equal(m, expected)) << m;
  EXPECT_NEAR(accuracy(predicted, truth), 4.0 / 6.0, 1e-12);
  // Recalls 1/1, 2/3, 1/2 over the three classes present (class 3 never occurs).
  EXPECT_NEAR(balanced_accuracy(predicted, truth, 4), (1.0 + 2.0 / 3.0 + 0.5) / 3.0, 1e-12);
  // F1 = 2 tp / (support + predicted): 2/4, 4/5, 2/3.
  EXPECT_NEAR(macro_f1(predicted, truth, 4), (0.5 + 0.8 + 2.0 / 3.0) / 3.0, 1e-12);
  EXPECT_THROW(confusion_matrix(predicted, truth, 2), std::invalid_argument) << "class 2 is outside 0..1";
}
