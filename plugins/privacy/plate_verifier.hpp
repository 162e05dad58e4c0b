// A check that a plate candidate holds a line of characters: a plate detector trained on plate-shaped
// patches also fires on stair rails, stripes and text-free textures, which hold no such line.
#pragma once

#include <opencv2/core.hpp>

namespace nfx::privacy {

struct PlateCheck {
  int min_characters = 4;  // characters a plate's line must have (plates carry 5 to 8; blur merges some)
};

// Whether the gray image `candidate` (the plate box, a little margin allowed) holds at least
// `min_characters` character-like blobs in one row, dark on light or light on dark: each blob 25-95% of
// the box height, narrower than tall, its centre on the row's line and its height within 30% of the others.
bool looks_like_plate(const cv::Mat& candidate, const PlateCheck& check = {});

}  // namespace nfx::privacy
