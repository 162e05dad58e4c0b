// Training on the real digits of the sample data lowers held-out bits per dimension.
#include "test_support.hpp"

#include <checkpoint.hpp>
#include <digits.hpp>
#include <fused_adam.hpp>
#include <trainer.hpp>

using namespace nfx::flow;

TEST(FlowTraining, ImageSplitIsEveryTenthDigitHeldOut) {
  const ImageSplit digits = load_digits(nfx::test::sample("digits.png").string());
  EXPECT_EQ(digits.train.sizes(), (std::vector<int64_t>{4500, 1, 20, 20}));
  EXPECT_EQ(digits.held_out.sizes(), (std::vector<int64_t>{500, 1, 20, 20}));
  // Digits are written on black: some ink, mostly background.
  const double ink = (digits.train > 127).to(torch::kFloat).mean().item<double>();
  EXPECT_GT(ink, 0.05);
  EXPECT_LT(ink, 0.5);
  EXPECT_THROW(load_digits("/no/such/digits.png"), std::runtime_error);
}

TEST(FlowTraining, AFewStepsLowerHeldOutBitsPerDim) {
  torch::manual_seed(7);
  const ImageSplit digits = load_digits(nfx::test::sample("digits.png").string());
  for (Direction direction : {Direction::standard, Direction::inverse}) {
    SCOPED_TRACE(direction == Direction::inverse ? "inverse direction" : "standard direction");
    ModelSpec spec;
    spec.steps = 2;
    spec.hidden = 16;
    spec.mixing = "finc3";
    spec.direction = direction;
    auto model = std::make_shared<FlowModel>(spec);
    TrainOptions options;
    options.batch = 32;
    options.learning_rate = 2e-3;
    options.warmup_steps = 5;
    Trainer trainer(model, options);
    const torch::Tensor held_out = digits.held_out.narrow(0, 0, 200);
    const torch::Tensor order = torch::randperm(digits.train.size(0));
    {
      torch::NoGradGuard no_grad;
      model->log_prob(dequantize_8bit(digits.train.index({order.narrow(0, 0, 256)})));  // ActNorm init
    }
    const double before = trainer.evaluate(held_out);
    for (int64_t s = 0; s < 40; ++s) trainer.step(digits.train.index({order.narrow(0, (s * 32) % 4480, 32)}));
    const double after = trainer.evaluate(held_out);
    EXPECT_LT(after, before - 0.2) << "held-out bits/dim before " << before << ", after " << after;
  }
}

// The fused step against LibTorch's own clip_grad_norm_ and Adam, from the same start, over several steps
// with gradients large enough to be clipped and small enough not to be, in float64.
TEST(FlowTraining, FusedAdamStepEqualsLibTorchsClipAndAdam) {
  torch::manual_seed(3);
  auto make = [] {
    return std::vector<torch::Tensor>{torch::randn({4, 3, 3, 3}, torch::kDouble).contiguous(torch::MemoryFormat::ChannelsLast),
                                      torch::randn({7}, torch::kDouble), torch::randn({5, 5}, torch::kDouble).t()};
  };
  std::vector<torch::Tensor> ours = make(), theirs;
  for (torch::Tensor& p : ours) {
    p.requires_grad_(true);
    theirs.push_back(p.detach().clone().requires_grad_(true));
  }
  const auto options = torch::optim::AdamOptions(0.01).betas({0.8, 0.95}).eps(1e-6);
  torch::optim::Adam fused(ours, options), reference(theirs, options);
  for (int step = 0; step < 6; ++step) {
    const double scale = step % 2 == 0 ? 100.0 : 0.01;  // clipped, then not
    for (size_t i = 0; i < ours.size(); ++i) {
      const torch::Tensor g = torch::randn(ours[i].sizes(), torch::kDouble) * scale;
      ours[i].mutable_grad() = g.clone();
      theirs[i].mutable_grad() = g.clone();
    }
    const double norm = clipped_adam_step(fused, 5.0);
    const double expected_norm = torch::nn::utils::clip_grad_norm_(theirs, 5.0);
    reference.step();
    EXPECT_NEAR(norm, expected_norm, 1e-9 * expected_norm);
    for (size_t i = 0; i < ours.size(); ++i) {
      EXPECT_LT((ours[i] - theirs[i]).abs().max().item<double>(), 1e-12) << "parameter " << i << ", step " << step;
    }
  }
}

TEST(FlowTraining, LearningRateWarmsUpThenFollowsItsSchedule) {
  ModelSpec spec;
  spec.steps = 1;
  spec.hidden = 4;
  TrainOptions options;
  options.learning_rate = 0.01;
  options.warmup_steps = 4;
  Trainer constant(std::make_shared<FlowModel>(spec), options);
  EXPECT_DOUBLE_EQ(constant.learning_rate(), 0.0025);  // first step: 1/4 of the way up
  constant.set_steps_done(10);
  constant.set_budget_used(0.5);
  EXPECT_DOUBLE_EQ(constant.learning_rate(), 0.01);
  options.schedule = "cosine";
  Trainer cosine(std::make_shared<FlowModel>(spec), options);
  cosine.set_steps_done(10);
  EXPECT_DOUBLE_EQ(cosine.learning_rate(), 0.01);
  cosine.set_budget_used(0.5);
  EXPECT_NEAR(cosine.learning_rate(), 0.005, 1e-15);
  cosine.set_budget_used(1.5);  // past the budget: stays at 0
  EXPECT_NEAR(cosine.learning_rate(), 0.0, 1e-15);
}

// With two threads a step shares the batch out between them; the result must be the step of one thread
// on the whole batch, up to float rounding.
TEST(FlowTraining, SharingTheBatchBetweenThreadsGivesTheSameStep) {
  const ImageSplit digits = load_digits(nfx::test::sample("digits.png").string());
  const torch::Tensor batch = digits.train.narrow(0, 0, 24);
  ModelSpec spec;
  spec.steps = 2;
  spec.hidden = 8;
  spec.mixing = "invconv1x1+finc3";
  std::vector<std::vector<torch::Tensor>> after;
  std::vector<double> losses;
  const int threads_before = torch::get_num_threads();
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    torch::manual_seed(11);
    auto model = std::make_shared<FlowModel>(spec);
    TrainOptions options;
    options.warmup_steps = 1;
    Trainer trainer(model, options);
    for (int s = 0; s < 3; ++s) {
      torch::manual_seed(100 + s);  // the same dequantization noise for both
      losses.push_back(trainer.step(batch));
    }
    EXPECT_EQ(torch::get_num_threads(), threads) << "the step must give the thread count back";
    after.emplace_back();
    for (const torch::Tensor& p : model->parameters()) after.back().push_back(p.detach().clone());
  }
  torch::set_num_threads(threads_before);
  for (int s = 0; s < 3; ++s) EXPECT_NEAR(losses[s], losses[3 + s], 1e-4) << "step " << s;
  for (size_t i = 0; i < after[0].size(); ++i) {
    EXPECT_LT((after[0][i] - after[1][i]).abs().max().item<double>(), 1e-4) << "parameter " << i;
  }
}

// A conditional model comes back from its checkpoint as the same conditional model.
TEST(FlowTraining, ConditionalModelsSurviveTheirCheckpoint) {
  nfx::test::TempDir dir;
  ModelSpec spec;
  spec.steps = 1;
  spec.hidden = 4;
  spec.condition_channels = 2;
  FlowModel model(spec);
  const torch::Tensor x = torch::rand({3, 1, 20, 20}), cond = torch::rand({3, 2, 5, 5});
  const torch::Tensor log_p = model.log_prob(x, cond).detach();
  save_checkpoint(dir / "conditional.pt", model, nullptr, {});
  const Checkpoint loaded = load_checkpoint(dir / "conditional.pt");
  EXPECT_EQ(loaded.model->spec().condition_channels, 2);
  EXPECT_TRUE(torch::allclose(loaded.model->log_prob(x, cond), log_p, 1e-5, 1e-4));
}
