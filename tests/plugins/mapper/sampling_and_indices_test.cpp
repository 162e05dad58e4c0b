// The mapper's spectral indices (values worked out by hand, errors that name the bands), its pixel sample
// (the same pixels whatever the blocks, and exactly the lowest priorities of a brute-force sort), and its
// Gaussian mixture (recovers known components; EM never lowers the likelihood).
#include "model/gaussian_mixture.hpp"
#include "model/pixel_sample.hpp"
#include "model/spectral_indices.hpp"

#include <nfx/base.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

namespace m = nfx::mapper;

TEST(SpectralIndices, NdviRatiosAndNormalizedDifferencesMatchHandValues) {
  const std::vector<std::string> bands = {"Blue", "green", "red", "NIR", "swir1", "swir2"};
  const auto indices = m::parse_indices(" ndvi, swir1/swir2 , nd(green, nir)", bands);
  ASSERT_EQ(indices.size(), 3u);
  const float pixel[] = {10, 20, 30, 90, 60, 40};
  EXPECT_FLOAT_EQ(indices[0].of(pixel), (90.f - 30.f) / (90.f + 30.f));  // 0.5
  EXPECT_FLOAT_EQ(indices[1].of(pixel), 1.5f);
  EXPECT_FLOAT_EQ(indices[2].of(pixel), (20.f - 90.f) / (20.f + 90.f));
  EXPECT_EQ(indices[1].name, "swir1/swir2");
  const float dark[] = {0, 0, 0, 0, 5, 0};  // zero denominators: undefined, so the pixel is left out
  EXPECT_TRUE(std::isnan(indices[0].of(dark)));
  EXPECT_TRUE(std::isnan(indices[1].of(dark)));
  EXPECT_TRUE(m::parse_indices("", bands).empty());

  const std::string unknown = [&] {
    try {
      m::parse_indices("ndvi", {"b1", "b2"});
    } catch (const nfx::Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  }();
  EXPECT_NE(unknown.find("no band is called \"nir\" (the bands are b1, b2)"), std::string::npos) << unknown;
  EXPECT_THROW(m::parse_indices("red+nir", bands), nfx::Error);
  EXPECT_THROW(m::parse_indices("nd(red)", bands), nfx::Error);
}

TEST(PixelSample, KeepsTheLowestPrioritiesWhateverTheBlocks) {
  // 5,000 pixels of 2 features (the position and its double), offered in raster order and shuffled.
  const int64_t n = 5000, capacity = 300;
  const uint64_t seed = 11;
  const auto features = [](int64_t p) { return std::vector<float>{static_cast<float>(p), 2.f * static_cast<float>(p)}; };
  m::PixelSample in_order(capacity, 2, seed), shuffled(capacity, 2, seed);
  std::vector<int64_t> order(n);
  for (int64_t p = 0; p < n; ++p) {
    order[p] = p;
    in_order.offer(p, features(p).data());
  }
  std::shuffle(order.begin(), order.end(), std::mt19937_64(5));
  for (int64_t p : order) shuffled.offer(p, features(p).data());
  EXPECT_EQ(in_order.features(), shuffled.features());
  EXPECT_EQ(in_order.size(), capacity);
  EXPECT_EQ(in_order.offered(), n);

  // Brute force: the capacity positions of lowest priority, in raster order.
  std::vector<std::pair<double, int64_t>> all;
  for (int64_t p = 0; p < n; ++p) all.emplace_back(m::pixel_priority(seed, p), p);
  std::sort(all.begin(), all.end());
  std::vector<int64_t> expected;
  for (int64_t i = 0; i < capacity; ++i) expected.push_back(all[i].second);
  std::sort(expected.begin(), expected.end());
  const std::vector<float> kept = in_order.features();
  for (int64_t i = 0; i < capacity; ++i) {
    EXPECT_EQ(kept[2 * i], static_cast<float>(expected[i]));
    EXPECT_EQ(kept[2 * i + 1], 2.f * static_cast<float>(expected[i]));
  }
  // The threshold is the highest priority kept: every kept pixel is at or below it, every other above.
  EXPECT_EQ(in_order.threshold(), all[capacity - 1].first);
  EXPECT_GT(all[capacity].first, in_order.threshold());
  // A different seed draws different pixels.
  m::PixelSample other(capacity, 2, seed + 1);
  for (int64_t p = 0; p < n; ++p) other.offer(p, features(p).data());
  EXPECT_NE(other.features(), kept);
}

TEST(GaussianMixture, RecoversTwoComponentsOfDifferentSpread) {
  // 3,000 points around (0, 0) with sd 0.5 and 1,000 around (6, 3) with sd (2, 1).
  std::mt19937_64 rng(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<float> values;
  for (int i = 0; i < 3000; ++i) values.insert(values.end(), {static_cast<float>(0.5 * normal(rng)), static_cast<float>(0.5 * normal(rng))});
  for (int i = 0; i < 1000; ++i) values.insert(values.end(), {static_cast<float>(6 + 2 * normal(rng)), static_cast<float>(3 + normal(rng))});
  m::GaussianMixtureOptions options;
  options.k = 2;
  options.seed = 4;
  const m::GaussianMixture g = m::fit_gaussian_mixture(m::points_of(values, 2), options);
  const int wide = g.means[0] > 3 ? 0 : 1, narrow = 1 - wide;
  EXPECT_NEAR(g.weights[narrow], 0.75, 0.02);
  EXPECT_NEAR(g.means[narrow * 2], 0.0, 0.05);
  EXPECT_NEAR(g.means[wide * 2], 6.0, 0.2);
  EXPECT_NEAR(g.means[wide * 2 + 1], 3.0, 0.1);
  EXPECT_NEAR(std::sqrt(g.variances[narrow * 2]), 0.5, 0.03);
  EXPECT_NEAR(std::sqrt(g.variances[wide * 2]), 2.0, 0.15);
  EXPECT_NEAR(std::sqrt(g.variances[wide * 2 + 1]), 1.0, 0.08);
  // EM never lowers the likelihood.
  ASSERT_GE(g.log_likelihood_history.size(), 2u);
  for (size_t i = 1; i < g.log_likelihood_history.size(); ++i) {
    EXPECT_GE(g.log_likelihood_history[i], g.log_likelihood_history[i - 1] - 1e-9) << i;
  }
  // Labels: a point at the narrow centre goes to it, one far out along x to the wide one.
  const std::vector<float> probes = {0.1f, -0.1f, 3.5f, 0.0f};
  const std::vector<int> labels = m::most_likely_components(g, m::points_of(probes, 2));
  EXPECT_EQ(labels[0], narrow);
  EXPECT_EQ(labels[1], wide);  // nearer the narrow centre (3.5 vs 3.9) but far outside its spread
}
