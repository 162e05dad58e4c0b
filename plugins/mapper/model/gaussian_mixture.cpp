#include "model/gaussian_mixture.hpp"

#include "model/kmeans.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nfx::mapper {

namespace {

constexpr double kLogTwoPi = 1.8378770664093453;

// log(weight_c * N(x | mean_c, diag(variance_c))) for every component c of one point.
void component_log_densities(const GaussianMixture& g, const float* x, std::vector<double>& out) {
  for (int c = 0; c < g.k; ++c) {
    double sum = std::log(g.weights[c]);
    for (int64_t j = 0; j < g.d; ++j) {
      const double v = g.variances[c * g.d + j], diff = x[j] - g.means[c * g.d + j];
      sum -= 0.5 * (kLogTwoPi + std::log(v) + diff * diff / v);
    }
    out[c] = sum;
  }
}

// log(sum(exp(values))) without overflow.
double log_sum_exp(const std::vector<double>& values) {
  const double top = *std::max_element(values.begin(), values.end());
  if (!std::isfinite(top)) return top;
  double sum = 0;
  for (double v : values) sum += std::exp(v - top);
  return top + std::log(sum);
}

}  // namespace

GaussianMixture fit_gaussian_mixture(const PointSet& p, const GaussianMixtureOptions& o) {
  KMeansOptions start;
  start.k = o.k;
  start.seed = o.seed;
  const KMeansResult clusters = kmeans(p, start);  // checks k and the point count
  GaussianMixture g;
  g.k = o.k;
  g.d = p.d;
  // A floor on the variances, so a component that shrinks onto a few identical pixels stays a density.
  double total_variance = 0;
  {
    std::vector<double> mean(static_cast<size_t>(p.d), 0.0);
    for (int64_t i = 0; i < p.n; ++i) {
      for (int64_t j = 0; j < p.d; ++j) mean[j] += p.row(i)[j];
    }
    for (double& m : mean) m /= static_cast<double>(p.n);
    for (int64_t i = 0; i < p.n; ++i) {
      for (int64_t j = 0; j < p.d; ++j) total_variance += (p.row(i)[j] - mean[j]) * (p.row(i)[j] - mean[j]);
    }
    total_variance /= static_cast<double>(p.n * p.d);
  }
  const double floor = std::max(1e-6 * total_variance, 1e-12);

  // Responsibilities start as k-means' hard labels.
  std::vector<double> resp(static_cast<size_t>(p.n * o.k), 0.0);
  for (int64_t i = 0; i < p.n; ++i) resp[i * o.k + clusters.labels[i]] = 1.0;
  std::vector<double> log_density(static_cast<size_t>(o.k));
  for (int iteration = 0; iteration < o.max_iterations; ++iteration) {
    // M step: weights, means and variances from the responsibilities.
    g.weights.assign(static_cast<size_t>(o.k), 0.0);
    g.means.assign(static_cast<size_t>(o.k * p.d), 0.0);
    g.variances.assign(static_cast<size_t>(o.k * p.d), 0.0);
    for (int64_t i = 0; i < p.n; ++i) {
      for (int c = 0; c < o.k; ++c) {
        const double r = resp[i * o.k + c];
        g.weights[c] += r;
        for (int64_t j = 0; j < p.d; ++j) g.means[c * p.d + j] += r * p.row(i)[j];
      }
    }
    for (int c = 0; c < o.k; ++c) {
      const double mass = std::max(g.weights[c], std::numeric_limits<double>::min());
      for (int64_t j = 0; j < p.d; ++j) g.means[c * p.d + j] /= mass;
    }
    for (int64_t i = 0; i < p.n; ++i) {
      for (int c = 0; c < o.k; ++c) {
        const double r = resp[i * o.k + c];
        for (int64_t j = 0; j < p.d; ++j) {
          const double diff = p.row(i)[j] - g.means[c * p.d + j];
          g.variances[c * p.d + j] += r * diff * diff;
        }
      }
    }
    for (int c = 0; c < o.k; ++c) {
      const double mass = std::max(g.weights[c], std::numeric_limits<double>::min());
      for (int64_t j = 0; j < p.d; ++j) g.variances[c * p.d + j] = std::max(g.variances[c * p.d + j] / mass, floor);
      g.weights[c] = std::max(g.weights[c] / static_cast<double>(p.n), 1e-300);  // an emptied component stays defined
    }
    // E step: responsibilities, and the mean log-likelihood of the parameters just fitted.
    double log_likelihood = 0;
    for (int64_t i = 0; i < p.n; ++i) {
      component_log_densities(g, p.row(i), log_density);
      const double total = log_sum_exp(log_density);
      log_likelihood += total;
      for (int c = 0; c < o.k; ++c) resp[i * o.k + c] = std::exp(log_density[c] - total);
    }
    log_likelihood /= static_cast<double>(p.n);
    const bool settled = !g.log_likelihood_history.empty() && log_likelihood - g.log_likelihood_history.back() < o.tolerance;
    g.log_likelihood_history.push_back(log_likelihood);
    if (settled) break;
  }
  return g;
}

std::vector<int> most_likely_components(const GaussianMixture& g, const PointSet& p) {
  std::vector<int> labels(static_cast<size_t>(p.n));
  std::vector<double> log_density(static_cast<size_t>(g.k));
  for (int64_t i = 0; i < p.n; ++i) {
    component_log_densities(g, p.row(i), log_density);
    labels[i] = static_cast<int>(std::max_element(log_density.begin(), log_density.end()) - log_density.begin());
  }
  return labels;
}

}  // namespace nfx::mapper
