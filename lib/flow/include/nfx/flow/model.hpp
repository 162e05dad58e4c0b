// A Glow-style multi-scale flow: per level, squeeze, `steps` x [ActNorm, channel mixing, coupling], then
// (except at the last level) half of the channels leave for a standard normal prior.
#pragma once

#include <nfx/flow/flow_layer.hpp>

#include <cstdint>
#include <functional>
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
  // > 0: a conditional flow p(x | c). Every coupling's subnets also see the condition c (N x
  // condition_channels x H' x W', any size), resized by area averaging to each level's size.
  int64_t condition_channels = 0;
};

// A spec that cannot be built, and the field to change.
// The train nodes' parameter for a spec field (flow.train, sr.train): the field's name, but steps_per_level
// for steps (steps_per_epoch and warmup_steps count training steps there).
std::string layer_param(const std::string& field);

class SpecError : public std::invalid_argument {
 public:
  SpecError(std::string field, const std::string& message) : std::invalid_argument(message), field_(std::move(field)) {}
  const std::string& field() const { return field_; }
  std::string param() const { return layer_param(field_); }  // the train nodes' parameter that sets it

 private:
  std::string field_;
};

// Throws SpecError for a spec that cannot be built (odd sizes for the squeezes, unknown layer names,
// channel counts a layer cannot split).
void check_spec(const ModelSpec& spec);

// The layer fields of `spec` (levels, steps, hidden, mixing, coupling, direction) from named values, by the
// field's name: a checkpoint's fields, or a train node's parameters.
void read_layer_fields(ModelSpec& spec, const std::function<int64_t(const std::string&)>& integer,
                       const std::function<std::string(const std::string&)>& text);

// The layers in one line, for logs and `nfx inspect`: "2 levels x 8 steps, hidden 64, finc3 mixing, affine
// coupling, standard direction".
std::string describe_layers(const ModelSpec& spec);

class FlowModel : public torch::nn::Module {
 public:
  // Random initial weights drawn from a generator seeded with `seed` (never from LibTorch's global one).
  explicit FlowModel(const ModelSpec& spec, uint64_t seed = 0);

  // Data to latent: one tensor per level, and log|det| per batch item. `condition` only for a
  // conditional model (spec.condition_channels > 0), which needs it.
  std::vector<torch::Tensor> encode(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition = {});
  torch::Tensor decode(const std::vector<torch::Tensor>& z, const torch::Tensor& condition = {});
  // log p(x) (or log p(x | condition)) in nats per batch item under the standard normal prior.
  torch::Tensor log_prob(const torch::Tensor& x, const torch::Tensor& condition = {});
  // n images from the prior scaled by `temperature`, drawn from `generator`.
  torch::Tensor sample(int64_t n, double temperature, torch::Generator& generator, const torch::Tensor& condition = {});
  // The shape of each level's latent for a batch of n.
  std::vector<std::vector<int64_t>> latent_shapes(int64_t n) const;
  const ModelSpec& spec() const { return spec_; }

 private:
  // Runs one level's layers forward or backward, giving the couplings the condition at that level's size.
  torch::Tensor run_level(size_t level, torch::Tensor h, torch::Tensor* logdet, const torch::Tensor& condition);

  ModelSpec spec_;
  std::vector<std::vector<FlowLayerPtr>> levels_;
};

}  // namespace nfx::flow
