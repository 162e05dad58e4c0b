#include "model/cluster_metrics.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>

namespace nfx::mapper {

namespace {

// Labels renamed 0 .. k - 1 in order of first appearance, and k.
std::pair<std::vector<int>, int> compact(const std::vector<int>& labels) {
  std::map<int, int> index;
  std::vector<int> out(labels.size());
  for (size_t i = 0; i < labels.size(); ++i) {
    out[i] = index.emplace(labels[i], static_cast<int>(index.size())).first->second;
  }
  return {out, static_cast<int>(index.size())};
}

void check(const PointSet& p, const std::vector<int>& labels, int k, const char* metric) {
  if (static_cast<int64_t>(labels.size()) != p.n) {
    throw nfx::Error(std::string(metric) + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(p.n) + " points");
  }
  if (k < 2) throw nfx::Error(std::string(metric) + " needs at least 2 clusters, not " + std::to_string(k));
}

// The centroid (k x d) and size of each cluster.
std::pair<std::vector<double>, std::vector<int64_t>> centroids(const PointSet& p, const std::vector<int>& labels, int k) {
  std::vector<double> c(static_cast<size_t>(k * p.d), 0.0);
  std::vector<int64_t> n(static_cast<size_t>(k), 0);
  for (int64_t i = 0; i < p.n; ++i) {
    ++n[labels[i]];
    for (int64_t j = 0; j < p.d; ++j) c[labels[i] * p.d + j] += p.row(i)[j];
  }
  for (int g = 0; g < k; ++g) {
    for (int64_t j = 0; j < p.d; ++j) c[g * p.d + j] /= static_cast<double>(n[g]);
  }
  return {c, n};
}

double distance_to(const float* x, const double* c, int64_t d) {
  double sum = 0;
  for (int64_t j = 0; j < d; ++j) sum += (x[j] - c[j]) * (x[j] - c[j]);
  return std::sqrt(sum);
}

double pairs(double n) { return n * (n - 1) / 2; }

// The contingency table of two labellings (cells, row sums, column sums) and the number of points.
struct Contingency {
  std::map<std::pair<int, int>, double> cells;
  std::map<int, double> rows, columns;
  double n = 0;
};

Contingency contingency(const std::vector<int>& a, const std::vector<int>& b) {
  if (a.size() != b.size()) throw nfx::Error("two labellings of different lengths (" + std::to_string(a.size()) + ", " + std::to_string(b.size()) + ")");
  Contingency t;
  for (size_t i = 0; i < a.size(); ++i) {
    t.cells[{a[i], b[i]}] += 1;
    t.rows[a[i]] += 1;
    t.columns[b[i]] += 1;
  }
  t.n = static_cast<double>(a.size());
  return t;
}

double entropy(const std::map<int, double>& counts, double n) {
  double h = 0;
  for (const auto& [label, count] : counts) h -= count / n * std::log(count / n);
  return h;
}

}  // namespace

double silhouette(const PointSet& p, const std::vector<int>& raw_labels) {
  const auto [labels, k] = compact(raw_labels);
  check(p, labels, k, "silhouette");
  std::vector<int64_t> size(static_cast<size_t>(k), 0);
  for (int label : labels) ++size[label];
  // Each point's summed distance to every cluster (n x k), each pair's distance computed once.
  std::vector<double> to(static_cast<size_t>(p.n * k), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t j = i + 1; j < p.n; ++j) {
      const double d = std::sqrt(squared_distance(p.row(i), p.row(j), p.d));
      to[i * k + labels[j]] += d;
      to[j * k + labels[i]] += d;
    }
  }
  double total = 0;
  for (int64_t i = 0; i < p.n; ++i) {
    const double* sum_to = to.data() + i * k;
    const int own = labels[i];
    if (size[own] == 1) continue;  // s = 0
    const double a = sum_to[own] / static_cast<double>(size[own] - 1);
    double b = std::numeric_limits<double>::infinity();
    for (int g = 0; g < k; ++g) {
      if (g != own) b = std::min(b, sum_to[g] / static_cast<double>(size[g]));
    }
    const double denominator = std::max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0.0;
  }
  return total / static_cast<double>(p.n);
}

double davies_bouldin(const PointSet& p, const std::vector<int>& raw_labels) {
  const auto [labels, k] = compact(raw_labels);
  check(p, labels, k, "Davies-Bouldin");
  const auto [c, n] = centroids(p, labels, k);
  std::vector<double> scatter(static_cast<size_t>(k), 0.0);
  for (int64_t i = 0; i < p.n; ++i) scatter[labels[i]] += distance_to(p.row(i), c.data() + labels[i] * p.d, p.d);
  for (int g = 0; g < k; ++g) scatter[g] /= static_cast<double>(n[g]);
  double sum = 0;
  for (int g = 0; g < k; ++g) {
    double worst = 0;
    for (int h = 0; h < k; ++h) {
      if (h == g) continue;
      double separation = 0;
      for (int64_t j = 0; j < p.d; ++j) separation += (c[g * p.d + j] - c[h * p.d + j]) * (c[g * p.d + j] - c[h * p.d + j]);
      separation = std::sqrt(separation);
      worst = std::max(worst, separation > 0 ? (scatter[g] + scatter[h]) / separation : std::numeric_limits<double>::infinity());
    }
    sum += worst;
  }
  return sum / k;
}

double calinski_harabasz(const PointSet& p, const std::vector<int>& raw_labels) {
  const auto [labels, k] = compact(raw_labels);
  check(p, labels, k, "Calinski-Harabasz");
  const auto [c, n] = centroids(p, labels, k);
  std::vector<double> mean(static_cast<size_t>(p.d), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t j = 0; j < p.d; ++j) mean[j] += p.row(i)[j];
  }
  for (double& m : mean) m /= static_cast<double>(p.n);
  double between = 0, within = 0;
  for (int g = 0; g < k; ++g) {
    for (int64_t j = 0; j < p.d; ++j) between += static_cast<double>(n[g]) * (c[g * p.d + j] - mean[j]) * (c[g * p.d + j] - mean[j]);
  }
  for (int64_t i = 0; i < p.n; ++i) {
    const double d = distance_to(p.row(i), c.data() + labels[i] * p.d, p.d);
    within += d * d;
  }
  if (within == 0) return std::numeric_limits<double>::infinity();
  return (between / (k - 1)) / (within / static_cast<double>(p.n - k));
}

double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b) {
  const Contingency t = contingency(a, b);
  double index = 0, row_pairs = 0, column_pairs = 0;
  for (const auto& [cell, count] : t.cells) index += pairs(count);
  for (const auto& [label, count] : t.rows) row_pairs += pairs(count);
  for (const auto& [label, count] : t.columns) column_pairs += pairs(count);
  const double expected = row_pairs * column_pairs / pairs(t.n);
  const double maximum = (row_pairs + column_pairs) / 2;
  if (maximum == expected) return 1.0;  // both put every point in one cluster, or each in its own
  return (index - expected) / (maximum - expected);
}

double normalized_mutual_information(const std::vector<int>& a, const std::vector<int>& b) {
  const Contingency t = contingency(a, b);
  double information = 0;
  for (const auto& [cell, count] : t.cells) {
    information += count / t.n * std::log(count * t.n / (t.rows.at(cell.first) * t.columns.at(cell.second)));
  }
  const double mean_entropy = (entropy(t.rows, t.n) + entropy(t.columns, t.n)) / 2;
  return mean_entropy > 0 ? information / mean_entropy : 1.0;
}

}  // namespace nfx::mapper
