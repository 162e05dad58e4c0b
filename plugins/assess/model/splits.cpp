#include "model/splits.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

namespace nfx::assess {

namespace {

// A seeded shuffle that is the same on every standard library (std::shuffle's use of the engine is not
// specified): Fisher-Yates with 64-bit draws.
void shuffle(std::vector<int64_t>& items, uint64_t seed) {
  std::mt19937_64 rng(seed);
  for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[rng() % i]);
}

uint64_t class_seed(uint64_t seed, int label) { return seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(label) + 1; }

}  // namespace

Split stratified_split(const std::vector<int>& labels, int classes, double validation, double test, uint64_t seed) {
  if (validation < 0 || test < 0 || validation + test >= 1) {
    throw nfx::Error("validation and test shares must be at least 0 and leave some for training, not " + std::to_string(validation) +
                     " and " + std::to_string(test));
  }
  std::vector<std::vector<int64_t>> by_class(static_cast<size_t>(classes));
  for (size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0 || labels[i] >= classes) throw nfx::Error("label " + std::to_string(labels[i]) + " outside 0 .. " + std::to_string(classes - 1));
    by_class[static_cast<size_t>(labels[i])].push_back(static_cast<int64_t>(i));
  }
  Split split;
  for (int c = 0; c < classes; ++c) {
    std::vector<int64_t>& items = by_class[static_cast<size_t>(c)];
    shuffle(items, class_seed(seed, c));
    const int64_t n = static_cast<int64_t>(items.size());
    int64_t n_test = std::llround(static_cast<double>(n) * test), n_validation = std::llround(static_cast<double>(n) * validation);
    if (n >= 3) {
      n_test = std::max<int64_t>(n_test, test > 0 ? 1 : 0);
      n_validation = std::max<int64_t>(n_validation, validation > 0 ? 1 : 0);
    }
    n_test = std::min(n_test, n);
    n_validation = std::min(n_validation, n - n_test);
    split.test.insert(split.test.end(), items.begin(), items.begin() + n_test);
    split.validation.insert(split.validation.end(), items.begin() + n_test, items.begin() + n_test + n_validation);
    split.train.insert(split.train.end(), items.begin() + n_test + n_validation, items.end());
  }
  for (std::vector<int64_t>* part : {&split.train, &split.validation, &split.test}) std::sort(part->begin(), part->end());
  return split;
}

std::vector<int64_t> induce_imbalance(const std::vector<int64_t>& indices, const std::vector<int>& labels,
                                      const std::map<int, double>& keep, uint64_t seed) {
  std::map<int, std::vector<int64_t>> reduced;
  std::vector<int64_t> out;
  for (int64_t i : indices) {
    const int label = labels[static_cast<size_t>(i)];
    if (keep.count(label) != 0) {
      reduced[label].push_back(i);
    } else {
      out.push_back(i);
    }
  }
  for (auto& [label, items] : reduced) {
    const double share = keep.at(label);
    if (share <= 0 || share > 1) throw nfx::Error("the share of class " + std::to_string(label) + " kept must be in (0, 1], not " + std::to_string(share));
    shuffle(items, class_seed(seed ^ 0xA5A5A5A5ULL, label));  // a stream of its own, not the split's order
    const int64_t kept = std::max<int64_t>(1, std::llround(static_cast<double>(items.size()) * share));
    out.insert(out.end(), items.begin(), items.begin() + std::min<int64_t>(kept, static_cast<int64_t>(items.size())));
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nfx::assess
