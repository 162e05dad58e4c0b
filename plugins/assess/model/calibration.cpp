#include "model/calibration.hpp"

#include <nfx/base.hpp>

#include <algorithm>
#include <cmath>
#include <string>

namespace nfx::assess {

std::vector<double> softmax(const std::vector<float>& logits, int classes, double temperature) {
  std::vector<double> p(logits.size());
  const size_t n = logits.size() / static_cast<size_t>(classes);
  for (size_t i = 0; i < n; ++i) {
    const float* row = logits.data() + i * static_cast<size_t>(classes);
    const double top = *std::max_element(row, row + classes) / temperature;
    double sum = 0;
    double* out = p.data() + i * static_cast<size_t>(classes);
    for (int c = 0; c < classes; ++c) {
      out[c] = std::exp(row[c] / temperature - top);  // shifted by the largest, so exp cannot overflow
      sum += out[c];
    }
    for (int c = 0; c < classes; ++c) out[c] /= sum;
  }
  return p;
}

double negative_log_likelihood(const std::vector<float>& logits, int classes, const std::vector<int>& labels, double temperature) {
  double total = 0;
  for (size_t i = 0; i < labels.size(); ++i) {
    const float* row = logits.data() + i * static_cast<size_t>(classes);
    const double top = *std::max_element(row, row + classes) / temperature;
    double sum = 0;
    for (int c = 0; c < classes; ++c) sum += std::exp(row[c] / temperature - top);
    total += top + std::log(sum) - row[labels[i]] / temperature;  // -log softmax of the true class
  }
  return total / static_cast<double>(labels.size());
}

double fit_temperature(const std::vector<float>& logits, int classes, const std::vector<int>& labels) {
  if (labels.empty() || logits.size() != labels.size() * static_cast<size_t>(classes)) {
    throw nfx::Error("temperature scaling needs the logits of at least one labelled item");
  }
  const auto nll = [&](double log_t) { return negative_log_likelihood(logits, classes, labels, std::exp(log_t)); };
  const double golden = (std::sqrt(5.0) - 1) / 2;
  double a = std::log(0.05), b = std::log(20.0);
  double x1 = b - golden * (b - a), x2 = a + golden * (b - a), f1 = nll(x1), f2 = nll(x2);
  while (b - a > 1e-6) {
    if (f1 < f2) {
      b = x2, x2 = x1, f2 = f1;
      x1 = b - golden * (b - a), f1 = nll(x1);
    } else {
      a = x1, x1 = x2, f1 = f2;
      x2 = a + golden * (b - a), f2 = nll(x2);
    }
  }
  return std::exp((a + b) / 2);
}

double expected_calibration_error(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels, int bins) {
  std::vector<double> confidence(static_cast<size_t>(bins), 0.0), correct(static_cast<size_t>(bins), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(bins), 0);
  for (size_t i = 0; i < labels.size(); ++i) {
    const double* row = probabilities.data() + i * static_cast<size_t>(classes);
    const int predicted = static_cast<int>(std::max_element(row, row + classes) - row);
    const double top = row[predicted];
    const int bin = std::min(bins - 1, static_cast<int>(top * bins));
    confidence[bin] += top;
    correct[bin] += predicted == labels[i] ? 1.0 : 0.0;
    ++count[bin];
  }
  double ece = 0;
  for (int b = 0; b < bins; ++b) {
    if (count[b] > 0) ece += std::abs(correct[b] - confidence[b]) / static_cast<double>(labels.size());
  }
  return ece;
}

std::vector<double> review_thresholds(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels,
                                      double max_error) {
  // Each class's predictions as (confidence, correct), most confident first.
  std::vector<std::vector<std::pair<double, bool>>> predicted_as(static_cast<size_t>(classes));
  for (size_t i = 0; i < labels.size(); ++i) {
    const double* row = probabilities.data() + i * static_cast<size_t>(classes);
    const int predicted = static_cast<int>(std::max_element(row, row + classes) - row);
    predicted_as[static_cast<size_t>(predicted)].emplace_back(row[predicted], predicted == labels[i]);
  }
  std::vector<double> thresholds;
  for (auto& items : predicted_as) {
    std::sort(items.begin(), items.end(), [](const auto& x, const auto& y) { return x.first > y.first; });
    double threshold = kReviewAll;
    int64_t wrong = 0;
    for (size_t k = 0; k < items.size(); ++k) {
      wrong += items[k].second ? 0 : 1;
      if (static_cast<double>(wrong) <= max_error * static_cast<double>(k + 1)) threshold = items[k].first;
    }
    thresholds.push_back(threshold);
  }
  return thresholds;
}

std::vector<ReviewPoint> review_curve(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels,
                                      const std::vector<double>& thresholds) {
  std::vector<ReviewPoint> curve;
  const double n = static_cast<double>(labels.size());
  for (double t : thresholds) {
    int64_t decided = 0, wrong = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
      const double* row = probabilities.data() + i * static_cast<size_t>(classes);
      const auto top = std::max_element(row, row + classes);
      if (*top < t) continue;
      ++decided;
      wrong += (top - row) != labels[i] ? 1 : 0;
    }
    curve.push_back({t, n > 0 ? 1 - static_cast<double>(decided) / n : 0.0,
                     decided > 0 ? static_cast<double>(wrong) / static_cast<double>(decided) : 0.0});
  }
  return curve;
}

const char* decision_name(Decision decision) {
  switch (decision) {
    case Decision::accept: return "accept";
    case Decision::reject: return "reject";
    case Decision::review: break;
  }
  return "review";
}

Decision decide(const double* probabilities, int classes, const std::vector<double>& thresholds, const std::vector<bool>& accepted) {
  const int predicted = static_cast<int>(std::max_element(probabilities, probabilities + classes) - probabilities);
  if (probabilities[predicted] < thresholds[static_cast<size_t>(predicted)]) return Decision::review;
  return accepted[static_cast<size_t>(predicted)] ? Decision::accept : Decision::reject;
}

}  // namespace nfx::assess
