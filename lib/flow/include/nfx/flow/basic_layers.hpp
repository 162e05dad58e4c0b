// The simple layers of a Glow step and of the multi-scale architecture: ActNorm, squeeze, and the
// LU-parametrized invertible 1x1 convolution.
#pragma once

#include <nfx/flow/flow_layer.hpp>

namespace nfx::flow {

// Per-channel affine map y = (x + bias) * exp(log_scale), initialized from the first batch it sees so the
// output has zero mean and unit variance per channel.
class ActNorm : public FlowLayer {
 public:
  explicit ActNorm(int64_t channels);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override;
  torch::Tensor inverse(const torch::Tensor& y) override;

 private:
  torch::Tensor bias_, log_scale_, initialized_;
};

// (N, C, H, W) -> (N, 4C, H/2, W/2): each 2 x 2 block of pixels becomes four channels. Volume-preserving.
torch::Tensor squeeze_2x2(const torch::Tensor& x);
torch::Tensor unsqueeze_2x2(const torch::Tensor& y);

// Glow's invertible 1x1 convolution, W = P L (U + diag(sign * exp(log_s))), P fixed, initialized from a
// random rotation. log|det| = H * W * sum(log_s).
class InvConv1x1 : public FlowLayer {
 public:
  // A random rotation drawn from `generator`.
  InvConv1x1(int64_t channels, torch::Generator& generator);
  torch::Tensor forward(const torch::Tensor& x, torch::Tensor& logdet) override;
  torch::Tensor inverse(const torch::Tensor& y) override;
  torch::Tensor weight() const;

 private:
  torch::Tensor permutation_, lower_, upper_, log_s_, sign_s_, lower_mask_, eye_;
};

}  // namespace nfx::flow
