#include "blazeface.hpp"

#include <algorithm>
#include <cmath>

namespace nfx::privacy {

namespace {

void decode_grid(const float* scores, const float* boxes, int cells, int anchors, float side, float min_score,
                 std::vector<FaceFound>& out) {
  for (int row = 0; row < cells; ++row) {
    for (int column = 0; column < cells; ++column) {
      const cv::Point2f anchor((column + 0.5f) / cells, (row + 0.5f) / cells);
      for (int a = 0; a < anchors; ++a) {
        const int i = (row * cells + column) * anchors + a;
        const float score = 1.0f / (1.0f + std::exp(-scores[i]));
        if (score < min_score) continue;
        const float* r = boxes + i * 16;
        FaceFound face;
        face.score = score;
        const cv::Point2f centre = anchor + cv::Point2f(r[0], r[1]) / side;
        const cv::Size2f size(r[2] / side, r[3] / side);
        face.box = cv::Rect2f(centre.x - size.width / 2, centre.y - size.height / 2, size.width, size.height);
        for (int k = 0; k < 6; ++k) face.points[k] = anchor + cv::Point2f(r[4 + 2 * k], r[5 + 2 * k]) / side;
        out.push_back(face);
      }
    }
  }
}

}  // namespace

std::vector<FaceFound> decode_blazeface(const BlazeFaceRaw& raw, float input_side, float min_score) {
  std::vector<FaceFound> faces;
  decode_grid(raw.scores16, raw.boxes16, 16, 2, input_side, min_score, faces);
  decode_grid(raw.scores8, raw.boxes8, 8, 6, input_side, min_score, faces);
  return faces;
}

cv::Rect2f head_box(const FaceFound& face) {
  const cv::Point2f right_eye = face.points[0], left_eye = face.points[1], mouth = face.points[3];
  // The face's own axes: x along the eye line (towards the subject's left eye as seen), y down the face.
  cv::Point2f x_axis = left_eye - right_eye;
  const float eyes = std::hypot(x_axis.x, x_axis.y);
  x_axis = eyes > 0 ? x_axis / eyes : cv::Point2f(1, 0);
  if (x_axis.x < 0) x_axis = -x_axis;  // a face upside down is rare; keep the box's own orientation
  const cv::Point2f y_axis(-x_axis.y, x_axis.x);
  // Scale: the larger of the box and the eye-mouth distance (in profile the eyes close up, the box does not).
  const cv::Point2f eyes_centre = (right_eye + left_eye) / 2;
  const float scale = std::max({face.box.width, face.box.height, 2.2f * static_cast<float>(cv::norm(mouth - eyes_centre))});
  const cv::Point2f centre(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2);
  // The head about the face box's centre, in face sizes: hair up to 1.2 above it, the chin about 0.45 below
  // (0.65 with a margin), and 0.8 to either side (ears, the far cheek of a turned face). Measured on the
  // astronaut labelled by hand (tests/plugins/privacy/blazeface_test.cpp).
  const float left = -0.8f * scale, right = 0.8f * scale, top = -1.2f * scale, bottom = 0.65f * scale;
  float x0 = 1e9f, y0 = 1e9f, x1 = -1e9f, y1 = -1e9f;
  for (const float u : {left, right}) {
    for (const float v : {top, bottom}) {
      const cv::Point2f p = centre + x_axis * u + y_axis * v;
      x0 = std::min(x0, p.x), y0 = std::min(y0, p.y), x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
    }
  }
  return cv::Rect2f(x0, y0, x1 - x0, y1 - y0);
}

}  // namespace nfx::privacy
