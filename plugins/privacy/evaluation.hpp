// Scoring anonymization against ground truth, per class:
// - recall: the share of true boxes that a detection of the same class finds;
// - removal success: the share of true boxes whose shape (the ellipse inscribed in a face's box, a
//   plate's rectangle: what scrub paints) the scrub mask covers for at least `coverage` of its pixels,
//   AND that no detection finds when the detector runs again on the scrubbed image;
// - false positives per image: detections that find no true box of their class.
// A detection finds a true box of its class when it covers at least `match_cover` of the box and is at
// most `max_size_ratio` times its area. Coverage rather than IoU, because detect grows its boxes by a
// margin and the plate cascade's boxes are taller than a plate: what matters here is being covered.
#pragma once

#include "boxes.hpp"

#include <array>
#include <string>

namespace nfx::privacy {

struct EvaluationOptions {
  float match_cover = 0.5f;
  float max_size_ratio = 10.0f;
  float coverage = 0.8f;
};

struct ClassScore {
  int64_t truths = 0, detected = 0, covered = 0, removed = 0, false_positives = 0;
};

class Evaluation {
 public:
  explicit Evaluation(EvaluationOptions options) : options_(options) {}

  // One image: its true boxes, the detections, the scrub mask (CV_8U, 255 = painted) and the detections
  // on the scrubbed image.
  void add(const Detections& truth, const Detections& detected, const cv::Mat& mask, const Detections& redetected);

  int64_t images() const { return images_; }
  const ClassScore& score(int label) const { return scores_.at(label); }
  // A Markdown table: class, true boxes, recall, removal success, false positives per image.
  std::string table() const;

 private:
  EvaluationOptions options_;
  int64_t images_ = 0;
  std::array<ClassScore, kLabelCount> scores_{};
};

// Whether `detection` finds `truth` (same class, covers match_cover of it, at most max_size_ratio its area).
bool finds(const Detection& detection, const Detection& truth, const EvaluationOptions& options);

// The share of the detection's shape (as scrub paints it, inside the image) where mask is non-zero.
double covered_fraction(const cv::Mat& mask, const Detection& truth);

}  // namespace nfx::privacy
