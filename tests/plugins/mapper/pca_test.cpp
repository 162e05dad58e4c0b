// The PCA baseline (issue 17) against a hand-worked example and the same example rotated.
#include "model/pca.hpp"

#include <nfx/base.hpp>

#include <gtest/gtest.h>

#include <cmath>

namespace m = nfx::mapper;

// (1,0), (-1,0), (0,2), (0,-2): mean 0, covariance (n - 1 = 3) diag(2/3, 8/3): the first component is the
// y axis with variance 8/3, the second the x axis with 2/3; (0,2) projects to (2, 0).
TEST(Pca, AxisAlignedPointsGiveTheAxesByVariance) {
  const std::vector<float> x = {1, 0, -1, 0, 0, 2, 0, -2};
  const m::Pca pca = m::fit_pca(m::points_of(x, 2), 2);
  EXPECT_NEAR(pca.variance[0], 8.0 / 3, 1e-12);
  EXPECT_NEAR(pca.variance[1], 2.0 / 3, 1e-12);
  EXPECT_NEAR(pca.components[0], 0, 1e-12);
  EXPECT_NEAR(pca.components[1], 1, 1e-12);
  EXPECT_NEAR(pca.components[2], 1, 1e-12);
  EXPECT_NEAR(pca.components[3], 0, 1e-12);
  const std::vector<float> y = m::project(pca, m::points_of(x, 2));
  EXPECT_NEAR(y[4], 2, 1e-6);  // (0, 2)
  EXPECT_NEAR(y[5], 0, 1e-6);
}

// The same points turned by 30 degrees: the components turn with them, R (0,1) = (-1/2, sqrt(3)/2) and
// R (1,0) = (sqrt(3)/2, 1/2), the variances stay; one component of three features keeps the first only.
TEST(Pca, RotatedPointsGiveRotatedComponents) {
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  std::vector<float> x;
  for (const auto& [px, py] : std::vector<std::pair<double, double>>{{1, 0}, {-1, 0}, {0, 2}, {0, -2}}) {
    x.push_back(static_cast<float>(c * px - s * py));
    x.push_back(static_cast<float>(s * px + c * py));
  }
  const m::Pca pca = m::fit_pca(m::points_of(x, 2), 2);
  EXPECT_NEAR(pca.variance[0], 8.0 / 3, 1e-6);
  EXPECT_NEAR(pca.variance[1], 2.0 / 3, 1e-6);
  EXPECT_NEAR(pca.components[0], -s, 1e-6);
  EXPECT_NEAR(pca.components[1], c, 1e-6);
  EXPECT_NEAR(pca.components[2], c, 1e-6);
  EXPECT_NEAR(pca.components[3], s, 1e-6);

  std::vector<float> three;  // a third feature, constant: no variance
  for (size_t i = 0; i < x.size(); i += 2) three.insert(three.end(), {x[i], x[i + 1], 5.0f});
  const m::Pca first = m::fit_pca(m::points_of(three, 3), 1);
  ASSERT_EQ(first.components.size(), 3u);
  EXPECT_NEAR(first.components[0], -s, 1e-6);
  EXPECT_NEAR(first.components[1], c, 1e-6);
  EXPECT_NEAR(first.components[2], 0, 1e-6);
  EXPECT_THROW(m::fit_pca(m::points_of(three, 3), 4), nfx::Error);
}
