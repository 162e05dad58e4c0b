// Tiled inference: the identity comes back exactly, a blur tiled matches the blur of the whole image (no
// seams), upscaling models fill the larger output, rows stream out in order, and no tile exceeds its size.
#include <nfx/training/random.hpp>
#include <nfx/training/tiled.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace nfx::training;

namespace {

torch::Tensor test_image(int64_t c, int64_t h, int64_t w) {
  torch::Generator g = make_generator(8);
  // Smooth structure plus noise: a seam would show against it.
  const torch::Tensor ramp = torch::linspace(0, 200, w).view({1, 1, w}) + torch::linspace(0, 50, h).view({1, h, 1});
  return (ramp + 5 * torch::randn({c, h, w}, g)).clamp(0, 255).to(torch::kUInt8);
}

}  // namespace

TEST(TrainingTiled, TheIdentityComesBackExactly) {
  const torch::Tensor image = test_image(3, 70, 53);
  const torch::Tensor out = tiled_apply(image, [](const torch::Tensor& t) { return t; }, {24, 8, 1, {}});
  EXPECT_TRUE(torch::equal(out, image));
}

// Tiles of 32 overlapping by 16 at rows 0, 16, 32, 48, 58: every seam of the 5 x 5 blur (radius 2) is
// covered by a margin of 2, so the tiled output is the whole image's up to float rounding; with no margin
// the zero padding at the tile edges shows.
TEST(TrainingTiled, ATiledBlurMatchesTheWholeImagesBlur) {
  const torch::Tensor image = test_image(1, 90, 77);
  const torch::Tensor kernel = torch::full({1, 1, 5, 5}, 1.0 / 25.0);
  int64_t largest = 0;
  const ImageModel blur = [&](const torch::Tensor& t) {
    largest = std::max({largest, t.size(2), t.size(3)});
    return torch::conv2d(t, kernel, {}, 1, 2);  // zero padding: wrong near every tile edge
  };
  const torch::Tensor whole = torch::conv2d(image.to(torch::kFloat).div(255.0).unsqueeze(0), kernel, {}, 1, 2)[0];
  const auto tiled = [&](int64_t margin) {
    std::vector<torch::Tensor> bands;
    TileOptions options{32, 16, 1, {}, margin};
    tiled_apply_float(image, blur, options, [&](int64_t, const torch::Tensor& rows) { bands.push_back(rows); });
    return torch::cat(bands, 1);
  };
  EXPECT_LT((tiled(2) - whole).abs().max().item<double>(), 1e-6) << "a seam";
  EXPECT_GT((tiled(0) - whole).abs().max().item<double>(), 1e-3) << "the blur's padding should show without a margin";
  EXPECT_LE(largest, 32) << "a tile larger than asked for";
  const torch::Tensor expected = (whole * 255.0).round().clamp(0, 255).to(torch::kUInt8);
  EXPECT_TRUE(torch::equal(tiled_apply(image, blur, {32, 16, 1, {}, 2}), expected)) << "uint8 rows round the float ones";
  EXPECT_THROW(tiled_apply(image, blur, {32, 16, 1, {}, 9}), std::invalid_argument) << "a margin over half the overlap";
}

TEST(TrainingTiled, UpscalingModelsFillTheLargerOutputAndRowsStreamInOrder) {
  const torch::Tensor image = test_image(3, 41, 36);
  const ImageModel nearest = [](const torch::Tensor& t) {
    return t.repeat_interleave(2, 2).repeat_interleave(2, 3);
  };
  int64_t next_row = 0, chunks = 0, reported = 0, tiles = 0;
  std::vector<torch::Tensor> rows;
  const auto progress = [&](int64_t done, int64_t total) {
    EXPECT_EQ(done, ++reported);
    tiles = total;
  };
  tiled_apply(image, nearest, {16, 4, 2, progress}, [&](int64_t first, const torch::Tensor& r) {
    EXPECT_EQ(first, next_row);
    EXPECT_EQ(r.size(1), 72);
    next_row += r.size(0);
    ++chunks;
    rows.push_back(r);
  });
  EXPECT_EQ(next_row, 82);
  EXPECT_GT(chunks, 2) << "rows leave band by band, not all at the end";
  // Tiles of 16 with 4 of overlap start at rows 0, 12, 24, 25 and columns 0, 12, 20.
  EXPECT_EQ(reported, 4 * 3) << "progress after each tile";
  EXPECT_EQ(tiles, 4 * 3);
  const torch::Tensor out = torch::cat(rows, 0).permute({2, 0, 1});
  EXPECT_TRUE(torch::equal(out, image.repeat_interleave(2, 1).repeat_interleave(2, 2)));
  EXPECT_THROW(tiled_apply(image, [](const torch::Tensor& t) { return t; }, {16, 4, 2, {}}), std::invalid_argument)
      << "a model that does not upscale";
}
