#include "model/kmeans.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <string>

namespace nfx::mapper {

namespace {

// A uniform double in [0, 1) from 53 bits of the generator: the same on every standard library (the
// standard's distributions are not).
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// k-means++ (Arthur and Vassilvitskii 2007): the first centre uniformly, each next one with probability
// proportional to its squared distance from the nearest centre chosen so far.
std::vector<float> seed_centroids(const PointSet& p, int k, std::mt19937_64& rng) {
  std::vector<float> centroids;
  centroids.reserve(static_cast<size_t>(k * p.d));
  const auto add = [&](int64_t i) { centroids.insert(centroids.end(), p.row(i), p.row(i) + p.d); };
  add(static_cast<int64_t>(uniform(rng) * static_cast<double>(p.n)));
  std::vector<double> nearest(static_cast<size_t>(p.n), std::numeric_limits<double>::infinity());
  for (int c = 1; c < k; ++c) {
    const float* last = centroids.data() + (c - 1) * p.d;
    double total = 0;
    for (int64_t i = 0; i < p.n; ++i) {
      nearest[i] = std::min(nearest[i], squared_distance(p.row(i), last, p.d));
      total += nearest[i];
    }
    int64_t chosen = p.n - 1;
    if (total > 0) {
      double target = uniform(rng) * total;
      for (int64_t i = 0; i < p.n; ++i) {
        target -= nearest[i];
        if (target < 0) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = static_cast<int64_t>(uniform(rng) * static_cast<double>(p.n));  // every point is a centre already
    }
    add(chosen);
  }
  return centroids;
}

// Lloyd's iterations from `centroids` until no label changes.
KMeansResult lloyd(const PointSet& p, int k, std::vector<float> centroids, int max_iterations) {
  KMeansResult r;
  r.labels.assign(static_cast<size_t>(p.n), -1);
  std::vector<double> sums(static_cast<size_t>(k * p.d));
  std::vector<int64_t> counts(static_cast<size_t>(k));
  bool converged = false;
  for (r.iterations = 1; r.iterations <= max_iterations; ++r.iterations) {
    std::vector<int> labels = nearest_centroids(p, centroids, k);
    converged = labels == r.labels;
    r.labels = std::move(labels);
    if (converged) break;
    std::fill(sums.begin(), sums.end(), 0.0);
    std::fill(counts.begin(), counts.end(), 0);
    for (int64_t i = 0; i < p.n; ++i) {
      const int c = r.labels[i];
      ++counts[c];
      for (int64_t j = 0; j < p.d; ++j) sums[c * p.d + j] += p.row(i)[j];
    }
    for (int c = 0; c < k; ++c) {
      if (counts[c] == 0) {
        // An empty cluster takes the point farthest from its own centre.
        int64_t far = 0;
        double worst = -1;
        for (int64_t i = 0; i < p.n; ++i) {
          const double dist = squared_distance(p.row(i), centroids.data() + r.labels[i] * p.d, p.d);
          if (dist > worst) {
            worst = dist;
            far = i;
          }
        }
        std::copy(p.row(far), p.row(far) + p.d, centroids.begin() + c * p.d);
        continue;
      }
      for (int64_t j = 0; j < p.d; ++j) centroids[c * p.d + j] = static_cast<float>(sums[c * p.d + j] / static_cast<double>(counts[c]));
    }
  }
  r.iterations = std::min(r.iterations, max_iterations);
  if (!converged) r.labels = nearest_centroids(p, centroids, k);  // the centroids moved after the last labels
  r.centroids = std::move(centroids);
  r.inertia = 0;
  for (int64_t i = 0; i < p.n; ++i) r.inertia += squared_distance(p.row(i), r.centroids.data() + r.labels[i] * p.d, p.d);
  return r;
}

}  // namespace

std::vector<int> nearest_centroids(const PointSet& p, const std::vector<float>& centroids, int k) {
  std::vector<int> labels(static_cast<size_t>(p.n));
  for (int64_t i = 0; i < p.n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    for (int c = 0; c < k; ++c) {
      const double dist = squared_distance(p.row(i), centroids.data() + c * p.d, p.d);
      if (dist < best) {
        best = dist;
        labels[i] = c;
      }
    }
  }
  return labels;
}

KMeansResult kmeans(const PointSet& points, const KMeansOptions& options) {
  if (options.k < 2) throw nfx::Error("k-means needs k >= 2 clusters, not " + std::to_string(options.k));
  if (points.n < options.k) {
    throw nfx::Error("k-means with k = " + std::to_string(options.k) + " needs at least as many points, not " + std::to_string(points.n));
  }
  std::mt19937_64 rng(options.seed);
  KMeansResult best;
  for (int start = 0; start < std::max(1, options.restarts); ++start) {
    KMeansResult r = lloyd(points, options.k, seed_centroids(points, options.k, rng), options.max_iterations);
    if (start == 0 || r.inertia < best.inertia) best = std::move(r);
  }
  return best;
}

}  // namespace nfx::mapper
