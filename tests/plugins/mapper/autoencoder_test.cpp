// The mapper's stacked autoencoder (issue 17): each greedy stage lowers its own layer's reconstruction
// error, fine-tuning lowers the whole one, and the same seed trains the same model.
#include "model/autoencoder.hpp"

#include <nfx/base.hpp>
#include <nfx/training/random.hpp>

#include <gtest/gtest.h>

#include <torch/torch.h>

namespace m = nfx::mapper;

namespace {

// 2,000 points of 6 features that lie near a curved 2-D surface (what an autoencoder with a code of 2
// can learn and PCA cannot quite), standardized-looking.
torch::Tensor curved_points() {
  torch::Generator g = nfx::training::make_generator(3);
  const torch::Tensor uv = torch::rand({2000, 2}, g) * 2 - 1;
  const torch::Tensor u = uv.select(1, 0), v = uv.select(1, 1);
  return torch::stack({u, v, u * v, u * u - v, torch::sin(2 * u), v * v * v}, 1) + 0.01 * torch::randn({2000, 6}, g);
}

}  // namespace

TEST(StackedAutoencoder, EachStageLowersItsReconstructionErrorAndTheSeedFixesTheModel) {
  const torch::Tensor x = curved_points();
  m::AutoencoderSpec spec;
  spec.inputs = 6;
  spec.hidden = {16};
  spec.code = 2;
  m::AutoencoderTraining short_training;
  short_training.pretrain_steps = 0;
  short_training.finetune_steps = 0;
  m::StackedAutoencoder untrained(spec);
  m::train_autoencoder(untrained, x, short_training);  // only the seeded initialisation
  const double before = m::reconstruction_error(untrained, x);
  const double layer1_before = untrained->layer_reconstruction_loss(0, x).item<double>();

  m::AutoencoderTraining pretrain_only = short_training;
  pretrain_only.pretrain_steps = 200;
  m::StackedAutoencoder pretrained(spec);
  m::train_autoencoder(pretrained, x, pretrain_only);
  EXPECT_LT(pretrained->layer_reconstruction_loss(0, x).item<double>(), 0.5 * layer1_before);

  m::AutoencoderTraining full = pretrain_only;
  full.finetune_steps = 300;
  m::StackedAutoencoder a(spec), b(spec);
  std::vector<std::string> stages;
  m::train_autoencoder(a, x, full, [&](const std::string& stage, int64_t, int64_t) {
    if (stages.empty() || stages.back() != stage) stages.push_back(stage);
  });
  m::train_autoencoder(b, x, full);
  const double after = m::reconstruction_error(a, x);
  EXPECT_LT(after, 0.2 * before) << "before " << before << ", after " << after;
  EXPECT_LT(after, m::reconstruction_error(pretrained, x));
  EXPECT_EQ(stages, (std::vector<std::string>{"layer 1", "layer 2", "fine-tuning"}));
  EXPECT_TRUE(torch::equal(a->encode(x), b->encode(x)));  // same seed, same model
  EXPECT_EQ(a->encode(x).sizes(), (std::vector<int64_t>{2000, 2}));
  EXPECT_THROW(m::train_autoencoder(a, x.narrow(1, 0, 5), full), nfx::Error);
}
