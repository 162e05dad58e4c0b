// The detectors privacy.detect runs. Each takes a frame (8-bit grayscale, and RGB for detectors that ask
// for colour) and returns boxes in its pixels. detect() is const and safe to call from several threads
// at once: the OpenCV and dlib objects that are not are kept one per calling thread.
#pragma once

#include "boxes.hpp"

#include <memory>
#include <string>
#include <vector>

namespace nfx::privacy {

struct Frame {
  cv::Mat gray;
  cv::Mat rgb;  // set only when some detector's needs_color() is true
};

class Detector {
 public:
  virtual ~Detector() = default;
  virtual Detections detect(const Frame& frame) const = 0;
  virtual bool needs_color() const { return false; }
};

// An OpenCV Haar or LBP cascade from an XML file. Score: the number of neighbouring raw detections that
// were merged into the box, kept when at least `min_neighbors`. Throws nfx::Error naming a missing or
// unreadable file.
struct CascadeOptions {
  std::string path;
  int label = face;
  double scale_factor = 1.1;
  int min_neighbors = 3;
  cv::Size min_size;
};
std::unique_ptr<Detector> make_cascade_detector(const CascadeOptions& options);

// A user-supplied ONNX detector run through OpenCV DNN: the RGB frame is letterboxed (scaled to fit,
// padded with gray 114) into `input`, scaled to [0, 1], and the output decoded as
// - "yolov8": 1 x (4 + C) x N, rows cx, cy, w, h and C class scores;
// - "yolov5": 1 x N x (5 + C), columns cx, cy, w, h, objectness and C class scores (score = objectness
//   x class score);
// all in input pixels. Class i becomes labels[i] (-1: ignored). Boxes scoring at least `score` are kept.
// Throws nfx::Error naming a missing or unreadable model file.
struct OnnxOptions {
  std::string path;
  cv::Size input{640, 640};
  std::string format = "yolov8";
  float score = 0.25f;
  std::vector<int> labels{plate};
};
std::unique_ptr<Detector> make_onnx_detector(const OnnxOptions& options);

// MediaPipe's BlazeFace (blazeface.hpp): faces, each box grown from its keypoints to the whole head.
struct BlazeFaceOptions;
std::unique_ptr<Detector> make_blazeface_detector(const BlazeFaceOptions& options);

// Walkers whose faces are too small or turned away: OpenCV's HOG people detector (Dalal and Triggs, built
// into OpenCV) on the frame enlarged by `upsample` (people from about 128 / upsample px tall), each person
// given as the box of their head (class face). Scores are the SVM's; people below `threshold` are dropped.
struct PeopleOptions {
  double upsample = 2.0;
  double threshold = 0.5;
  double scale_step = 1.05;  // between searched sizes: the search costs about 1 / (1 - 1 / step^2) frames
};
std::unique_ptr<Detector> make_people_detector(const PeopleOptions& options);

// The head of a person in a box of the people detector.
cv::Rect2f head_of_person(const cv::Rect2f& person);

}  // namespace nfx::privacy
