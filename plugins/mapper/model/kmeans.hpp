// k-means (Lloyd's iterations from k-means++ seeds, several restarts, the lowest inertia kept), seeded so
// that the same points, k and seed always give the same clusters.
#pragma once

#include "model/points.hpp"

#include <cstdint>
#include <vector>

namespace nfx::mapper {

struct KMeansOptions {
  int k = 6;
  int restarts = 4;          // independent k-means++ starts; the one of lowest inertia wins
  int max_iterations = 100;  // per start
  uint64_t seed = 0;
};

struct KMeansResult {
  std::vector<float> centroids;  // k x d, row-major
  std::vector<int> labels;       // one per point, 0 to k - 1
  double inertia = 0;            // sum of squared distances to the nearest centroid
  int iterations = 0;            // of the winning start
};

// Throws nfx::Error when k < 2 or there are fewer points than k.
KMeansResult kmeans(const PointSet& points, const KMeansOptions& options);

// The nearest of k centroids (k x d) for each point; ties go to the lower index.
std::vector<int> nearest_centroids(const PointSet& points, const std::vector<float>& centroids, int k);

}  // namespace nfx::mapper
