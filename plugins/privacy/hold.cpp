#include "hold.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

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
  // Every detection-track pair of one class within the gate, nearest first.
  std::vector<std::tuple<float, size_t, size_t>> pairs;  // distance in detection sizes, detection, track
  for (size_t d = 0; d < detections.size(); ++d) {
    const cv::Rect2f& box = detections[d].box;
    const float size = std::max(1.0f, (box.width + box.height) / 2);
    for (size_t t = 0; t < tracks_.size(); ++t) {
      if (tracks_[t].detection.label != detections[d].label) continue;
      const cv::Point2f gap = centre(predicted(tracks_[t], frame)) - centre(box);
      const float distance = std::hypot(gap.x, gap.y) / size;
      if (distance <= match_distance_) pairs.emplace_back(distance, d, t);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<bool> detection_taken(detections.size(), false), track_taken(tracks_.size(), false);
  for (const auto& [distance, d, t] : pairs) {
    if (detection_taken[d] || track_taken[t]) continue;
    detection_taken[d] = track_taken[t] = true;
    Track& track = tracks_[t];
    const cv::Point2f moved =
        (centre(detections[d].box) - centre(track.detection.box)) / static_cast<float>(frame - track.last_seen);
    track.velocity = track.moved ? track.velocity * (1 - kVelocityWeight) + moved * kVelocityWeight : moved;
    track.moved = true;
    track.detection = detections[d];
    track.last_seen = frame;
  }
  for (size_t d = 0; d < detections.size(); ++d) {
    if (!detection_taken[d]) tracks_.push_back(Track{detections[d], frame, {0, 0}});
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
