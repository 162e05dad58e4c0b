#include "hold.hpp"

namespace nfx::privacy {

Detections BoxHolder::update(int64_t frame, const Detections& detections) {
  for (const Detection& d : detections) {
    Track* best = nullptr;
    float best_iou = match_iou_;
    for (Track& t : tracks_) {
      // A box already updated this frame belongs to another detection.
      const float overlap = t.detection.label == d.label && t.last_seen != frame ? iou(t.detection.box, d.box) : 0.0f;
      if (overlap >= best_iou && overlap > 0.0f) {
        best = &t;
        best_iou = overlap;
      }
    }
    if (best != nullptr) *best = Track{d, frame};
    else tracks_.push_back(Track{d, frame});
  }
  Detections out;
  std::vector<Track> alive;
  for (const Track& t : tracks_) {
    if (frame - t.last_seen > frames_) continue;
    out.push_back(t.detection);
    alive.push_back(t);
  }
  tracks_ = std::move(alive);
  return out;
}

}  // namespace nfx::privacy
