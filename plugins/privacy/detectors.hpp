// The detectors privacy.detect runs. Each takes an 8-bit grayscale image and returns boxes in its
// pixels. detect() is const and safe to call from several threads at once: the OpenCV and dlib objects,
// which are not, are kept one per calling thread.
#pragma once

#include "boxes.hpp"

#include <memory>
#include <string>

namespace nfx::privacy {

class Detector {
 public:
  virtual ~Detector() = default;
  virtual Detections detect(const cv::Mat& gray) const = 0;
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

}  // namespace nfx::privacy
