// Detections: boxes with a class and a score, how they travel between nodes (an N x 6 float32 tensor:
// x, y, width, height, score, class) and the box arithmetic every privacy node shares.
#pragma once

#include <nfx/nfx.hpp>

#include <opencv2/core.hpp>

#include <array>
#include <string>
#include <vector>

namespace nfx::privacy {

// Classes, as stored in the sixth column.
enum Label : int { face = 0, plate = 1 };
constexpr int kLabelCount = 2;
const char* label_name(int label);
// "face" or "plate" to its label; throws nfx::Error otherwise.
int label_from_name(const std::string& name);

struct Detection {
  cv::Rect2f box;
  float score = 0.0f;
  int label = face;
};
using Detections = std::vector<Detection>;

float iou(const cv::Rect2f& a, const cv::Rect2f& b);

// Greedy non-maximum suppression within each class: the best-scoring box stays, and every box of the
// same class that overlaps a kept one by more than `iou_threshold` goes. Sorted by score, best first.
Detections non_max_suppression(Detections detections, float iou_threshold);

// Grows each box about its centre by its class's factor (1.3 = 30% wider and taller) and clips it to the
// image.
void scale_boxes(Detections& detections, const std::array<float, kLabelCount>& scale_by_class, cv::Size image);

// The boxes port: N x 6 float32 rows (x, y, width, height, score, class). Reading also takes the SDK's
// plain N x 5 boxes, with `default_label` as their class.
nfx::Tensor boxes_tensor(const Detections& detections);
Detections read_boxes(const DLTensor& boxes, int default_label = face);

}  // namespace nfx::privacy
