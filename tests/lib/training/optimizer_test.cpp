// The fused Adam and AdamW steps against LibTorch's own, the schedules, and the seeded initializers.
#include <nfx/training/optimizer.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/schedule.hpp>

#include <gtest/gtest.h>
#include <torch/torch.h>

using namespace nfx::training;

namespace {

std::vector<torch::Tensor> some_parameters(torch::Generator& g) {
  // Mixed layouts: channels-last, plain, and a transposed view.
  return {torch::randn({4, 3, 3, 3}, g, torch::kDouble).contiguous(torch::MemoryFormat::ChannelsLast),
          torch::randn({7}, g, torch::kDouble), torch::randn({5, 5}, g, torch::kDouble).t()};
}

// The fused step against LibTorch's clip_grad_norm_ and step() from the same start over several steps, with
// gradients large enough to be clipped and small enough not to be, in float64.
void expect_same_as_libtorch(double weight_decay) {
  torch::Generator g = make_generator(3);
  std::vector<torch::Tensor> ours = some_parameters(g), theirs;
  for (torch::Tensor& p : ours) {
    p.requires_grad_(true);
    theirs.push_back(p.detach().clone().requires_grad_(true));
  }
  AdamSettings settings;
  settings.learning_rate = 0.01;
  settings.beta1 = 0.8;
  settings.beta2 = 0.95;
  settings.eps = 1e-6;
  settings.weight_decay = weight_decay;
  auto fused = make_adam(ours, settings);
  std::unique_ptr<torch::optim::Optimizer> reference;
  if (weight_decay > 0) {
    EXPECT_NE(dynamic_cast<torch::optim::AdamW*>(fused.get()), nullptr);
    reference = std::make_unique<torch::optim::AdamW>(
        theirs, torch::optim::AdamWOptions(0.01).betas({0.8, 0.95}).eps(1e-6).weight_decay(weight_decay));
  } else {
    reference = std::make_unique<torch::optim::Adam>(theirs, torch::optim::AdamOptions(0.01).betas({0.8, 0.95}).eps(1e-6));
  }
  for (int step = 0; step < 6; ++step) {
    const double scale = step % 2 == 0 ? 100.0 : 0.01;  // clipped, then not
    for (size_t i = 0; i < ours.size(); ++i) {
      const torch::Tensor grad = torch::randn(ours[i].sizes(), g, torch::kDouble) * scale;
      ours[i].mutable_grad() = grad.clone();
      theirs[i].mutable_grad() = grad.clone();
    }
    const double norm = clipped_step(*fused, 5.0);
    const double expected_norm = torch::nn::utils::clip_grad_norm_(theirs, 5.0);
    reference->step();
    EXPECT_NEAR(norm, expected_norm, 1e-9 * expected_norm);
    for (size_t i = 0; i < ours.size(); ++i) {
      EXPECT_LT((ours[i] - theirs[i]).abs().max().item<double>(), 1e-12) << "parameter " << i << ", step " << step;
    }
  }
}

}  // namespace

TEST(TrainingOptimizer, FusedAdamStepEqualsLibTorchsClipAndAdam) { expect_same_as_libtorch(0.0); }
TEST(TrainingOptimizer, FusedAdamWStepEqualsLibTorchsClipAndAdamW) { expect_same_as_libtorch(0.1); }

TEST(TrainingOptimizer, OtherOptimizersAndSettingsAreRefused) {
  torch::Tensor p = torch::zeros({2}, torch::requires_grad());
  p.mutable_grad() = torch::ones({2});
  torch::optim::SGD sgd({p}, torch::optim::SGDOptions(0.1));
  EXPECT_THROW(clipped_step(sgd, 1.0), std::invalid_argument);
  torch::optim::Adam l2({p}, torch::optim::AdamOptions(0.1).weight_decay(0.01));
  EXPECT_THROW(clipped_step(l2, 1.0), std::invalid_argument);
  set_learning_rate(sgd, 0.5);
  EXPECT_DOUBLE_EQ(sgd.param_groups()[0].options().get_lr(), 0.5);
}

TEST(TrainingSchedule, TheRateWarmsUpThenFollowsItsShape) {
  Schedule constant{0.01, 4, "constant"};
  EXPECT_DOUBLE_EQ(constant.at(0, 0.0), 0.0025);  // first step: 1/4 of the way up
  EXPECT_DOUBLE_EQ(constant.at(10, 0.5), 0.01);
  Schedule cosine{0.01, 4, "cosine"};
  EXPECT_DOUBLE_EQ(cosine.at(10, 0.0), 0.01);
  EXPECT_NEAR(cosine.at(10, 0.5), 0.005, 1e-15);
  EXPECT_NEAR(cosine.at(10, 1.5), 0.0, 1e-15) << "past the budget: stays at 0";
  EXPECT_THROW((Schedule{0.01, 0, "linear"}.at(0, 0)), std::invalid_argument);
}

TEST(TrainingRandom, InitializersDrawFromTheRunsGeneratorOnly) {
  torch::Generator global = torch::globalContext().defaultGenerator(torch::kCPU);
  auto make = [&](uint64_t seed) {
    torch::nn::Sequential net(torch::nn::Linear(10, 4), torch::nn::Conv2d(torch::nn::Conv2dOptions(3, 5, 3)),
                              torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(5, 2, 2)),
                              torch::nn::Embedding(torch::nn::EmbeddingOptions(100, 10).padding_idx(7)));
    const torch::Tensor global_before = global.get_state();  // the constructors drew from it; the reset must not
    torch::Generator g = make_generator(seed);
    EXPECT_EQ(reset_parameters(*net, g), 4);
    EXPECT_TRUE(torch::equal(global.get_state(), global_before)) << "the process-wide generator was drawn from";
    return net;
  };
  auto a = make(1), b = make(1), c = make(2);
  for (size_t i = 0; i < a->parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(a->parameters()[i], b->parameters()[i])) << "the same seed, the same weights";
    EXPECT_FALSE(torch::equal(a->parameters()[i], c->parameters()[i])) << "another seed, other weights";
  }
  // LibTorch's bounds: 1 / sqrt(fan_in), fan_in = 10 for the Linear, 3 * 3 * 3 for the convolution, and
  // 2 * 2 * 2 (weight dimension 1 times the kernel) for the transposed one.
  const double bounds[] = {1 / std::sqrt(10.0), 1 / std::sqrt(27.0), 1 / std::sqrt(8.0)};
  for (size_t m = 0; m < 3; ++m) {
    for (const torch::Tensor& p : a->ptr(m)->parameters()) {
      EXPECT_LE(p.abs().max().item<double>(), bounds[m]);
      EXPECT_GT(p.abs().max().item<double>(), 0.5 * bounds[m]);
    }
  }
  // The embedding's 990 drawn entries: N(0, 1) (mean within 4 standard errors, deviation within 10%); the
  // padding row stays zero.
  const torch::Tensor table = a->ptr(3)->parameters()[0].to(torch::kFloat64);
  EXPECT_EQ(table[7].abs().sum().item<double>(), 0.0);
  const torch::Tensor drawn = torch::cat({table.narrow(0, 0, 7), table.narrow(0, 8, 92)});
  EXPECT_LT(std::abs(drawn.mean().item<double>()), 4.0 / std::sqrt(990.0));
  EXPECT_NEAR(drawn.std().item<double>(), 1.0, 0.1);
  EXPECT_NE(derive_seed(1, "init"), derive_seed(1, "shuffle"));
  EXPECT_EQ(derive_seed(1, "init"), derive_seed(1, "init"));
}
