// The assess plugin's pictures, drawn with OpenCV and written atomically as PNG: the GAN's samples (a row
// per class), the confusion matrix, and the review curve (error among decided items against the share
// sent to a person).
#pragma once

#include <torch/types.h>

#include <string>
#include <utility>
#include <vector>

namespace nfx::assess {

// `samples` classes x count x C x S x S (uint8): one row per class, its name on the left.
void write_sample_grid(const std::string& path, const torch::Tensor& samples, const std::vector<std::string>& classes);

// `confusion` classes x classes counts (rows: true class, columns: predicted), cells shaded by the share of
// their row, with the counts written in.
void write_confusion_png(const std::string& path, const torch::Tensor& confusion, const std::vector<std::string>& classes);

// Points (share sent to review, error among the items decided without a person), both 0..1, by rising
// threshold; the model's own operating point marked.
void write_review_curve_png(const std::string& path, const std::vector<std::pair<double, double>>& points,
                            std::pair<double, double> chosen);

}  // namespace nfx::assess
