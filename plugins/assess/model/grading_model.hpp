// What assess.train hands to the grading line: the classifier with its class names and input, the
// temperature fitted on the validation split, each class's review threshold, and which classes are
// accepted (the others, the defects, rejected). One file, written atomically; a truncated or foreign file
// is refused with its name.
#pragma once

#include "model/calibration.hpp"
#include "model/classifier.hpp"

#include <string>
#include <vector>

namespace nfx::assess {

struct GradingModel {
  std::vector<std::string> classes;
  int64_t size = 28, channels = 1;
  double temperature = 1;
  std::vector<double> thresholds;  // per class: below it, the item goes to review
  std::vector<bool> accepted;      // per class
  CompactCnn classifier{nullptr};

  // Calibrated probabilities (N x classes, float64) of `images` (N x C x S x S uint8).
  torch::Tensor probabilities(const torch::Tensor& images);
};

void save_grading_model(const GradingModel& model, const std::string& path);
// Throws nfx::training::CheckpointError naming the file for a missing, truncated or foreign file, or one
// whose fields do not agree (thresholds for another number of classes).
GradingModel load_grading_model(const std::string& path);

}  // namespace nfx::assess
