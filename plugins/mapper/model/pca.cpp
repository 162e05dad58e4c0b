#include "model/pca.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace nfx::mapper {

namespace {

// Eigenvalues (returned) and eigenvectors (columns of `vectors`) of the symmetric n x n matrix `a`
// (destroyed), by cyclic Jacobi rotations until the off-diagonal part vanishes.
std::vector<double> symmetric_eigen(std::vector<double>& a, int64_t n, std::vector<double>& vectors) {
  vectors.assign(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) vectors[i * n + i] = 1.0;
  const auto at = [&](int64_t r, int64_t c) -> double& { return a[r * n + c]; };
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0, scale = 0;
    for (int64_t r = 0; r < n; ++r) {
      for (int64_t c = 0; c < n; ++c) (r == c ? scale : off) += at(r, c) * at(r, c);
    }
    if (off <= 1e-30 * std::max(scale, 1e-300)) break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        if (at(p, q) == 0) continue;
        // The rotation in the (p, q) plane that zeroes a[p][q] (Golub and Van Loan, algorithm 8.4.1).
        const double theta = (at(q, q) - at(p, p)) / (2 * at(p, q));
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double cos = 1 / std::sqrt(t * t + 1), sin = t * cos;
        for (int64_t k = 0; k < n; ++k) {  // a = a J
          const double kp = at(k, p), kq = at(k, q);
          at(k, p) = cos * kp - sin * kq;
          at(k, q) = sin * kp + cos * kq;
        }
        for (int64_t k = 0; k < n; ++k) {  // a = J^T a
          const double pk = at(p, k), qk = at(q, k);
          at(p, k) = cos * pk - sin * qk;
          at(q, k) = sin * pk + cos * qk;
        }
        for (int64_t k = 0; k < n; ++k) {  // v = v J
          const double kp = vectors[k * n + p], kq = vectors[k * n + q];
          vectors[k * n + p] = cos * kp - sin * kq;
          vectors[k * n + q] = sin * kp + cos * kq;
        }
      }
    }
  }
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = at(i, i);
  return values;
}

}  // namespace

Pca fit_pca(const PointSet& p, int64_t rank) {
  if (p.n < 2) throw nfx::Error("PCA needs at least 2 points, not " + std::to_string(p.n));
  if (rank < 1 || rank > p.d) throw nfx::Error("PCA of " + std::to_string(p.d) + " features cannot keep " + std::to_string(rank) + " components");
  Pca pca;
  pca.d = p.d;
  pca.rank = rank;
  pca.mean.assign(static_cast<size_t>(p.d), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t j = 0; j < p.d; ++j) pca.mean[j] += p.row(i)[j];
  }
  for (double& m : pca.mean) m /= static_cast<double>(p.n);
  std::vector<double> covariance(static_cast<size_t>(p.d * p.d), 0.0);
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t r = 0; r < p.d; ++r) {
      for (int64_t c = 0; c < p.d; ++c) covariance[r * p.d + c] += (p.row(i)[r] - pca.mean[r]) * (p.row(i)[c] - pca.mean[c]);
    }
  }
  for (double& v : covariance) v /= static_cast<double>(p.n - 1);
  std::vector<double> vectors;
  const std::vector<double> values = symmetric_eigen(covariance, p.d, vectors);
  std::vector<int64_t> order(static_cast<size_t>(p.d));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return values[a] > values[b]; });
  for (int64_t k = 0; k < rank; ++k) {
    // Each direction's sign fixed so its largest entry is positive: the same data gives the same projection.
    int64_t largest = 0;
    for (int64_t j = 0; j < p.d; ++j) {
      if (std::abs(vectors[j * p.d + order[k]]) > std::abs(vectors[largest * p.d + order[k]])) largest = j;
    }
    const double sign = vectors[largest * p.d + order[k]] < 0 ? -1.0 : 1.0;
    for (int64_t j = 0; j < p.d; ++j) pca.components.push_back(sign * vectors[j * p.d + order[k]]);
    pca.variance.push_back(values[order[k]]);
  }
  return pca;
}

std::vector<float> project(const Pca& pca, const PointSet& p) {
  if (p.d != pca.d) throw nfx::Error("PCA of " + std::to_string(pca.d) + " features given points of " + std::to_string(p.d));
  std::vector<float> out(static_cast<size_t>(p.n * pca.rank));
  for (int64_t i = 0; i < p.n; ++i) {
    for (int64_t k = 0; k < pca.rank; ++k) {
      double sum = 0;
      for (int64_t j = 0; j < p.d; ++j) sum += (p.row(i)[j] - pca.mean[j]) * pca.components[k * p.d + j];
      out[i * pca.rank + k] = static_cast<float>(sum);
    }
  }
  return out;
}

}  // namespace nfx::mapper
