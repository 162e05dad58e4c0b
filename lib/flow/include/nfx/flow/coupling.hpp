// Coupling layers: Glow's affine coupling (two blocks) and the quad coupling (four blocks).
#pragma once

#include <nfx/flow/flow_layer.hpp>

namespace nfx::flow {

// conv3x3(in -> hidden) ReLU conv1x1(hidden -> hidden) ReLU conv3x3(hidden -> out), the last layer zero at
// first so a new coupling is the identity; the others drawn from `generator` as LibTorch's constructors
// would draw them.
class CouplingNet : public torch::nn::Module {
 public:
  CouplingNet(int64_t in, int64_t hidden, int64_t out, torch::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv2d first_{nullptr}, middle_{nullptr}, last_{nullptr};
};

// log-scale bounded to (-limit, limit) smoothly: limit * tanh(raw / limit).
torch::Tensor soft_clamp(const torch::Tensor& raw, double limit = 2.0);

// A coupling whose subnets may also see a condition: an N x condition_channels x H x W tensor of the
// layer's spatial size, concatenated to every subnet's input (a conditional flow models p(x | c)). The
// map stays exactly invertible for a fixed condition. Without a condition (condition_channels = 0) the
// plain forward and inverse apply.
class Coupling : public FlowLayer {
 public:
  explicit Coupling(int64_t condition_channels) : condition_channels_(condition_channels) {}
  virtual torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) = 0;
  virtual torch::Tensor inverse(const torch::Tensor& y, const torch::Tensor& condition) = 0;
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override { return forward(x, logdet, {}); }
  torch::Tensor inverse(const torch::Tensor& y) override { return inverse(y, torch::Tensor()); }

 protected:
  // The subnet input: `x`, with the condition appended along channels when the layer takes one.
  torch::Tensor with_condition(const torch::Tensor& x, const torch::Tensor& condition) const;

 private:
  int64_t condition_channels_;
};

// Glow: y_a = x_a, y_b = (x_b + shift(x_a)) * sigmoid(raw_scale(x_a) + 2), halves along channels.
class AffineCoupling : public Coupling {
 public:
  AffineCoupling(int64_t channels, int64_t hidden, int64_t condition_channels, torch::Generator& generator);
  using Coupling::forward;
  using Coupling::inverse;
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) override;
  torch::Tensor inverse(const torch::Tensor& y, const torch::Tensor& condition) override;

 private:
  int64_t split_;
  std::shared_ptr<CouplingNet> net_;
};

// Four channel blocks: y1 = x1; y_{i+1} = (x_{i+1} + f_i(x_1..x_i)) * exp(s_i(x_1..x_i)) for i = 1..3, with
// soft-clamped s. Forward, every subnet sees only inputs; the inverse recovers x2, then x3, then x4.
class QuadCoupling : public Coupling {
 public:
  // `channels` must be a multiple of 4.
  QuadCoupling(int64_t channels, int64_t hidden, int64_t condition_channels, torch::Generator& generator);
  using Coupling::forward;
  using Coupling::inverse;
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) override;
  torch::Tensor inverse(const torch::Tensor& y, const torch::Tensor& condition) override;

 private:
  int64_t block_;
  std::vector<std::shared_ptr<CouplingNet>> nets_;
};

}  // namespace nfx::flow
