// The usual remedies for rare classes, the baselines the conditional GAN is measured against: class
// weights for the loss, random oversampling, and SMOTE (Chawla et al. 2002: new minority items on the
// segments between an item and one of its nearest neighbours of the same class).
#pragma once

#include <cstdint>
#include <vector>

namespace nfx::assess {

// n / (classes * count_c) for each class ("balanced" weights: a class's items weigh in as much as any
// other class's in total); 0 for a class without items.
std::vector<double> balanced_class_weights(const std::vector<int64_t>& counts);

// `indices` with the items of every class but the largest drawn again (seeded, with replacement) until
// each class has as many as the largest. Ascending within the original items, the draws after them.
std::vector<int64_t> oversample(const std::vector<int64_t>& indices, const std::vector<int>& labels, int classes, uint64_t seed);

struct Synthetic {
  std::vector<float> features;  // n x d
  std::vector<int> labels;
};

// For each class, `wanted[c]` new items (0: none) by SMOTE over the rows of `features` (n x d) that have
// that label: x + u (y - x), y one of x's `neighbours` nearest of the class, u uniform in [0, 1), seeded.
// A class with a single item gives copies of it.
Synthetic smote(const std::vector<float>& features, int64_t d, const std::vector<int>& labels, const std::vector<int64_t>& wanted,
                int neighbours, uint64_t seed);

}  // namespace nfx::assess
