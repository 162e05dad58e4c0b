// Holding detections over video frames, as a light SORT-style tracker: each object is a track that
// remembers its box and its velocity; a detection joins the track whose predicted box it overlaps most,
// and a track the detector misses is shown where its velocity carries it, for `frames` frames after it
// was last seen.
#pragma once

#include "boxes.hpp"

namespace nfx::privacy {

class BoxHolder {
 public:
  BoxHolder(int64_t frames, float match_iou) : frames_(frames), match_iou_(match_iou) {}

  // This frame's detections plus the held ones (at their predicted places). Frames come in increasing
  // order. A detection joins the track of its class whose predicted box it overlaps most (IoU at least
  // match_iou); the others start new tracks.
  Detections update(int64_t frame, const Detections& detections);

 private:
  struct Track {
    Detection detection;  // as last seen
    int64_t last_seen;
    cv::Point2f velocity;  // pixels per frame, of the box's centre
  };
  // Where the track's box is expected in `frame`.
  static cv::Rect2f predicted(const Track& track, int64_t frame);

  int64_t frames_;
  float match_iou_;
  std::vector<Track> tracks_;
};

}  // namespace nfx::privacy
