// The periodic (circular) k x k convolution as a flow layer: a free kernel, started at the identity, whose
// log|det| and inverse come per frequency from the FFT (it is invertible unless some What(u, v) is
// singular, which the solves and log|det| report).
#pragma once

#include <nfx/flow/flow_layer.hpp>

namespace nfx::flow {

class PeriodicConv : public FlowLayer {
 public:
  PeriodicConv(int64_t channels, int64_t kernel_size, Direction direction, torch::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override;
  torch::Tensor inverse(const torch::Tensor& y) override;
  const torch::Tensor& kernel() const { return weight_; }

 private:
  Direction direction_;
  torch::Tensor weight_;
};

}  // namespace nfx::flow
