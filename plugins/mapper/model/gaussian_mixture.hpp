// A Gaussian mixture with diagonal covariances, fitted by expectation-maximization from k-means' clusters:
// the mapper's soft alternative to k-means, for classes of different spread (a bright, varied outcrop
// beside a uniform water body).
#pragma once

#include "model/points.hpp"

#include <cstdint>
#include <vector>

namespace nfx::mapper {

struct GaussianMixture {
  int k = 0;
  int64_t d = 0;
  std::vector<double> weights;    // k, summing to 1
  std::vector<double> means;      // k x d
  std::vector<double> variances;  // k x d, each at least the variance floor
  std::vector<double> log_likelihood_history;  // mean log-likelihood per point after each iteration
};

struct GaussianMixtureOptions {
  int k = 6;
  int max_iterations = 200;
  double tolerance = 1e-6;  // stop when the mean log-likelihood rises by less
  uint64_t seed = 0;        // of the k-means that starts it
};

// Throws nfx::Error when k < 2 or there are fewer points than k.
GaussianMixture fit_gaussian_mixture(const PointSet& points, const GaussianMixtureOptions& options);

// The component of highest posterior probability for each point.
std::vector<int> most_likely_components(const GaussianMixture& mixture, const PointSet& points);

}  // namespace nfx::mapper
