// Seeded splits of a labelled set that keep every class in every part (stratified), and the induced
// imbalance of experiments: only a given share of a class's training items kept.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

namespace nfx::assess {

struct Split {
  std::vector<int64_t> train, validation, test;  // item indices, ascending
};

// Within each class, the items in a seeded order: round(n * test) to test, round(n * validation) to
// validation, the rest to training; a class of 3 or more items has at least one in each part. `labels`
// hold class indices 0 .. classes - 1. The same labels, shares and seed give the same split.
Split stratified_split(const std::vector<int>& labels, int classes, double validation, double test, uint64_t seed);

// Of `indices`, the items of each class in `keep` (class -> share) reduced to round(count * share) of
// them, at least 1, chosen by the seed; other classes kept whole. Ascending.
std::vector<int64_t> induce_imbalance(const std::vector<int64_t>& indices, const std::vector<int>& labels,
                                      const std::map<int, double>& keep, uint64_t seed);

}  // namespace nfx::assess
