// The mapper's features (issue 17): nodata and NaN pixels are left out; standardization by statistics
// worked out by hand.
#include "model/features.hpp"

#include <nfx/base.hpp>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace m = nfx::mapper;

// A 2 x 2 block of 2 bands: (1, 10), (nodata -9 in band 1, 20), (3, NaN), (5, 30). Only pixels 0 and 3
// have data in every band.
TEST(MapperFeatures, NodataAndNanPixelsAreLeftOut) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> block = {1, 10, -9, 20, 3, nan, 5, 30};
  const m::ValidPixels valid = m::valid_pixels(block.data(), 4, 2, {-9.0, std::nullopt});
  EXPECT_EQ(valid.index, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(valid.values, (std::vector<float>{1, 10, 5, 30}));
  // Without a nodata value, -9 is data.
  EXPECT_EQ(m::valid_pixels(block.data(), 4, 2, {}).index, (std::vector<int64_t>{0, 1, 3}));
}

// Feature 1: 1, 2, 3 (mean 2, sample standard deviation 1); feature 2: constant 7 (scale 1, not 0).
TEST(MapperFeatures, StandardizationUsesTheFittedMeanAndDeviation) {
  std::vector<float> x = {1, 7, 2, 7, 3, 7};
  const m::Standardizer s = m::Standardizer::fit(m::points_of(x, 2));
  EXPECT_EQ(s.mean, (std::vector<double>{2, 7}));
  EXPECT_EQ(s.scale, (std::vector<double>{1, 1}));
  s.apply(x, 2);
  EXPECT_EQ(x, (std::vector<float>{-1, 0, 0, 0, 1, 0}));
  std::vector<float> other = {4, 9};  // another block: the same statistics, not its own
  s.apply(other, 2);
  EXPECT_EQ(other, (std::vector<float>{2, 2}));
  EXPECT_THROW(s.apply(other, 1), nfx::Error);
}

// Indices follow the bands in each row; a pixel whose index is undefined (0 / 0) is left out like nodata.
TEST(MapperFeatures, IndicesFollowTheBandsAndUndefinedOnesLeaveThePixelOut) {
  const std::vector<float> block = {2, 6, 0, 0, 3, 1};  // 3 pixels of (red, nir)
  const auto ndvi = m::parse_indices("ndvi, nir/red", {"red", "nir"});
  const m::ValidPixels valid = m::valid_pixels(block.data(), 3, 2, {}, ndvi);
  EXPECT_EQ(valid.index, (std::vector<int64_t>{0, 2}));
  EXPECT_EQ(valid.values, (std::vector<float>{2, 6, 0.5f, 3, 3, 1, -0.5f, 1.f / 3.f}));
}

// A 3 x 3 block of one band, 1 .. 9 row by row, 5 being nodata: the centre's window holds the other eight
// (mean 5, deviation sqrt(7.5)); the top-left corner's holds 1, 2, 4 (mean 7/3); the windows of row 1 seen
// from a 2-row slice starting there still reach row 0 when it is in `values`.
TEST(MapperFeatures, WindowStatisticsCountOnlyPixelsWithData) {
  const std::vector<float> band = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  const std::vector<float> all = m::window_statistics(band.data(), 3, 3, 1, 0, 3, {5.0});
  ASSERT_EQ(all.size(), 18u);
  EXPECT_FLOAT_EQ(all[2 * 4], 5.0f);
  EXPECT_FLOAT_EQ(all[2 * 4 + 1], std::sqrt(7.5f));
  EXPECT_FLOAT_EQ(all[0], 7.0f / 3.0f);
  const double mean = 7.0 / 3.0;
  EXPECT_NEAR(all[1], std::sqrt((1 + 4 + 16) / 3.0 - mean * mean), 1e-6);
  const std::vector<float> slice = m::window_statistics(band.data(), 3, 3, 1, 1, 1, {5.0});
  EXPECT_EQ(std::vector<float>(all.begin() + 6, all.begin() + 12), slice);
}
