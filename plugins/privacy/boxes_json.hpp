// Boxes as JSON, the format privacy.sidecar writes and privacy.read_boxes reads:
// [{"class": "face", "score": 0.8, "x": .., "y": .., "width": .., "height": ..}, ...]
#pragma once

#include "boxes.hpp"

#include <nlohmann/json.hpp>

namespace nfx::privacy {

nlohmann::json boxes_to_json(const Detections& detections);

// Throws nlohmann::json::exception for a missing or mistyped field, nfx::Error for an unknown class.
// "score" may be left out (1).
Detections boxes_from_json(const nlohmann::json& boxes);

}  // namespace nfx::privacy
