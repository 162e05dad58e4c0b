#include <nfx/models/tfjs_graph.hpp>

#include <nfx/base.hpp>
#include <nfx/models/model_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>

namespace nfx::models {

namespace {

using json = nlohmann::json;

// Bounds that no real network comes near, checked before anything is allocated.
constexpr int64_t kMaxDimension = 1 << 16, kMaxWeightCount = int64_t{1} << 31, kMaxScale = 16;

// Shapes and names come from a file: every lookup says which file and which layer when it fails.
struct Reader {
  std::string file;
  [[noreturn]] void fail(const std::string& what) const { throw nfx::Error(file + ": " + what); }
  const json& at(const json& j, const char* key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + ": no '" + key + "'");
    return j.at(key);
  }
};

// A whole number from the file: the JSON library would convert a fraction or 1e62 to an integer (the
// latter undefined); larger unsigned values are clamped (every bound is far below).
int64_t whole_number(const Reader& r, const json& value, const std::string& where) {
  if (!value.is_number_integer()) r.fail(where + ": " + value.dump().substr(0, 40) + " is not a whole number");
  if (value.is_number_unsigned()) return static_cast<int64_t>(std::min<uint64_t>(value.get<uint64_t>(), INT64_MAX));
  return value.get<int64_t>();
}

std::vector<int64_t> shape_of(const Reader& r, const json& j, const std::string& where) {
  if (!j.is_array()) r.fail(where + ": a shape is a list of whole numbers");
  std::vector<int64_t> shape;
  for (const json& d : j) shape.push_back(whole_number(r, d, where));
  return shape;
}

// The number of values of a weight of `shape`; each dimension and the product are bounded, so nothing wraps.
int64_t weight_count(const Reader& r, const std::vector<int64_t>& shape, const std::string& name) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 1 || d > kMaxDimension) r.fail("weight '" + name + "': shape dimension " + std::to_string(d) + " (1 to " + std::to_string(kMaxDimension) + ")");
    count *= d;
    if (count > kMaxWeightCount) r.fail("weight '" + name + "': more than 2^31 values");
  }
  return count;
}

void read_manifest(const Reader& r, const json& manifest, TfjsGraph& graph) {
  for (const json& g : manifest) {
    TfjsWeightGroup group;
    for (const json& shard : r.at(g, "paths", "weightsManifest")) group.shards.push_back(shard.get<std::string>());
    for (const json& w : r.at(g, "weights", "weightsManifest")) {
      const std::string name = r.at(w, "name", "weight").get<std::string>();
      if (w.contains("quantization") || r.at(w, "dtype", name).get<std::string>() != "float32") {
        r.fail("weight '" + name + "' is not plain float32 (quantized models are not supported)");
      }
      TfjsWeight weight;
      weight.shape = shape_of(r, r.at(w, "shape", name), "weight '" + name + "'");
      weight.count = weight_count(r, weight.shape, name);
      weight.group = static_cast<int>(graph.groups.size());
      weight.offset = group.bytes;
      group.bytes += static_cast<size_t>(weight.count) * sizeof(float);
      if (!graph.weights.emplace(name, weight).second) r.fail("weight '" + name + "' is named twice");
    }
    graph.groups.push_back(std::move(group));
  }
}

bool relu_or_linear(const Reader& r, const std::string& activation, const std::string& layer) {
  if (activation == "relu") return true;
  if (activation != "linear") r.fail("layer '" + layer + "': activation '" + activation + "' is not supported");
  return false;
}

// A Conv2D layer's weights: a 4-d HWIO kernel, and a bias of one value per output channel.
void find_conv_weights(const Reader& r, const json& c, const TfjsGraph& graph, TfjsLayer& layer) {
  layer.kernel = layer.name + "/kernel";
  const auto kernel = graph.weights.find(layer.kernel);
  if (kernel == graph.weights.end() || kernel->second.shape.size() != 4) r.fail("layer '" + layer.name + "': no 4-d kernel weight");
  if (!c.value("use_bias", true)) return;
  layer.bias = layer.name + "/bias";
  const auto bias = graph.weights.find(layer.bias);
  if (bias == graph.weights.end() || bias->second.count != kernel->second.shape[3]) {
    r.fail("layer '" + layer.name + "': bias missing or of the wrong size");
  }
}

void read_layers(const Reader& r, const json& config, TfjsGraph& graph, std::string& where) {
  for (const json& l : r.at(config, "layers", "config")) {
    TfjsLayer layer;
    layer.name = r.at(l, "name", "layer").get<std::string>();
    where = "layer '" + layer.name + "'";
    const std::string cls = r.at(l, "class_name", layer.name).get<std::string>();
    const json& c = r.at(l, "config", layer.name);
    const json& inbound = r.at(l, "inbound_nodes", layer.name);
    if (!inbound.empty()) {
      for (const json& source : inbound.at(0)) {
        const std::string from = source.at(0).get<std::string>();
        if (!graph.index.count(from)) r.fail("layer '" + layer.name + "' reads '" + from + "', which is not defined before it");
        layer.inputs.push_back(graph.index[from]);
      }
    }
    const auto need_inputs = [&](size_t n) {
      if (n == 0 ? layer.inputs.size() < 2 : layer.inputs.size() != n) r.fail("layer '" + layer.name + "': wrong number of inputs");
    };
    if (cls == "InputLayer") {
      layer.kind = "Input";
    } else if (cls == "Conv2D") {
      need_inputs(1);
      layer.kind = cls;
      if (c.value("data_format", "channels_last") != "channels_last") r.fail("layer '" + layer.name + "': not channels_last");
      for (const char* key : {"strides", "dilation_rate"}) {
        if (c.contains(key) && shape_of(r, c.at(key), where) != std::vector<int64_t>{1, 1}) {
          r.fail("layer '" + layer.name + "': " + key + " other than 1 are not supported");
        }
      }
      find_conv_weights(r, c, graph, layer);
      layer.same_padding = c.value("padding", "valid") == "same";
      layer.relu = relu_or_linear(r, c.value("activation", "linear"), layer.name);
    } else if (cls == "Activation") {
      need_inputs(1);
      layer.kind = cls;
      layer.relu = relu_or_linear(r, c.value("activation", "linear"), layer.name);
    } else if (cls == "Add") {
      need_inputs(0);
      layer.kind = cls;
    } else if (cls == "Concatenate") {
      need_inputs(0);
      layer.kind = cls;
      const int64_t axis = c.contains("axis") ? whole_number(r, c.at("axis"), where) : -1;
      if (axis != -1 && axis != 3) r.fail("layer '" + layer.name + "': concatenation other than along channels");
    } else if (cls == "MultiplyBeta") {  // UpscalerJS's custom layer: x * beta
      need_inputs(1);
      layer.kind = cls;
      layer.factor = c.value("beta", 0.2);
    } else if (cls.rfind("PixelShuffle", 0) == 0) {  // UpscalerJS's custom layer: tf.depthToSpace(x, scale)
      need_inputs(1);
      layer.kind = "DepthToSpace";
      layer.scale = std::atoi(cls.c_str() + 12);
      if (layer.scale < 2 || layer.scale > 8) r.fail("layer '" + layer.name + "': cannot read the scale of " + cls);
    } else if (cls == "UpSampling2D") {
      need_inputs(1);
      layer.kind = cls;
      const std::vector<int64_t> size = shape_of(r, r.at(c, "size", layer.name), where);
      if (size.size() != 2 || size[0] != size[1] || c.value("interpolation", "nearest") != "nearest") {
        r.fail("layer '" + layer.name + "': only square nearest upsampling is supported");
      }
      layer.scale = size[0];
      if (layer.scale < 1 || layer.scale > kMaxScale) r.fail("layer '" + layer.name + "': size must be 1 to " + std::to_string(kMaxScale));
    } else {
      r.fail("layer '" + layer.name + "': layer class " + cls + " is not supported");
    }
    if (graph.index.count(layer.name)) r.fail("layer '" + layer.name + "' is defined twice");
    graph.index[layer.name] = static_cast<int>(graph.layers.size());
    graph.layers.push_back(std::move(layer));
  }
}

}  // namespace

TfjsGraph read_tfjs_graph(const std::string& json_text, const std::string& file) {
  const Reader r{file};
  std::string where = "modelTopology";  // the part being read, for errors the JSON library raises
  try {
    json root;
    try {
      root = json::parse(json_text);
    } catch (const json::parse_error& e) {
      r.fail(std::string("not a TensorFlow.js model: ") + e.what());
    }
    if (!root.is_object() || root.value("format", "") != "layers-model") r.fail("not a TensorFlow.js layers model");
    const json& config = r.at(r.at(r.at(root, "modelTopology", "model.json"), "model_config", "modelTopology"), "config", "model_config");
    TfjsGraph graph;
    where = "weightsManifest";
    read_manifest(r, r.at(root, "weightsManifest", "model.json"), graph);
    read_layers(r, config, graph, where);
    where = "output_layers";
    const json& outputs = r.at(config, "output_layers", "config");
    if (outputs.size() != 1 || !graph.index.count(outputs.at(0).at(0).get<std::string>())) r.fail("expected one output layer");
    graph.output = graph.index[outputs.at(0).at(0).get<std::string>()];
    return graph;
  } catch (const json::exception& e) {
    r.fail(where + ": a field has the wrong type or is missing (" + e.what() + ")");
  }
}

std::vector<std::string> read_tfjs_shards(const TfjsGraph& graph, const std::string& model_json) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(model_json).parent_path();
  const std::string what = "weight shard named by " + fs::path(model_json).filename().string();
  std::vector<std::string> groups;
  for (const TfjsWeightGroup& group : graph.groups) {
    std::string bytes;
    for (const std::string& shard : group.shards) {
      const uint64_t room = max_model_bytes() - std::min<uint64_t>(bytes.size(), max_model_bytes());
      bytes += read_model_file((dir / shard).string(), room, what);
    }
    if (bytes.size() < group.bytes) throw nfx::Error(model_json + ": the weight shards end before the manifest's weights do (truncated download?)");
    if (bytes.size() > group.bytes) {
      throw nfx::Error(model_json + ": the weight shards hold " + std::to_string(bytes.size() - group.bytes) + " bytes more than the manifest names");
    }
    groups.push_back(std::move(bytes));
  }
  return groups;
}

}  // namespace nfx::models
