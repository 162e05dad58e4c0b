// A TensorFlow.js layers model (model.json and its weight shards, as UpscalerJS's packages ship them) run in
// LibTorch: the functional graph is read from the JSON and evaluated layer by layer, with Keras's
// semantics (NHWC kernels, 'same' padding, depth-to-space channel order) mapped onto NCHW tensors.
#pragma once

#include <nfx/models/tfjs_graph.hpp>

#include <torch/torch.h>

#include <string>
#include <vector>

namespace nfx::models {

class TfjsModel {
 public:
  // Reads model.json and the shards it names (beside it); throws nfx::Error naming the file and the layer
  // for anything it cannot run (an unknown layer class, a missing or short weight file, a shape mismatch).
  // `outputs` names layers whose results forward_outputs returns instead of the model's output: the model
  // is cut after the last of them (its later layers are neither kept nor run), so part of a network can
  // serve as an encoder.
  static TfjsModel load(const std::string& model_json, const std::vector<std::string>& outputs = {});

  // x: N x C x H x W float32 in the model's input range; returns its output, also NCHW.
  torch::Tensor forward(const torch::Tensor& x) const;
  // The results of the layers named at load (or the model's output), in that order.
  std::vector<torch::Tensor> forward_outputs(const torch::Tensor& x) const;

  int64_t parameter_count() const;
  const std::string& path() const { return path_; }

 private:
  struct Layer {
    TfjsLayer spec;
    torch::Tensor weight, bias;  // Conv2D: OIHW and O
    int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
    int last_use = -1;  // the last layer that reads this one's output
  };
  torch::Tensor apply(const Layer& layer, const std::vector<torch::Tensor>& in) const;

  std::string path_;
  std::vector<Layer> layers_;
  std::vector<int> outputs_;
};

}  // namespace nfx::models
