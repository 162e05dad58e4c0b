#include <nfx/models/tfjs_model.hpp>

#include <nfx/base.hpp>
#include <nfx/models/model_file.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>

namespace nfx::models {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// Shapes and names come from a file: every lookup says which file and which layer when it fails.
struct Reader {
  std::string file;
  [[noreturn]] void fail(const std::string& what) const { throw nfx::Error(file + ": " + what); }
  const json& at(const json& j, const char* key, const std::string& where) const {
    if (!j.is_object() || !j.contains(key)) fail(where + ": no '" + key + "'");
    return j.at(key);
  }
};

// Bounds that no real network comes near, checked before anything is allocated.
constexpr int64_t kMaxDimension = 1 << 16, kMaxWeightCount = int64_t{1} << 31, kMaxScale = 16;

std::vector<int64_t> shape_of(const json& j) {
  std::vector<int64_t> shape;
  for (const json& d : j) shape.push_back(d.get<int64_t>());
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

// The bytes of every weight group, read from its shard files in order; weights are looked up by name.
std::map<std::string, torch::Tensor> read_weights(const Reader& r, const json& manifest, const fs::path& dir) {
  std::map<std::string, torch::Tensor> weights;
  for (const json& group : manifest) {
    std::string bytes;
    for (const json& shard : r.at(group, "paths", "weightsManifest")) {
      const fs::path file = dir / shard.get<std::string>();
      const uint64_t room = max_model_bytes() - std::min<uint64_t>(bytes.size(), max_model_bytes());
      bytes += read_model_file(file.string(), room, "weight shard named by " + fs::path(r.file).filename().string());
    }
    size_t offset = 0;
    for (const json& w : r.at(group, "weights", "weightsManifest")) {
      const std::string name = r.at(w, "name", "weight").get<std::string>();
      if (w.contains("quantization") || r.at(w, "dtype", name).get<std::string>() != "float32") {
        r.fail("weight '" + name + "' is not plain float32 (quantized models are not supported)");
      }
      const std::vector<int64_t> shape = shape_of(r.at(w, "shape", name));
      const int64_t count = weight_count(r, shape, name);
      const size_t size = static_cast<size_t>(count) * sizeof(float);
      if (offset + size > bytes.size()) {
        r.fail("the weight shards end inside weight '" + name + "' (truncated download?)");
      }
      weights[name] = torch::from_blob(bytes.data() + offset, shape, torch::kFloat32).clone();
      offset += size;
    }
    if (offset != bytes.size()) r.fail("the weight shards hold " + std::to_string(bytes.size() - offset) + " bytes more than the manifest names");
  }
  return weights;
}

// Keras's 'same' padding for stride 1: k - 1 in all, the odd one at the bottom and right.
void same_padding(int64_t k, int64_t& before, int64_t& after) {
  before = (k - 1) / 2;
  after = k - 1 - before;
}

bool relu_or_linear(const Reader& r, const std::string& activation, const std::string& layer) {
  if (activation == "relu") return true;
  if (activation != "linear") r.fail("layer '" + layer + "': activation '" + activation + "' is not supported");
  return false;
}

}  // namespace

TfjsModel TfjsModel::load(const std::string& model_json, const std::vector<std::string>& outputs) {
  const Reader r{model_json};
  std::string where = "modelTopology";  // the part being read, for errors the JSON library raises
  try {
    json root;
    try {
      root = json::parse(read_model_file(model_json, kMaxModelTextBytes, "TF.js model.json"));
    } catch (const json::parse_error& e) {
      r.fail(std::string("not a TensorFlow.js model: ") + e.what());
    }
    if (!root.is_object() || root.value("format", "") != "layers-model") r.fail("not a TensorFlow.js layers model");
    const json& config = r.at(r.at(r.at(root, "modelTopology", "model.json"), "model_config", "modelTopology"), "config", "model_config");
    where = "weightsManifest";
    std::map<std::string, torch::Tensor> weights =
        read_weights(r, r.at(root, "weightsManifest", "model.json"), fs::path(model_json).parent_path());

    TfjsModel model;
    model.path_ = model_json;
    std::map<std::string, int> index;
    for (const json& l : r.at(config, "layers", "config")) {
      Layer layer;
      layer.name = r.at(l, "name", "layer").get<std::string>();
      where = "layer '" + layer.name + "'";
      const std::string cls = r.at(l, "class_name", layer.name).get<std::string>();
      const json& c = r.at(l, "config", layer.name);
      const json& inbound = r.at(l, "inbound_nodes", layer.name);
      if (!inbound.empty()) {
        for (const json& source : inbound.at(0)) {
          const std::string from = source.at(0).get<std::string>();
          if (!index.count(from)) r.fail("layer '" + layer.name + "' reads '" + from + "', which is not defined before it");
          layer.inputs.push_back(index[from]);
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
          if (c.contains(key) && shape_of(c.at(key)) != std::vector<int64_t>{1, 1}) {
            r.fail("layer '" + layer.name + "': " + key + " other than 1 are not supported");
          }
        }
        auto kernel = weights.find(layer.name + "/kernel");
        if (kernel == weights.end() || kernel->second.dim() != 4) r.fail("layer '" + layer.name + "': no 4-d kernel weight");
        layer.weight = kernel->second.permute({3, 2, 0, 1}).contiguous();  // HWIO -> OIHW
        if (c.value("use_bias", true)) {
          auto bias = weights.find(layer.name + "/bias");
          if (bias == weights.end() || bias->second.numel() != layer.weight.size(0)) r.fail("layer '" + layer.name + "': bias missing or of the wrong size");
          layer.bias = bias->second;
        }
        if (c.value("padding", "valid") == "same") {
          same_padding(layer.weight.size(2), layer.pad_top, layer.pad_bottom);
          same_padding(layer.weight.size(3), layer.pad_left, layer.pad_right);
        }
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
        const int axis = c.value("axis", -1);
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
        const std::vector<int64_t> size = shape_of(c.at("size"));
        if (size.size() != 2 || size[0] != size[1] || c.value("interpolation", "nearest") != "nearest") {
          r.fail("layer '" + layer.name + "': only square nearest upsampling is supported");
        }
        layer.scale = size[0];
        if (layer.scale < 1 || layer.scale > kMaxScale) r.fail("layer '" + layer.name + "': size must be 1 to " + std::to_string(kMaxScale));
      } else {
        r.fail("layer '" + layer.name + "': layer class " + cls + " is not supported");
      }
      index[layer.name] = static_cast<int>(model.layers_.size());
      model.layers_.push_back(std::move(layer));
    }
    const json& model_outputs = r.at(config, "output_layers", "config");
    if (model_outputs.size() != 1 || !index.count(model_outputs.at(0).at(0).get<std::string>())) r.fail("expected one output layer");
    if (outputs.empty()) model.outputs_.push_back(index[model_outputs.at(0).at(0).get<std::string>()]);
    for (const std::string& name : outputs) {
      if (!index.count(name)) r.fail("the model has no layer '" + name + "'");
      model.outputs_.push_back(index[name]);
    }
    model.layers_.resize(*std::max_element(model.outputs_.begin(), model.outputs_.end()) + 1);
    for (size_t i = 0; i < model.layers_.size(); ++i) {
      for (int from : model.layers_[i].inputs) model.layers_[from].last_use = static_cast<int>(i);
    }
    return model;
  } catch (const json::exception& e) {
    r.fail(where + ": a field has the wrong type or is missing (" + e.what() + ")");
  }
}

int64_t TfjsModel::parameter_count() const {
  int64_t n = 0;
  for (const Layer& l : layers_) n += (l.weight.defined() ? l.weight.numel() : 0) + (l.bias.defined() ? l.bias.numel() : 0);
  return n;
}

torch::Tensor TfjsModel::apply(const Layer& l, const std::vector<torch::Tensor>& in) const {
  if (l.kind == "Conv2D") {
    torch::Tensor x = torch::constant_pad_nd(in[0], {l.pad_left, l.pad_right, l.pad_top, l.pad_bottom});
    x = torch::conv2d(x, l.weight, l.bias);
    return l.relu ? torch::relu_(x) : x;
  }
  if (l.kind == "Activation") return l.relu ? torch::relu(in[0]) : in[0];
  if (l.kind == "Add") {
    torch::Tensor sum = in[0] + in[1];
    for (size_t i = 2; i < in.size(); ++i) sum.add_(in[i]);
    return sum;
  }
  if (l.kind == "Concatenate") return torch::cat(in, 1);
  if (l.kind == "MultiplyBeta") return in[0] * l.factor;
  if (l.kind == "DepthToSpace") {
    // TF's NHWC depth-to-space takes input channel (i * s + j) * C + c to output pixel (h s + i, w s + j);
    // pixel_shuffle would take channel c * s * s + i * s + j.
    const int64_t s = l.scale, n = in[0].size(0), c = in[0].size(1) / (s * s), h = in[0].size(2), w = in[0].size(3);
    if (in[0].size(1) % (s * s) != 0) {
      throw nfx::Error(path_ + ": layer '" + l.name + "': " + std::to_string(in[0].size(1)) + " channels do not shuffle by " + std::to_string(s));
    }
    return in[0].reshape({n, s, s, c, h, w}).permute({0, 3, 4, 1, 5, 2}).reshape({n, c, h * s, w * s});
  }
  if (l.kind == "UpSampling2D") return torch::upsample_nearest2d(in[0], {in[0].size(2) * l.scale, in[0].size(3) * l.scale});
  throw nfx::Error(path_ + ": layer '" + l.name + "' cannot run");
}

torch::Tensor TfjsModel::forward(const torch::Tensor& x) const { return forward_outputs(x).front(); }

std::vector<torch::Tensor> TfjsModel::forward_outputs(const torch::Tensor& x) const {
  torch::InferenceMode inference;
  const auto is_output = [&](int layer) { return std::find(outputs_.begin(), outputs_.end(), layer) != outputs_.end(); };
  std::vector<torch::Tensor> out(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    if (l.kind == "Input") {
      out[i] = x;
      continue;
    }
    std::vector<torch::Tensor> in;
    for (int from : l.inputs) in.push_back(out[from]);
    try {
      out[i] = apply(l, in);
    } catch (const c10::Error& e) {
      throw nfx::Error(path_ + ": layer '" + l.name + "': " + e.what_without_backtrace());
    }
    for (int from : l.inputs) {  // intermediate results go as soon as nothing reads them any more
      if (layers_[from].last_use == static_cast<int>(i) && !is_output(from)) out[from] = torch::Tensor();
    }
  }
  std::vector<torch::Tensor> results;
  for (int layer : outputs_) results.push_back(out[layer]);
  return results;
}

}  // namespace nfx::models
