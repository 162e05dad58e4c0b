// How good a clustering is, without labels (silhouette, Davies-Bouldin, Calinski-Harabasz, on the points
// it clustered) and against another labelling (adjusted Rand index, normalized mutual information).
// Definitions as in scikit-learn's documentation, so the numbers compare with published ones.
#pragma once

#include "model/points.hpp"

#include <vector>

namespace nfx::mapper {

// Mean over points of (b - a) / max(a, b): a the mean distance to the other points of its cluster, b the
// lowest mean distance to the points of another cluster; 0 for a point alone in its cluster. Exact,
// O(n^2 d): give it a sample. In [-1, 1], higher is better. Throws nfx::Error for fewer than 2 clusters.
double silhouette(const PointSet& points, const std::vector<int>& labels);

// Mean over clusters of the largest (s_i + s_j) / |c_i - c_j|, s the mean distance of a cluster's points
// to its centroid c. Lower is better.
double davies_bouldin(const PointSet& points, const std::vector<int>& labels);

// (between-cluster dispersion / (k - 1)) / (within-cluster dispersion / (n - k)). Higher is better.
double calinski_harabasz(const PointSet& points, const std::vector<int>& labels);

// Agreement of two labellings of the same points, corrected for chance: 1 identical up to renaming, about
// 0 for independent ones.
double adjusted_rand_index(const std::vector<int>& a, const std::vector<int>& b);

// Mutual information over the arithmetic mean of the two entropies: 1 identical up to renaming, 0 independent.
double normalized_mutual_information(const std::vector<int>& a, const std::vector<int>& b);

}  // namespace nfx::mapper
