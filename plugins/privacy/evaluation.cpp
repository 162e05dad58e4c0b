#include "evaluation.hpp"

#include "scrub.hpp"

#include <algorithm>
#include <cstdio>

namespace nfx::privacy {

namespace {

bool found_by_any(const Detection& truth, const Detections& detections, const EvaluationOptions& options) {
  for (const Detection& d : detections) {
    if (finds(d, truth, options)) return true;
  }
  return false;
}

}  // namespace

bool finds(const Detection& detection, const Detection& truth, const EvaluationOptions& options) {
  const float area = truth.box.area();
  return detection.label == truth.label && area > 0.0f &&
         (detection.box & truth.box).area() >= options.match_cover * area &&
         detection.box.area() <= options.max_size_ratio * area;
}

double covered_fraction(const cv::Mat& mask, const Detection& truth) {
  const cv::Mat shape = shape_mask(mask.size(), {truth});
  const int total = cv::countNonZero(shape);
  if (total == 0) return 0.0;
  cv::Mat both;
  cv::bitwise_and(shape, mask, both);
  return static_cast<double>(cv::countNonZero(both)) / total;
}

void Evaluation::add(const Detections& truth, const Detections& detected, const cv::Mat& mask,
                     const Detections& redetected) {
  ++images_;
  for (const Detection& t : truth) {
    ClassScore& s = scores_.at(t.label);
    ++s.truths;
    if (found_by_any(t, detected, options_)) ++s.detected;
    const bool covered = covered_fraction(mask, t) >= options_.coverage;
    if (covered) ++s.covered;
    if (covered && !found_by_any(t, redetected, options_)) ++s.removed;
  }
  for (const Detection& d : detected) {
    const bool true_positive =
        std::any_of(truth.begin(), truth.end(), [&](const Detection& t) { return finds(d, t, options_); });
    if (!true_positive) ++scores_.at(d.label).false_positives;
  }
}

std::string Evaluation::table() const {
  std::string out = "| class | true boxes | recall | removal success | false positives per image |\n"
                    "|---|---|---|---|---|\n";
  for (int label = 0; label < kLabelCount; ++label) {
    const ClassScore& s = scores_[label];
    if (s.truths == 0 && s.false_positives == 0) continue;
    auto share = [&](int64_t n) { return s.truths > 0 ? 100.0 * n / s.truths : 0.0; };
    char row[200];
    std::snprintf(row, sizeof row, "| %s | %lld | %.1f%% | %.1f%% | %.3f |\n", label_name(label),
                  static_cast<long long>(s.truths), share(s.detected), share(s.removed),
                  images_ > 0 ? static_cast<double>(s.false_positives) / images_ : 0.0);
    out += row;
  }
  return out;
}

}  // namespace nfx::privacy
