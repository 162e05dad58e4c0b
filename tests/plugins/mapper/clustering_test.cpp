// The mapper's clustering (issue 17): the metrics against values worked out by hand on small point sets,
// and k-means reproducible with a seed and right on well-separated clusters.
#include "model/cluster_metrics.hpp"
#include "model/kmeans.hpp"

#include <nfx/base.hpp>

#include <gtest/gtest.h>

#include <cmath>

#include <random>

namespace m = nfx::mapper;

// Points 0, 1, 10, 11 in two clusters. Silhouette by hand: a = 1 for every point; b = 10.5 for 0 and 11,
// 9.5 for 1 and 10; s = 9.5 / 10.5 twice and 8.5 / 9.5 twice. Centroids 0.5 and 10.5, each point 0.5 from
// its own: Davies-Bouldin (0.5 + 0.5) / 10 = 0.1. Calinski-Harabasz: between 4 x 5^2 = 100 over k - 1 = 1,
// within 4 x 0.25 = 1 over n - k = 2: 200.
TEST(ClusterMetrics, TwoClustersOnALineMatchTheHandWorkedValues) {
  const std::vector<float> x = {0, 1, 10, 11};
  const m::PointSet p = m::points_of(x, 1);
  const std::vector<int> labels = {0, 0, 1, 1};
  EXPECT_NEAR(m::silhouette(p, labels), (2 * 9.5 / 10.5 + 2 * 8.5 / 9.5) / 4, 1e-12);
  EXPECT_NEAR(m::davies_bouldin(p, labels), 0.1, 1e-12);
  EXPECT_NEAR(m::calinski_harabasz(p, labels), 200.0, 1e-9);
  // Label values do not matter, only the partition.
  EXPECT_NEAR(m::silhouette(p, {7, 7, 3, 3}), m::silhouette(p, labels), 1e-15);
}

// Three points in the plane, (0,0) and (0,2) together, (3,0) alone: the lone point scores 0; the pair's
// a = 2, b = 3 and sqrt(13): s = 1/3 and (sqrt(13) - 2) / sqrt(13). Centroids (0,1) and (3,0), 1 and 0 from
// their points, sqrt(10) apart: Davies-Bouldin 1 / sqrt(10). Calinski-Harabasz: mean (1, 2/3); between
// 2 x (1 + 1/9) + 1 x (4 + 4/9) = 6.6667; within 2; (6.6667 / 1) / (2 / 1) = 3.3333.
TEST(ClusterMetrics, APointAloneAndTwoDimensionsMatchTheHandWorkedValues) {
  const std::vector<float> x = {0, 0, 0, 2, 3, 0};
  const m::PointSet p = m::points_of(x, 2);
  const std::vector<int> labels = {0, 0, 1};
  EXPECT_NEAR(m::silhouette(p, labels), (1.0 / 3 + (std::sqrt(13.0) - 2) / std::sqrt(13.0) + 0) / 3, 1e-12);
  EXPECT_NEAR(m::davies_bouldin(p, labels), 1 / std::sqrt(10.0), 1e-12);
  EXPECT_NEAR(m::calinski_harabasz(p, labels), (2 * (1 + 1.0 / 9) + (4 + 4.0 / 9)) / 2, 1e-9);
  EXPECT_THROW(m::silhouette(p, {0, 0, 0}), nfx::Error);  // one cluster: no silhouette
}

// {0,0,1,1} against {0,0,1,2}: pairs within cells 1, rows 2, columns 1, of 6: expected 2/6, maximum 1.5,
// ARI (1 - 1/3) / (1.5 - 1/3) = 4/7. Entropies ln 2 and 1.5 ln 2, mutual information ln 2: NMI 0.8.
TEST(ClusterMetrics, RandIndexAndMutualInformationMatchTheHandWorkedValues) {
  EXPECT_NEAR(m::adjusted_rand_index({0, 0, 1, 1}, {0, 0, 1, 2}), 4.0 / 7, 1e-12);
  EXPECT_NEAR(m::normalized_mutual_information({0, 0, 1, 1}, {0, 0, 1, 2}), 0.8, 1e-12);
  EXPECT_NEAR(m::adjusted_rand_index({0, 0, 1, 1, 2}, {5, 5, 3, 3, 9}), 1.0, 1e-12);  // renamed, same partition
  EXPECT_NEAR(m::normalized_mutual_information({0, 0, 1, 1, 2}, {5, 5, 3, 3, 9}), 1.0, 1e-12);
}

namespace {

// n points around each of three far-apart centres in 3 dimensions, and which centre each came from.
std::pair<std::vector<float>, std::vector<int>> three_blobs(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 0.5f);
  const float centres[3][3] = {{0, 0, 0}, {10, 0, 0}, {0, 10, 5}};
  std::vector<float> x;
  std::vector<int> truth;
  for (int i = 0; i < 3 * n; ++i) {
    for (int j = 0; j < 3; ++j) x.push_back(centres[i % 3][j] + noise(rng));
    truth.push_back(i % 3);
  }
  return {x, truth};
}

}  // namespace

TEST(KMeans, FindsWellSeparatedClustersAndIsReproducibleWithASeed) {
  const auto [x, truth] = three_blobs(200, 1);
  const m::PointSet p = m::points_of(x, 3);
  m::KMeansOptions options;
  options.k = 3;
  options.seed = 42;
  const m::KMeansResult a = m::kmeans(p, options), b = m::kmeans(p, options);
  EXPECT_EQ(a.labels, b.labels);
  EXPECT_EQ(a.centroids, b.centroids);
  EXPECT_EQ(m::adjusted_rand_index(a.labels, truth), 1.0);
  // The inertia is what the labels and centroids give, and each point's label is its nearest centroid.
  EXPECT_EQ(m::nearest_centroids(p, a.centroids, 3), a.labels);
  double inertia = 0;
  for (int64_t i = 0; i < p.n; ++i) inertia += m::squared_distance(p.row(i), a.centroids.data() + a.labels[i] * 3, 3);
  EXPECT_NEAR(a.inertia, inertia, 1e-9 * inertia);
  // More clusters than the data has still give a lower inertia, never a higher one.
  options.k = 6;
  EXPECT_LT(m::kmeans(p, options).inertia, a.inertia);
  options.k = 1;
  EXPECT_THROW(m::kmeans(p, options), nfx::Error);
}
