#include "boxes.hpp"

#include <algorithm>

namespace nfx::privacy {

const char* label_name(int label) {
  switch (label) {
    case face: return "face";
    case plate: return "plate";
    default: return "unknown";
  }
}

int label_from_name(const std::string& name) {
  if (name == "face") return face;
  if (name == "plate") return plate;
  throw nfx::Error("unknown class \"" + name + "\" (expected face or plate)");
}

float iou(const cv::Rect2f& a, const cv::Rect2f& b) {
  const float inter = (a & b).area();
  const float uni = a.area() + b.area() - inter;
  return uni > 0.0f ? inter / uni : 0.0f;
}

Detections non_max_suppression(Detections detections, float iou_threshold) {
  std::stable_sort(detections.begin(), detections.end(),
                   [](const Detection& a, const Detection& b) { return a.score > b.score; });
  Detections kept;
  for (const Detection& d : detections) {
    const bool overlaps = std::any_of(kept.begin(), kept.end(), [&](const Detection& k) {
      return k.label == d.label && iou(k.box, d.box) > iou_threshold;
    });
    if (!overlaps) kept.push_back(d);
  }
  return kept;
}

void scale_boxes(Detections& detections, const std::array<float, kLabelCount>& scale_by_class, cv::Size image) {
  const cv::Rect2f bounds(0.0f, 0.0f, static_cast<float>(image.width), static_cast<float>(image.height));
  for (Detection& d : detections) {
    const float scale = scale_by_class.at(static_cast<size_t>(d.label));
    const float w = d.box.width * scale, h = d.box.height * scale;
    const float cx = d.box.x + d.box.width / 2, cy = d.box.y + d.box.height / 2;
    d.box = cv::Rect2f(cx - w / 2, cy - h / 2, w, h) & bounds;
  }
}

nfx::Tensor boxes_tensor(const Detections& detections) {
  nfx::Tensor t(nfx::dtype_f32(), {static_cast<int64_t>(detections.size()), 6});
  float* row = t.data<float>();
  for (const Detection& d : detections) {
    row[0] = d.box.x;
    row[1] = d.box.y;
    row[2] = d.box.width;
    row[3] = d.box.height;
    row[4] = d.score;
    row[5] = static_cast<float>(d.label);
    row += 6;
  }
  return t;
}

Detections read_boxes(const DLTensor& boxes, int default_label) {
  const bool f32 = boxes.dtype.code == kDLFloat && boxes.dtype.bits == 32;
  if (!f32 || boxes.ndim != 2 || (boxes.shape[1] != 5 && boxes.shape[1] != 6) || !nfx::is_compact(boxes)) {
    throw nfx::Error("boxes must be an N x 5 or N x 6 float32 tensor (x, y, width, height, score[, class])");
  }
  const int64_t n = boxes.shape[0], columns = boxes.shape[1];
  const float* row = nfx::data_ptr<float>(boxes);
  Detections detections;
  for (int64_t i = 0; i < n; ++i, row += columns) {
    const int label = columns == 6 ? static_cast<int>(row[5]) : default_label;
    if (label < 0 || label >= kLabelCount) {
      throw nfx::Error("box " + std::to_string(i) + " has class " + std::to_string(row[5]) + " (expected 0 face or 1 plate)");
    }
    detections.push_back({cv::Rect2f(row[0], row[1], row[2], row[3]), row[4], label});
  }
  return detections;
}

}  // namespace nfx::privacy
