// The stacked autoencoder that compresses each pixel's standardized band vector to a short code (Nagar et
// al. 2024): an encoder of fully connected layers (tanh between them, the code linear) and its mirror as
// decoder. Trained greedily layer by layer (each layer learns to reconstruct its input, the layers below
// it frozen), then fine-tuned end to end on the reconstruction of the input.
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/sequential.h>
#include <torch/types.h>

#include <functional>
#include <string>
#include <vector>

namespace nfx::mapper {

struct AutoencoderSpec {
  int64_t inputs = 6;                  // features per pixel
  std::vector<int64_t> hidden = {32};  // widths between the input and the code
  int64_t code = 4;
};

class StackedAutoencoderImpl : public torch::nn::Module {
 public:
  explicit StackedAutoencoderImpl(const AutoencoderSpec& spec);
  torch::Tensor encode(const torch::Tensor& x);  // N x inputs -> N x code
  torch::Tensor decode(const torch::Tensor& z);  // N x code -> N x inputs
  torch::Tensor forward(const torch::Tensor& x) { return decode(encode(x)); }
  const AutoencoderSpec& spec() const { return spec_; }
  int64_t depth() const { return static_cast<int64_t>(encoders_.size()); }

  // Layer `l`'s own autoencoder (its encoder and the decoder layer that mirrors it) on what the layers
  // below it make of x: the greedy stage's loss.
  torch::Tensor layer_reconstruction_loss(int64_t l, const torch::Tensor& x);
  std::vector<torch::Tensor> layer_parameters(int64_t l);  // encoder l and its mirror

 private:
  torch::Tensor below(int64_t l, torch::Tensor x);  // x through encoders 0 .. l - 1
  AutoencoderSpec spec_;
  std::vector<torch::nn::Linear> encoders_, decoders_;  // decoders_[l] mirrors encoders_[l]
};
TORCH_MODULE(StackedAutoencoder);

struct AutoencoderTraining {
  int64_t pretrain_steps = 300;  // per layer
  int64_t finetune_steps = 600;
  int64_t batch = 256;
  double learning_rate = 1e-3;
  uint64_t seed = 0;
};

// Mean squared reconstruction error of `x` (N x inputs) through the whole autoencoder.
double reconstruction_error(StackedAutoencoder& model, const torch::Tensor& x);

// Greedy layer-wise pretraining, then end-to-end fine-tuning, on batches drawn (seeded) from `x`.
// `progress(stage, step, steps)` is called now and then ("layer 1", "fine-tuning").
void train_autoencoder(StackedAutoencoder& model, const torch::Tensor& x, const AutoencoderTraining& options,
                       const std::function<void(const std::string& stage, int64_t step, int64_t steps)>& progress = {});

}  // namespace nfx::mapper
