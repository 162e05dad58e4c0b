// Principal component analysis, the baseline the autoencoder is compared with: the directions of largest
// variance of centred points (eigenvectors of their covariance, by Jacobi rotations: d is a handful of
// bands), and points projected onto the first few.
#pragma once

#include "model/points.hpp"

#include <vector>

namespace nfx::mapper {

struct Pca {
  std::vector<double> mean;        // d
  std::vector<double> components;  // rank x d, row-major, unit length, by falling variance
  std::vector<double> variance;    // of each component (covariance with n - 1)
  int64_t d = 0, rank = 0;
};

// The first `rank` components of `points` (1 <= rank <= d). Throws nfx::Error for fewer than 2 points.
Pca fit_pca(const PointSet& points, int64_t rank);

// Each point's coordinates along the components: n x rank floats.
std::vector<float> project(const Pca& pca, const PointSet& points);

}  // namespace nfx::mapper
