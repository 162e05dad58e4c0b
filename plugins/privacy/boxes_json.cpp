#include "boxes_json.hpp"

namespace nfx::privacy {

nlohmann::json boxes_to_json(const Detections& detections) {
  nlohmann::json boxes = nlohmann::json::array();
  for (const Detection& d : detections) {
    boxes.push_back({{"class", label_name(d.label)},
                     {"score", d.score},
                     {"x", d.box.x},
                     {"y", d.box.y},
                     {"width", d.box.width},
                     {"height", d.box.height}});
  }
  return boxes;
}

Detections boxes_from_json(const nlohmann::json& boxes) {
  Detections detections;
  for (const nlohmann::json& b : boxes) {
    detections.push_back({cv::Rect2f(b.at("x").get<float>(), b.at("y").get<float>(), b.at("width").get<float>(),
                                     b.at("height").get<float>()),
                          b.value("score", 1.0f), label_from_name(b.at("class").get<std::string>())});
  }
  return detections;
}

}  // namespace nfx::privacy
