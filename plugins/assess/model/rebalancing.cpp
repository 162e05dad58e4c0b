#include "model/rebalancing.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <random>

namespace nfx::assess {

namespace {

// A uniform double in [0, 1) from 53 bits: the same on every standard library.
double uniform(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double squared_distance(const float* a, const float* b, int64_t d) {
  double sum = 0;
  for (int64_t j = 0; j < d; ++j) sum += (static_cast<double>(a[j]) - b[j]) * (static_cast<double>(a[j]) - b[j]);
  return sum;
}

}  // namespace

std::vector<double> balanced_class_weights(const std::vector<int64_t>& counts) {
  int64_t n = 0;
  for (int64_t c : counts) n += c;
  std::vector<double> weights;
  for (int64_t c : counts) weights.push_back(c > 0 ? static_cast<double>(n) / (static_cast<double>(counts.size()) * static_cast<double>(c)) : 0.0);
  return weights;
}

std::vector<int64_t> oversample(const std::vector<int64_t>& indices, const std::vector<int>& labels, int classes, uint64_t seed) {
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(classes));
  for (int64_t i : indices) by_class[static_cast<size_t>(labels[static_cast<size_t>(i)])].push_back(i);
  size_t largest = 0;
  for (const auto& items : by_class) largest = std::max(largest, items.size());
  std::vector<int64_t> out(indices.begin(), indices.end());
  std::sort(out.begin(), out.end());
  std::mt19937_64 rng(seed);
  for (const auto& items : by_class) {
    for (size_t k = items.size(); k < largest && !items.empty(); ++k) out.push_back(items[rng() % items.size()]);
  }
  return out;
}

Synthetic smote(const std::vector<float>& features, int64_t d, const std::vector<int>& labels, const std::vector<int64_t>& wanted,
                int neighbours, uint64_t seed) {
  if (neighbours < 1) throw nfx::Error("SMOTE needs at least one neighbour");
  Synthetic out;
  std::mt19937_64 rng(seed);
  for (size_t c = 0; c < wanted.size(); ++c) {
    if (wanted[c] <= 0) continue;
    std::vector<int64_t> members;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] == static_cast<int>(c)) members.push_back(static_cast<int64_t>(i));
    }
    if (members.empty()) throw nfx::Error("SMOTE: class " + std::to_string(c) + " has no item to start from");
    // Each member's nearest members (by squared distance, itself left out).
    std::vector<std::vector<int64_t>> nearest(members.size());
    for (size_t m = 0; m < members.size(); ++m) {
      std::vector<std::pair<double, int64_t>> by_distance;
      for (size_t o = 0; o < members.size(); ++o) {
        if (o != m) by_distance.emplace_back(squared_distance(&features[members[m] * d], &features[members[o] * d], d), members[o]);
      }
      const size_t k = std::min(by_distance.size(), static_cast<size_t>(neighbours));
      std::partial_sort(by_distance.begin(), by_distance.begin() + static_cast<int64_t>(k), by_distance.end());
      for (size_t j = 0; j < k; ++j) nearest[m].push_back(by_distance[j].second);
    }
    for (int64_t made = 0; made < wanted[c]; ++made) {
      const size_t m = rng() % members.size();
      const float* x = &features[members[m] * d];
      const float* y = nearest[m].empty() ? x : &features[nearest[m][rng() % nearest[m].size()] * d];
      const double u = uniform(rng);
      for (int64_t j = 0; j < d; ++j) out.features.push_back(static_cast<float>(x[j] + u * (y[j] - x[j])));
      out.labels.push_back(static_cast<int>(c));
    }
  }
  return out;
}

}  // namespace nfx::assess
