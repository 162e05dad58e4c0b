#include "model_zoo.hpp"

#include <nfx/data_dir.hpp>
#include <nfx/nfx.hpp>

#include <filesystem>

namespace nfx::sr {

namespace {

struct Known {
  const char* name;
  double input_range;  // RDN packages take 0-255, the RRDN one 0-1 (UpscalerJS's model definitions)
};
constexpr Known kKnown[] = {{"esrgan-slim", 255}, {"esrgan-medium", 255}, {"esrgan-thick", 1}};

}  // namespace

bool is_zoo_name(const std::string& name) {
  for (const Known& k : kKnown) {
    if (name == k.name) return true;
  }
  return false;
}

ZooModel find_zoo_model(const std::string& name, int scale, const std::string& models_dir) {
  for (const Known& k : kKnown) {
    if (name != k.name) continue;
    if (scale != 2 && scale != 3 && scale != 4 && scale != 8) {
      throw nfx::Error(name + " comes at scale 2, 3, 4 or 8, not " + std::to_string(scale));
    }
    const std::string dir = models_dir.empty() ? nfx::default_data_dir() + "/sr" : models_dir;
    const std::string file = dir + "/" + name + "/models/x" + std::to_string(scale) + "/model.json";
    if (!std::filesystem::exists(file)) {
      throw nfx::Error(name + " x" + std::to_string(scale) + " is not at " + file +
                       ": scripts/fetch-data.sh fetches it (npm package @upscalerjs/" + name + " 1.0.0)");
    }
    return ZooModel{file, k.input_range};
  }
  throw nfx::Error("unknown model '" + name + "': expected bicubic, esrgan-slim, esrgan-medium, esrgan-thick or "
                   "the path of a TensorFlow.js model.json");
}

}  // namespace nfx::sr
