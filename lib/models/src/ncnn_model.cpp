#include <nfx/models/ncnn_model.hpp>

#include <nfx/base.hpp>
#include <nfx/models/model_file.hpp>

#include <torch/torch.h>

namespace nfx::models {

namespace {

// A block of the weights file as a float32 tensor of its own.
torch::Tensor weight_tensor(const std::string& bin, const NcnnWeights& w, const std::vector<int64_t>& shape) {
  char* data = const_cast<char*>(bin.data() + w.offset);
  if (w.half) return torch::from_blob(data, {w.count}, torch::kHalf).to(torch::kFloat).view(shape);
  return torch::from_blob(data, {w.count}, torch::kFloat).clone().view(shape);
}

}  // namespace

NcnnModel NcnnModel::load(const std::string& param_file, const std::string& bin_file) {
  const std::string text = read_model_file(param_file, kMaxModelTextBytes, "ncnn .param file");
  const std::string bin = read_model_file(bin_file, max_model_bytes(), "ncnn weights (.bin)");
  const NcnnGraph graph = read_ncnn_graph(text, param_file, bin, bin_file);
  NcnnModel model;
  model.path_ = param_file;
  model.input_ = graph.input;
  model.output_ = graph.output;
  for (const NcnnLayer& spec : graph.layers) {
    Layer layer{spec, {}, {}};
    if (spec.type == "Convolution" || spec.type == "PReLU") layer.weight = weight_tensor(bin, spec.weight, spec.weight_shape);
    if (spec.has_bias) layer.bias = weight_tensor(bin, spec.bias, {spec.bias.count});
    model.layers_.push_back(std::move(layer));
  }
  model.last_use_.assign(static_cast<size_t>(graph.blobs), -1);
  for (size_t i = 0; i < model.layers_.size(); ++i) {
    for (int blob : model.layers_[i].spec.inputs) model.last_use_[blob] = static_cast<int>(i);
  }
  return model;
}

int64_t NcnnModel::parameter_count() const {
  int64_t n = 0;
  for (const Layer& l : layers_) n += (l.weight.defined() ? l.weight.numel() : 0) + (l.bias.defined() ? l.bias.numel() : 0);
  return n;
}

torch::Tensor NcnnModel::apply(const Layer& l, const std::vector<torch::Tensor>& in) const {
  if (l.spec.type == "Convolution") {
    torch::Tensor x = torch::constant_pad_nd(in[0], {l.spec.pad_left, l.spec.pad_right, l.spec.pad_top, l.spec.pad_bottom});
    x = torch::conv2d(x, l.weight, l.bias);
    if (l.spec.activation == 1) return torch::relu_(x);
    if (l.spec.activation == 2) return torch::leaky_relu_(x, l.spec.slope);
    return x;
  }
  if (l.spec.type == "PReLU") return torch::prelu(in[0], l.weight);
  if (l.spec.type == "Concat") return torch::cat(in, 1);
  if (l.spec.type == "Eltwise") {
    const auto coefficient = [&](size_t i) { return l.spec.coefficients.empty() ? 1.0 : l.spec.coefficients[i]; };
    torch::Tensor out = l.spec.op == 1 ? in[0] * coefficient(0) : in[0].clone();
    for (size_t i = 1; i < in.size(); ++i) {
      if (l.spec.op == 0) out.mul_(in[i]);
      if (l.spec.op == 1) out.add_(in[i], coefficient(i));
      if (l.spec.op == 2) out = torch::maximum(out, in[i]);
    }
    return out;
  }
  if (l.spec.type == "BinaryOp") {
    switch (l.spec.op) {
      case 0: return in[0] + in[1];
      case 1: return in[0] - in[1];
      case 2: return in[0] * in[1];
      case 3: return in[0] / in[1];
      case 10: return in[0] + l.spec.slope;
      case 11: return in[0] - l.spec.slope;
      case 12: return in[0] * l.spec.slope;
      default: return in[0] / l.spec.slope;
    }
  }
  if (l.spec.type == "Interp") {
    const auto h = static_cast<int64_t>(static_cast<double>(in[0].size(2)) * l.spec.scale_h);
    const auto w = static_cast<int64_t>(static_cast<double>(in[0].size(3)) * l.spec.scale_w);
    return torch::upsample_nearest2d(in[0], {h, w});
  }
  if (l.spec.type == "PixelShuffle") {
    if (in[0].size(1) % (l.spec.factor * l.spec.factor) != 0) {
      throw nfx::Error(path_ + ": layer '" + l.spec.name + "': " + std::to_string(in[0].size(1)) + " channels do not shuffle by " + std::to_string(l.spec.factor));
    }
    if (l.spec.op == 0) return torch::pixel_shuffle(in[0], l.spec.factor);  // PyTorch's (CRD) order
    const int64_t s = l.spec.factor, n = in[0].size(0), c = in[0].size(1) / (s * s), h = in[0].size(2), w = in[0].size(3);
    return in[0].reshape({n, s, s, c, h, w}).permute({0, 3, 4, 1, 5, 2}).reshape({n, c, h * s, w * s});  // DCR
  }
  throw nfx::Error(path_ + ": layer '" + l.spec.name + "' cannot run");
}

torch::Tensor NcnnModel::forward(const torch::Tensor& x) const {
  torch::InferenceMode inference;
  std::vector<torch::Tensor> blobs(last_use_.size());
  blobs[input_] = x;
  for (size_t i = 0; i < layers_.size(); ++i) {
    const Layer& l = layers_[i];
    if (l.spec.type == "Input") continue;
    std::vector<torch::Tensor> in;
    for (int blob : l.spec.inputs) in.push_back(blobs[blob]);
    if (l.spec.type == "Split") {
      for (int blob : l.spec.outputs) blobs[blob] = in[0];
    } else {
      try {
        blobs[l.spec.outputs[0]] = apply(l, in);
      } catch (const c10::Error& e) {
        throw nfx::Error(path_ + ": layer '" + l.spec.name + "': " + e.what_without_backtrace());
      }
    }
    for (int blob : l.spec.inputs) {  // intermediate results go as soon as nothing reads them any more
      if (last_use_[blob] == static_cast<int>(i) && blob != output_) blobs[blob] = torch::Tensor();
    }
  }
  return blobs[output_];
}

}  // namespace nfx::models
