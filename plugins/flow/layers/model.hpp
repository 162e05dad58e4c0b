// A Glow-style multi-scale flow: per level, squeeze, `steps` x [ActNorm, channel mixing, coupling], then
// (except at the last level) half of the channels leave for a standard normal prior.
#pragma once

#include "flow_layer.hpp"

#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nfx::flow {

struct ModelSpec {
  int64_t channels = 1, height = 20, width = 20;  // the images it models
  int64_t levels = 2, steps = 8, hidden = 64;
  // "invconv1x1" (Glow), "finc{k}" (four-corner k x k unit: spatial mixing within channel quarters),
  // "periodic{k}" (circular k x k convolution over all channels), "none", or several joined by '+',
  // applied in order ("invconv1x1+finc3")
  std::string mixing = "invconv1x1";
  std::string coupling = "affine";    // "affine" (Glow) or "quad"
  Direction direction = Direction::standard;
};

// A spec that cannot be built, and the field to change.
class SpecError : public std::invalid_argument {
 public:
  SpecError(std::string field, const std::string& message) : std::invalid_argument(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// Throws SpecError for a spec that cannot be built (odd sizes for the squeezes, unknown layer names,
// channel counts a layer cannot split).
void check_spec(const ModelSpec& spec);

class FlowModel : public torch::nn::Module {
 public:
  explicit FlowModel(const ModelSpec& spec);

  // Data to latent: one tensor per level, and log|det| per batch item.
  std::vector<torch::Tensor> encode(const torch::Tensor& x, torch::Tensor& logdet);
  torch::Tensor decode(const std::vector<torch::Tensor>& z);
  // log p(x) in nats per batch item under the standard normal prior.
  torch::Tensor log_prob(const torch::Tensor& x);
  // n images from the prior scaled by `temperature`.
  torch::Tensor sample(int64_t n, double temperature = 1.0);
  // The shape of each level's latent for a batch of n.
  std::vector<std::vector<int64_t>> latent_shapes(int64_t n) const;
  const ModelSpec& spec() const { return spec_; }

 private:
  ModelSpec spec_;
  std::vector<std::vector<FlowLayerPtr>> levels_;
};

// Bits per dimension of 8-bit data from log p(x) of the data scaled to [0, 1) with uniform dequantization:
// (-log p(x) + D log 256) / (D log 2), D = C * H * W.
torch::Tensor bits_per_dim(const torch::Tensor& log_prob, int64_t dims);

}  // namespace nfx::flow
