// Where to paste a synthetic object: a random place inside the image that keeps a gap to the objects
// already pasted.
#pragma once

#include "boxes.hpp"

#include <optional>
#include <random>

namespace nfx::privacy {

// A few random tries; none when the image is too crowded or too small for `size`.
inline std::optional<cv::Rect2f> free_place(cv::Size image, cv::Size size, const Detections& taken, std::mt19937& rng) {
  if (size.width > image.width || size.height > image.height) return std::nullopt;
  for (int attempt = 0; attempt < 50; ++attempt) {
    const cv::Rect2f box(static_cast<float>(std::uniform_int_distribution<int>(0, image.width - size.width)(rng)),
                         static_cast<float>(std::uniform_int_distribution<int>(0, image.height - size.height)(rng)),
                         static_cast<float>(size.width), static_cast<float>(size.height));
    const cv::Rect2f with_gap(box.x - 8, box.y - 8, box.width + 16, box.height + 16);
    bool free = true;
    for (const Detection& t : taken) free = free && (t.box & with_gap).area() <= 0.0f;
    if (free) return box;
  }
  return std::nullopt;
}

}  // namespace nfx::privacy
