// What the mapper's nodes read from their parameters alike: lists joined by commas, and a model file whose
// errors belong to the parameter that names it.
#pragma once

#include "model/mapper_model.hpp"

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

}  // namespace nfx::mapper
