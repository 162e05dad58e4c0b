// The interface every flow layer implements: an invertible map on NCHW tensors and its log-determinant.
#pragma once

#include <torch/torch.h>

namespace nfx::flow {

// Which way a layer's expensive part runs. Standard: the data-to-latent pass uses plain convolutions and
// sampling solves. Inverse (Inverse-Flow): the data-to-latent pass solves, trained through the solver's
// own gradients, so sampling needs only plain convolutions.
enum class Direction { standard, inverse };

class FlowLayer : public torch::nn::Module {
 public:
  // y = f(x); adds log|det df/dx| of each batch item to `logdet` (shape [N]).
  virtual torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) = 0;
  // x = f^-1(y).
  virtual torch::Tensor inverse(const torch::Tensor& y) = 0;
};

using FlowLayerPtr = std::shared_ptr<FlowLayer>;

}  // namespace nfx::flow
