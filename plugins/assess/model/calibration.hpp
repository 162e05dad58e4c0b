// Confidence that can be trusted, and what to do with an item: temperature scaling (Guo et al. 2017: the
// classifier's logits divided by one T fitted on the validation split to minimise its negative log-
// likelihood), the expected calibration error, and the grading decision (accept, reject, or send to a
// person for review when the calibrated confidence is below the predicted class's threshold).
#pragma once

#include <cstdint>
#include <vector>

namespace nfx::assess {

// softmax(logits / temperature) of n rows of `classes` logits, row-major.
std::vector<double> softmax(const std::vector<float>& logits, int classes, double temperature = 1.0);

// Mean negative log-likelihood (nats) of the true labels under softmax(logits / temperature).
double negative_log_likelihood(const std::vector<float>& logits, int classes, const std::vector<int>& labels, double temperature);

// The T in [0.05, 20] of lowest negative log-likelihood (golden-section search on log T; the NLL is convex
// in 1 / T). Throws nfx::Error when there is nothing to fit on.
double fit_temperature(const std::vector<float>& logits, int classes, const std::vector<int>& labels);

// Confidence (the top probability) in `bins` equal-width bins over [0, 1]: the mean over items of
// |accuracy of its bin - mean confidence of its bin|, each bin weighted by its share of the items.
double expected_calibration_error(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels, int bins = 15);

// Per-class review thresholds fitted on the validation split: for each class, the lowest confidence t such
// that of the items predicted as that class with confidence >= t, at most `max_error` are wrong (the most
// items the class can pass without a person at that error). kReviewAll for a class no validation item is
// predicted as, or whose most confident item is already wrong.
constexpr double kReviewAll = 2.0;  // above any confidence (which can round to exactly 1): all to review
std::vector<double> review_thresholds(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels,
                                      double max_error);

// The grading trade-off for one global confidence threshold: the share of items below it (sent to
// review) and the error among the others (decided without a person; 0 when none is).
struct ReviewPoint {
  double threshold = 0, review = 0, error = 0;
};
std::vector<ReviewPoint> review_curve(const std::vector<double>& probabilities, int classes, const std::vector<int>& labels,
                                      const std::vector<double>& thresholds);

enum class Decision { accept, reject, review };
const char* decision_name(Decision decision);  // "accept", "reject", "review"

// The predicted class (highest probability) decides accept or reject as `accepted` says for it, when its
// probability reaches `thresholds` for it; below, the item goes to review.
Decision decide(const double* probabilities, int classes, const std::vector<double>& thresholds, const std::vector<bool>& accepted);

}  // namespace nfx::assess
