#include "hold.hpp"

namespace nfx::privacy {

namespace {

cv::Point2f centre(const cv::Rect2f& r) { return {r.x + r.width / 2, r.y + r.height / 2}; }

// Velocities are smoothed over the matches, so one jittery detection does not throw a held box off.
constexpr float kVelocityWeight = 0.5f;

}  // namespace

cv::Rect2f BoxHolder::predicted(const Track& track, int64_t frame) {
  const cv::Point2f shift = track.velocity * static_cast<float>(frame - track.last_seen);
  return track.detection.box + cv::Point2f(shift);
}

Detections BoxHolder::update(int64_t frame, const Detections& detections) {
  for (const Detection& d : detections) {
    Track* best = nullptr;
    float best_iou = match_iou_;
    for (Track& t : tracks_) {
      // A track already updated this frame belongs to another detection.
      const float overlap = t.detection.label == d.label && t.last_seen != frame ? iou(predicted(t, frame), d.box) : 0.0f;
      if (overlap >= best_iou && overlap > 0.0f) {
        best = &t;
        best_iou = overlap;
      }
    }
    if (best == nullptr) {
      tracks_.push_back(Track{d, frame, {0, 0}});
      continue;
    }
    const cv::Point2f moved = (centre(d.box) - centre(best->detection.box)) / static_cast<float>(frame - best->last_seen);
    best->velocity = best->velocity * (1 - kVelocityWeight) + moved * kVelocityWeight;
    best->detection = d;
    best->last_seen = frame;
  }
  Detections out;
  std::vector<Track> alive;
  for (const Track& t : tracks_) {
    if (frame - t.last_seen > frames_) continue;
    Detection shown = t.detection;
    shown.box = predicted(t, frame);
    out.push_back(shown);
    alive.push_back(t);
  }
  tracks_ = std::move(alive);
  return out;
}

}  // namespace nfx::privacy
