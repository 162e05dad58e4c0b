// Holding detections over video frames, as a light SORT-style tracker: each object is a track that
// remembers its box and its velocity; a detection joins the track whose predicted box lies nearest to it,
// and a track the detector misses is shown where its velocity carries it, for `frames` frames after it
// was last seen.
#pragma once

#include "boxes.hpp"

namespace nfx::privacy {

class BoxHolder {
 public:
  BoxHolder(int64_t frames, float match_distance) : frames_(frames), match_distance_(match_distance) {}

  // This frame's detections plus the held ones (at their predicted places). Frames come in increasing
  // order. Detections and tracks of one class are paired nearest first: a detection joins a track whose
  // predicted centre lies within match_distance times the detection's size (the mean of its sides) of its
  // own centre. Distance rather than overlap, so that a small head seen only every few frames, which has
  // walked further than its own width since, still joins its track. The others start new tracks.
  Detections update(int64_t frame, const Detections& detections);

 private:
  struct Track {
    Detection detection;  // as last seen
    int64_t last_seen;
    cv::Point2f velocity;  // pixels per frame, of the box's centre
    bool moved = false;    // velocity measured (seen twice)
  };
  // Where the track's box is expected in `frame`.
  static cv::Rect2f predicted(const Track& track, int64_t frame);

  int64_t frames_;
  float match_distance_;
  std::vector<Track> tracks_;
};

}  // namespace nfx::privacy
