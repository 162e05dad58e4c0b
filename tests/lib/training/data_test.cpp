// Training data: the digits, image folders, held-out splits by name, patches (paired patches align), the
// eight symmetries, and the curve.
#include "test_support.hpp"

#include <nfx/training/curve.hpp>
#include <nfx/training/digits.hpp>
#include <nfx/training/images.hpp>
#include <nfx/training/patches.hpp>
#include <nfx/training/random.hpp>

#include <opencv2/imgcodecs.hpp>
#include <torch/torch.h>

#include <fstream>
#include <set>

using namespace nfx::training;

TEST(TrainingData, TheDigitsSplitHoldsOutEveryTenth) {
  const ImageSplit digits = load_digits(nfx::test::sample("digits.png").string());
  EXPECT_EQ(digits.train.sizes(), (std::vector<int64_t>{4500, 1, 20, 20}));
  EXPECT_EQ(digits.held_out.sizes(), (std::vector<int64_t>{500, 1, 20, 20}));
  // Digits are written on black: some ink, mostly background.
  const double ink = (digits.train > 127).to(torch::kFloat).mean().item<double>();
  EXPECT_GT(ink, 0.05);
  EXPECT_LT(ink, 0.5);
  EXPECT_THROW(load_digits("/no/such/digits.png"), std::runtime_error);
}

TEST(TrainingData, AFolderOfImagesLoadsSortedAndACorruptFileIsNamed) {
  nfx::test::TempDir dir;
  cv::imwrite(dir / "b.png", cv::Mat(6, 8, CV_8UC3, cv::Scalar(10, 20, 30)));  // BGR
  cv::imwrite(dir / "a.jpg", cv::Mat(5, 4, CV_8UC3, cv::Scalar(0, 0, 0)));
  std::ofstream(dir / "notes.txt") << "not an image";
  const std::vector<NamedImage> images = load_image_folder(dir.path().string());
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].name, "a.jpg");
  EXPECT_EQ(images[1].name, "b.png");
  EXPECT_EQ(images[1].pixels.sizes(), (std::vector<int64_t>{3, 6, 8}));
  EXPECT_EQ(images[1].pixels[0][0][0].item<int>(), 30) << "RGB order";
  EXPECT_EQ(load_image_folder(dir.path().string(), 1)[1].pixels.size(0), 1);
  std::ofstream(dir / "c.png") << "broken";
  try {
    load_image_folder(dir.path().string());
    FAIL() << "a corrupt image loaded";
  } catch (const nfx::Error& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "c.png"), std::string::npos) << e.what();
  }
  EXPECT_THROW(load_image_folder(dir / "none"), nfx::Error);
}

TEST(TrainingData, TheHeldOutSplitFollowsNamesAndItsShare) {
  int held = 0;
  for (int i = 0; i < 2000; ++i) {
    const std::string name = "photo_" + std::to_string(i) + ".jpg";
    const bool out = held_out_by_name(name, 20.0);
    EXPECT_EQ(out, held_out_by_name(name, 20.0));
    held += out;
    if (out) {
      EXPECT_TRUE(held_out_by_name(name, 30.0)) << "a larger share keeps what a smaller one held out";
    }
  }
  EXPECT_NEAR(held / 2000.0, 0.20, 0.03);
  EXPECT_FALSE(held_out_by_name("x.png", 0.0));
  EXPECT_TRUE(held_out_by_name("x.png", 100.0));
}

TEST(TrainingData, RandomPatchesAreCropsOfTheImages) {
  torch::Generator g = make_generator(2);
  const torch::Tensor image = torch::arange(2 * 12 * 16, torch::kLong).view({2, 12, 16});
  const torch::Tensor patches = random_patches({image}, 20, 5, g);
  EXPECT_EQ(patches.sizes(), (std::vector<int64_t>{20, 2, 5, 5}));
  std::set<int64_t> corners;
  for (int64_t p = 0; p < 20; ++p) {
    const int64_t corner = patches[p][0][0][0].item<int64_t>(), y = corner / 16, x = corner % 16;
    corners.insert(corner);
    EXPECT_LE(y, 12 - 5);
    EXPECT_LE(x, 16 - 5);
    EXPECT_TRUE(torch::equal(patches[p], image.narrow(1, y, 5).narrow(2, x, 5)));
  }
  EXPECT_GT(corners.size(), 10u) << "positions are drawn, not fixed";
  EXPECT_THROW(random_patches({image}, 1, 13, g), std::invalid_argument);
}

// Downscaling by 2x2 averages commutes with crops on the 2-pixel grid and with the eight symmetries, so
// every degraded patch must be exactly the downscaled clean patch when the two are aligned.
TEST(TrainingData, PairedPatchesAlign) {
  torch::Generator g = make_generator(6);
  const std::vector<torch::Tensor> clean = {torch::rand({3, 32, 40}, g, torch::kDouble), torch::rand({3, 24, 24}, g, torch::kDouble)};
  const Degradation halve = [](const torch::Tensor& x, torch::Generator&) {
    return torch::avg_pool2d(x.unsqueeze(0), 2).squeeze(0);
  };
  const std::vector<ImagePair> pairs = degrade_all(clean, halve, 2, g);
  const PatchBatch batch = paired_patches(pairs, 30, 6, 2, g);
  EXPECT_EQ(batch.degraded.sizes(), (std::vector<int64_t>{30, 3, 6, 6}));
  EXPECT_EQ(batch.clean.sizes(), (std::vector<int64_t>{30, 3, 12, 12}));
  const torch::Tensor expected = torch::avg_pool2d(batch.clean, 2);
  EXPECT_LT((batch.degraded - expected).abs().max().item<double>(), 1e-12);
  const Degradation wrong = [](const torch::Tensor& x, torch::Generator&) { return x; };
  EXPECT_THROW(degrade_all(clean, wrong, 2, g), std::invalid_argument);
}

TEST(TrainingData, TheEightSymmetriesAreDistinct) {
  const torch::Tensor square = torch::arange(9).view({1, 3, 3});
  std::vector<torch::Tensor> seen;
  for (int i = 0; i < 8; ++i) {
    const torch::Tensor t = dihedral(square, i);
    for (const torch::Tensor& s : seen) EXPECT_FALSE(torch::equal(s, t)) << "symmetry " << i;
    seen.push_back(t);
  }
  EXPECT_TRUE(torch::equal(dihedral(square, 4), square.transpose(1, 2)));
  EXPECT_TRUE(torch::equal(dihedral(square, 1), square.flip({2})));
}

TEST(TrainingCurve, NamedColumnsGoToTheCsvAndThePlotHasAPanelPerUnit) {
  nfx::test::TempDir dir;
  for (int e = 1; e <= 3; ++e) {
    append_curve_row(dir / "curve.csv", {{"epoch", e}, {"step", 10.0 * e}, {"seconds", 1.5 * e},
                                         {"train_loss", 1.0 / e}, {"held_out_loss", 1.2 / e}, {"held_out_psnr", 20.0 + e}});
  }
  std::ifstream in(dir / "curve.csv");
  std::string header, first;
  std::getline(in, header);
  std::getline(in, first);
  EXPECT_EQ(header, "epoch,step,seconds,train_loss,held_out_loss,held_out_psnr");
  EXPECT_EQ(first, "1,10,1.5,1,1.2,21");
  EXPECT_THROW(append_curve_row(dir / "curve.csv", {{"epoch", 4}, {"train_bpd", 2.0}}), std::runtime_error)
      << "another run's columns";
  plot_curve(dir / "curve.csv", dir / "curve.png");
  const cv::Mat plot = cv::imread(dir / "curve.png");
  EXPECT_EQ(plot.rows, 2 * 320) << "loss and psnr: two panels";
  EXPECT_THROW(plot_curve(dir / "none.csv", dir / "x.png"), std::runtime_error);
}
