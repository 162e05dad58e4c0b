// A small TF.js layers model written for tests of the model readers (hostile_models_test, model_files_test).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace nfx::test {

// A TF.js layers model: input -> Conv2D (3x3, `filters`, 'same') -> UpSampling2D(`up`), weights of float32
// `value` in one shard. Returns model.json's path.
inline std::string write_tfjs(const std::filesystem::path& dir, int filters = 3, int up = 2, float value = 0.01f) {
  using json = nlohmann::json;
  const json layers = json::array({
      {{"class_name", "InputLayer"}, {"name", "in"}, {"config", json::object()}, {"inbound_nodes", json::array()}},
      {{"class_name", "Conv2D"}, {"name", "conv"}, {"config", {{"padding", "same"}, {"activation", "linear"}}},
       {"inbound_nodes", json::array({json::array({json::array({"in", 0, 0, json::object()})})})}},
      {{"class_name", "UpSampling2D"}, {"name", "up"}, {"config", {{"size", {up, up}}}},
       {"inbound_nodes", json::array({json::array({json::array({"conv", 0, 0, json::object()})})})}},
  });
  const json weights = json::array({{{"name", "conv/kernel"}, {"shape", {3, 3, 3, filters}}, {"dtype", "float32"}},
                                    {{"name", "conv/bias"}, {"shape", {filters}}, {"dtype", "float32"}}});
  const json model = {{"format", "layers-model"},
                      {"modelTopology", {{"model_config", {{"config", {{"layers", layers}, {"output_layers", {{"up", 0, 0}}}}}}}}},
                      {"weightsManifest", json::array({{{"paths", {"shard.bin"}}, {"weights", weights}}})}};
  std::ofstream(dir / "model.json") << model.dump();
  const std::vector<float> values(static_cast<size_t>(27 * filters + filters), value);
  std::ofstream(dir / "shard.bin", std::ios::binary).write(reinterpret_cast<const char*>(values.data()),
                                                           static_cast<std::streamsize>(values.size() * sizeof(float)));
  return (dir / "model.json").string();
}

// The model.json of `file` as JSON, changed by `edit`, written back.
template <class Edit>
void edit_tfjs(const std::string& file, Edit edit) {
  nlohmann::json model = nlohmann::json::parse(std::ifstream(file));
  edit(model);
  std::ofstream(file) << model.dump();
}

inline nlohmann::json& tfjs_layer(nlohmann::json& model, int i) { return model["modelTopology"]["model_config"]["config"]["layers"][i]; }

}  // namespace nfx::test
