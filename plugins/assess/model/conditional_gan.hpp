// The conditional GAN that makes items of the rare classes, in the manner of BAGAN-GP (Huang and Jafari
// 2021, after BAGAN, Mariani et al. 2018): a class-conditional autoencoder is trained first on every
// item (the rare classes borrow the shapes the common ones teach it); its decoder becomes the generator,
// its encoder's convolutions the critic's, and each class's codes give a Gaussian that the generator's
// latent vectors of that class are drawn from, so a rare class starts where its real items are instead of
// collapsing. The critic is a Wasserstein critic with a gradient penalty (Gulrajani et al. 2017),
// conditioned by projection (Miyato and Koyama 2018) or, the simpler option, by an auxiliary classifier
// head (AC-GAN, Odena et al. 2017).
//
// Images are N x C x S x S floats in [0, 1], S a multiple of 4 (28 for Fashion-MNIST, 20 for the digits).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/adam.h>
#include <torch/types.h>

#include <memory>
#include <string>

namespace nfx::assess {

struct GanShape {
  int64_t channels = 1, size = 28, classes = 10;
  int64_t latent = 32;
  int64_t width = 16;  // the first convolution's channels; the second has twice as many
};

enum class Conditioning { projection, auxiliary };
const char* conditioning_name(Conditioning conditioning);      // "projection", "auxiliary"
Conditioning conditioning_named(const std::string& name);      // throws nfx::Error for another name

// Two strided 4 x 4 convolutions (S -> S/2 -> S/4) with leaky ReLUs and a linear layer to 4 x width
// features: the encoder's and the critic's trunk, so the critic can start from the encoder's. No batch
// norm: the gradient penalty is per item.
class FeatureTrunkImpl : public torch::nn::Module {
 public:
  explicit FeatureTrunkImpl(const GanShape& shape);
  torch::Tensor forward(const torch::Tensor& images);
  int64_t features() const { return features_; }

 private:
  torch::nn::Conv2d first_{nullptr}, second_{nullptr};
  torch::nn::Linear dense_{nullptr};
  int64_t features_;
};
TORCH_MODULE(FeatureTrunk);

class EncoderImpl : public torch::nn::Module {
 public:
  explicit EncoderImpl(const GanShape& shape);
  torch::Tensor forward(const torch::Tensor& images);  // N x latent codes
  FeatureTrunk trunk{nullptr};

 private:
  torch::nn::Linear code_{nullptr};
};
TORCH_MODULE(Encoder);

// The decoder of the autoencoder and then the generator: (latent, class) -> image in [0, 1]. It doubles the
// size twice by nearest-neighbour upsampling and a 3 x 3 convolution (strided transposed convolutions
// leave a checkerboard texture that a classifier learns to tell generated items by).
class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const GanShape& shape);
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& labels);

 private:
  GanShape shape_;
  torch::nn::Embedding label_{nullptr};
  torch::nn::Linear dense_{nullptr};
  torch::nn::BatchNorm2d dense_norm_{nullptr}, up_norm_{nullptr};
  torch::nn::Conv2d up_{nullptr}, out_{nullptr};
};
TORCH_MODULE(Generator);

// The critic's score of (image, class), and with the auxiliary head its class logits.
struct CriticOutput {
  torch::Tensor score;   // N
  torch::Tensor logits;  // N x classes (auxiliary conditioning only; undefined otherwise)
};

class CriticImpl : public torch::nn::Module {
 public:
  CriticImpl(const GanShape& shape, Conditioning conditioning);
  CriticOutput forward(const torch::Tensor& images, const torch::Tensor& labels);
  FeatureTrunk trunk{nullptr};

 private:
  Conditioning conditioning_;
  torch::nn::Linear score_{nullptr}, classes_{nullptr};
  torch::nn::Embedding projection_{nullptr};
};
TORCH_MODULE(Critic);

struct GanOptions {
  Conditioning conditioning = Conditioning::projection;
  double learning_rate = 2e-4;
  double autoencoder_learning_rate = 1e-3;
  double gradient_penalty = 10;  // lambda
  int critic_steps = 3;          // critic steps per generator step
  bool augment = false;          // the critic sees real and generated items through DiffAugment
  int64_t batch = 64;
};

// The networks, their optimizers and the class latents, with one step of each training phase. The
// trainer draws its batches itself from the items it holds (uint8, as loaded), every class as often as any
// other, so the rare classes get as much of the generator's attention as the common ones.
class ConditionalGan {
 public:
  // `images` N x C x S x S uint8, `labels` N int64 in 0 .. classes - 1. Throws nfx::Error for a size that
  // is not a multiple of 4 or a class without items. Parameters drawn from `init`.
  ConditionalGan(const GanShape& shape, const GanOptions& options, torch::Tensor images, torch::Tensor labels,
                 torch::Generator& init);

  // Phase 1: one step of the class-conditional autoencoder (mean squared error). Returns the loss.
  double autoencoder_step(torch::Generator& generator);
  // Between the phases: the critic's trunk takes the encoder's weights and each class's latent Gaussian is
  // fitted to its items' codes.
  void start_adversarial();
  // Phase 2: one critic step (its loss: fake score - real score + penalty, plus the auxiliary classes'
  // cross-entropy), and one generator step (-fake score, plus the auxiliary cross-entropy of its items).
  double critic_step(torch::Generator& generator);
  double generator_step(torch::Generator& generator);
  // critic_steps critic steps then one generator step: the mean critic loss and the generator loss.
  std::pair<double, double> adversarial_round(torch::Generator& generator);

  // An image of each of `labels`' classes (N x C x S x S floats in [0, 1]), latents from the classes'
  // Gaussians. Throws nfx::Error before start_adversarial or for a class the GAN does not have.
  torch::Tensor sample(const torch::Tensor& labels, torch::Generator& generator);

  const GanShape& shape() const { return shape_; }
  const GanOptions& options() const { return options_; }
  Encoder& encoder() { return encoder_; }
  Generator& generator() { return generator_; }
  Critic& critic() { return critic_; }
  torch::optim::Adam& autoencoder_optimizer() { return *autoencoder_optimizer_; }
  torch::optim::Adam& generator_optimizer() { return *generator_optimizer_; }
  torch::optim::Adam& critic_optimizer() { return *critic_optimizer_; }
  // Each class's latent mean (classes x latent) and the Cholesky factor of its covariance (classes x
  // latent x latent): fitted by start_adversarial, or restored from a checkpoint.
  torch::Tensor latent_mean, latent_factor;

 private:
  // A batch of real items with classes drawn uniformly: images as floats, and their labels.
  std::pair<torch::Tensor, torch::Tensor> real_batch(torch::Generator& generator);
  torch::Tensor latents(const torch::Tensor& labels, torch::Generator& generator);
  // What the critic is shown of `images`: their differentiable augmentation, or themselves without.
  torch::Tensor augmented(const torch::Tensor& images, torch::Generator& generator);

  GanShape shape_;
  GanOptions options_;
  torch::Tensor images_, labels_;
  torch::Tensor items_by_class_;            // indices into images_, class 0's first, then class 1's ...
  torch::Tensor class_start_, class_count_;  // where each class's indices start, and how many
  Encoder encoder_{nullptr};
  Generator generator_{nullptr};
  Critic critic_{nullptr};
  std::unique_ptr<torch::optim::Adam> autoencoder_optimizer_, generator_optimizer_, critic_optimizer_;
};

}  // namespace nfx::assess

namespace nfx::assess {

// How many items to generate for each class of `counts`: `per_class` for every class smaller than the
// largest, or with per_class 0 as many as bring it up to the largest.
std::vector<int64_t> generated_counts(const std::vector<int64_t>& counts, int64_t per_class);

// `images` (uint8) and `labels` with wanted[c] generated items of each class c appended, drawn from the
// GAN `batch` at a time.
std::pair<torch::Tensor, torch::Tensor> with_generated_items(ConditionalGan& gan, const torch::Tensor& images, const torch::Tensor& labels,
                                                             const std::vector<int64_t>& wanted, torch::Generator& generator);

}  // namespace nfx::assess
