#include <nfx/models/tfjs_model.hpp>

#include <nfx/base.hpp>
#include <nfx/models/model_file.hpp>

#include <algorithm>

namespace nfx::models {

namespace {

// Every weight as a tensor of the shape the manifest gives, from its group's shards.
std::map<std::string, torch::Tensor> read_weights(const TfjsGraph& graph, const std::string& model_json) {
  std::vector<std::string> groups = read_tfjs_shards(graph, model_json);
  std::map<std::string, torch::Tensor> weights;
  for (const auto& [name, w] : graph.weights) {
    char* data = groups[static_cast<size_t>(w.group)].data() + w.offset;
    weights[name] = torch::from_blob(data, w.shape, torch::kFloat32).clone();
  }
  return weights;
}

// Keras's 'same' padding for stride 1: k - 1 in all, the odd one at the bottom and right.
void same_padding(int64_t k, int64_t& before, int64_t& after) {
  before = (k - 1) / 2;
  after = k - 1 - before;
}

}  // namespace

TfjsModel TfjsModel::load(const std::string& model_json, const std::vector<std::string>& outputs) {
  const TfjsGraph graph = read_tfjs_graph(read_model_file(model_json, kMaxModelTextBytes, "TF.js model.json"), model_json);
  std::map<std::string, torch::Tensor> weights = read_weights(graph, model_json);
  TfjsModel model;
  model.path_ = model_json;
  for (const TfjsLayer& spec : graph.layers) {
    Layer layer{spec, {}, {}};
    if (spec.kind == "Conv2D") {
      layer.weight = weights.at(spec.kernel).permute({3, 2, 0, 1}).contiguous();  // HWIO -> OIHW
      if (!spec.bias.empty()) layer.bias = weights.at(spec.bias);
      if (spec.same_padding) {
        same_padding(layer.weight.size(2), layer.pad_top, layer.pad_bottom);
        same_padding(layer.weight.size(3), layer.pad_left, layer.pad_right);
      }
    }
    model.layers_.push_back(std::move(layer));
  }
  if (outputs.empty()) model.outputs_.push_back(graph.output);
  for (const std::string& name : outputs) {
    if (!graph.index.count(name)) throw nfx::Error(model_json + ": the model has no layer '" + name + "'");
    model.outputs_.push_back(graph.index.at(name));
  }
  model.layers_.resize(*std::max_element(model.outputs_.begin(), model.outputs_.end()) + 1);
  for (size_t i = 0; i < model.layers_.size(); ++i) {
    for (int from : model.layers_[i].spec.inputs) model.layers_[from].last_use = static_cast<int>(i);
  }
  return model;
}

int64_t TfjsModel::parameter_count() const {
  int64_t n = 0;
  for (const Layer& l : layers_) n += (l.weight.defined() ? l.weight.numel() : 0) + (l.bias.defined() ? l.bias.numel() : 0);
  return n;
}

torch::Tensor TfjsModel::apply(const Layer& l, const std::vector<torch::Tensor>& in) const {
  if (l.spec.kind == "Conv2D") {
    torch::Tensor x = torch::constant_pad_nd(in[0], {l.pad_left, l.pad_right, l.pad_top, l.pad_bottom});
    x = torch::conv2d(x, l.weight, l.bias);
    return l.spec.relu ? torch::relu_(x) : x;
  }
  if (l.spec.kind == "Activation") return l.spec.relu ? torch::relu(in[0]) : in[0];
  if (l.spec.kind == "Add") {
    torch::Tensor sum = in[0] + in[1];
    for (size_t i = 2; i < in.size(); ++i) sum.add_(in[i]);
    return sum;
  }
  if (l.spec.kind == "Concatenate") return torch::cat(in, 1);
  if (l.spec.kind == "MultiplyBeta") return in[0] * l.spec.factor;
  if (l.spec.kind == "DepthToSpace") {
    // TF's NHWC depth-to-space takes input channel (i * s + j) * C + c to output pixel (h s + i, w s + j);
    // pixel_shuffle would take channel c * s * s + i * s + j.
    const int64_t s = l.spec.scale, n = in[0].size(0), c = in[0].size(1) / (s * s), h = in[0].size(2), w = in[0].size(3);
    if (in[0].size(1) % (s * s) != 0) {
      throw nfx::Error(path_ + ": layer '" + l.spec.name + "': " + std::to_string(in[0].size(1)) + " channels do not shuffle by " + std::to_string(s));
    }
    return in[0].reshape({n, s, s, c, h, w}).permute({0, 3, 4, 1, 5, 2}).reshape({n, c, h * s, w * s});
  }
  if (l.spec.kind == "UpSampling2D") return torch::upsample_nearest2d(in[0], {in[0].size(2) * l.spec.scale, in[0].size(3) * l.spec.scale});
  throw nfx::Error(path_ + ": layer '" + l.spec.name + "' cannot run");
}

torch::Tensor TfjsModel::forward(const torch::Tensor& x) const { return forward_outputs(x).front(); }

std::vector<torch::Tensor> TfjsModel::forward_outputs(const torch::Tensor& x) const {
  torch::InferenceMode inference;
  const auto is_output = [&](int layer) { return std::find(outputs_.begin(), outputs_.end(), layer) != outputs_.end(); };
  std::vector<torch::Tensor> out(layers_.size());
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    if (l.spec.kind == "Input") {
      out[i] = x;
      continue;
    }
    std::vector<torch::Tensor> in;
    for (int from : l.spec.inputs) in.push_back(out[from]);
    try {
      out[i] = apply(l, in);
    } catch (const c10::Error& e) {
      throw nfx::Error(path_ + ": layer '" + l.spec.name + "': " + e.what_without_backtrace());
    }
    for (int from : l.spec.inputs) {  // intermediate results go as soon as nothing reads them any more
      if (layers_[from].last_use == static_cast<int>(i) && !is_output(from)) out[from] = torch::Tensor();
    }
  }
  std::vector<torch::Tensor> results;
  for (int layer : outputs_) results.push_back(out[layer]);
  return results;
}

}  // namespace nfx::models
