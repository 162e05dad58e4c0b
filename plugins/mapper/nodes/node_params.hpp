// What the mapper's nodes read and check alike: lists joined by commas, a model file whose errors belong to
// the parameter that names it, and a block's band count against the model's.
#pragma once

#include "model/mapper_model.hpp"
#include "nodes/raster_features.hpp"

#include <nfx/nfx.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace nfx::mapper {

// "a, b ,c" -> {"a", "b", "c"}; empty items are dropped, so "" is no item.
inline std::vector<std::string> comma_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');) {
    const size_t first = item.find_first_not_of(' ');
    if (first == std::string::npos) continue;
    items.push_back(item.substr(first, item.find_last_not_of(' ') - first + 1));
  }
  return items;
}

// The model at `path`; a missing, truncated or foreign file is an error at the line of `param`.
inline MapperModel load_model(const std::string& path, const std::string& param) {
  try {
    return MapperModel::load(path);
  } catch (const nfx::Error& e) {
    throw nfx::ParamError(param, e.what(), NFX_ERR_IO);
  }
}

// A block must have the bands `model` was trained on (and `extra` more, such as a reference map): another
// count is an error at the `model` line naming both files and the model's bands.
inline void check_bands(const BlockFeatures& block, const MapperModel& model, const std::string& model_path, int64_t extra) {
  if (block.bands() == model.bands() + extra) return;
  std::string names;
  for (const std::string& b : model.spec().band_names) names += (names.empty() ? "" : ", ") + b;
  throw nfx::ParamError("model", block.geo().source + " has " + std::to_string(block.bands()) + " band(s), but " + model_path +
                                     " was trained on " + std::to_string(model.bands()) + " (" + names + ")" +
                                     (extra > 0 ? " and " + std::to_string(extra) + " more band(s) are expected after them" : ""));
}

}  // namespace nfx::mapper
