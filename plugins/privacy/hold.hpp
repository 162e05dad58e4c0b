// Holding detections over video frames: a box stays for `frames` frames after the detector last saw it.
#pragma once

#include "boxes.hpp"

namespace nfx::privacy {

class BoxHolder {
 public:
  BoxHolder(int64_t frames, float match_iou) : frames_(frames), match_iou_(match_iou) {}

  // This frame's detections plus the held ones. Frames come in increasing order. A detection replaces the
  // held box of its class it overlaps most (IoU at least match_iou); the others start new boxes.
  Detections update(int64_t frame, const Detections& detections);

 private:
  struct Track {
    Detection detection;  // as last seen
    int64_t last_seen;
  };
  int64_t frames_;
  float match_iou_;
  std::vector<Track> tracks_;
};

}  // namespace nfx::privacy
