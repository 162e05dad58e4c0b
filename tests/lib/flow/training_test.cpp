// The flow's likelihood objective on the real digits of the sample data: held-out bits per dimension fall,
// sharing the batch over threads changes nothing, and conditional models survive their checkpoint.
#include "test_support.hpp"

#include <nfx/flow/training/checkpoint.hpp>
#include <nfx/flow/training/likelihood.hpp>
#include <nfx/training/digits.hpp>
#include <nfx/training/random.hpp>

using namespace nfx::flow;
using nfx::training::make_generator;

TEST(FlowTraining, AFewStepsLowerHeldOutBitsPerDim) {
  const nfx::training::ImageSplit digits = nfx::training::load_digits(nfx::test::sample("digits.png").string());
  for (Direction direction : {Direction::standard, Direction::inverse}) {
    SCOPED_TRACE(direction == Direction::inverse ? "inverse direction" : "standard direction");
    ModelSpec spec;
    spec.steps = 2;
    spec.hidden = 16;
    spec.mixing = "finc3";
    spec.direction = direction;
    auto model = std::make_shared<FlowModel>(spec, 7);
    TrainOptions options;
    options.batch = 32;
    options.learning_rate = 2e-3;
    options.warmup_steps = 5;
    LikelihoodTrainer trainer(model, options);
    torch::Generator generator = make_generator(7);
    const torch::Tensor held_out = digits.held_out.narrow(0, 0, 200);
    const torch::Tensor order = torch::randperm(digits.train.size(0), generator);
    trainer.initialize(digits.train.index({order.narrow(0, 0, 256)}), generator);  // ActNorm
    const double before = trainer.evaluate(held_out);
    for (int64_t s = 0; s < 40; ++s) trainer.step(digits.train.index({order.narrow(0, (s * 32) % 4480, 32)}), generator);
    const double after = trainer.evaluate(held_out);
    EXPECT_LT(after, before - 0.2) << "held-out bits/dim before " << before << ", after " << after;
  }
}

// With two threads a step shares the batch out between them; the result must be the step of one thread
// on the whole batch, up to float rounding.
TEST(FlowTraining, SharingTheBatchBetweenThreadsGivesTheSameStep) {
  const torch::Tensor batch = nfx::training::load_digits(nfx::test::sample("digits.png").string()).train.narrow(0, 0, 24);
  ModelSpec spec;
  spec.steps = 2;
  spec.hidden = 8;
  spec.mixing = "invconv1x1+finc3";
  std::vector<std::vector<torch::Tensor>> after;
  std::vector<double> losses;
  const int threads_before = torch::get_num_threads();
  for (int threads : {1, 2}) {
    torch::set_num_threads(threads);
    auto model = std::make_shared<FlowModel>(spec, 11);
    TrainOptions options;
    options.warmup_steps = 1;
    LikelihoodTrainer trainer(model, options);
    torch::Generator noise = make_generator(100);  // the same dequantization noise for both
    for (int s = 0; s < 3; ++s) losses.push_back(trainer.step(batch, noise));
    EXPECT_EQ(torch::get_num_threads(), threads) << "the step must leave the thread count alone";
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
  torch::Generator g = make_generator(1);
  const torch::Tensor x = torch::rand({3, 1, 20, 20}, g), cond = torch::rand({3, 2, 5, 5}, g);
  const torch::Tensor log_p = model.log_prob(x, cond).detach();
  save_model(dir / "conditional.pt", model);
  const std::shared_ptr<FlowModel> loaded = load_model(dir / "conditional.pt");
  EXPECT_EQ(loaded->spec().condition_channels, 2);
  EXPECT_TRUE(torch::allclose(loaded->log_prob(x, cond), log_p, 1e-5, 1e-4));
}

// The model's weights come from its seed alone.
TEST(FlowTraining, AModelIsDrawnFromItsSeed) {
  ModelSpec spec;
  spec.steps = 1;
  spec.hidden = 4;
  spec.mixing = "invconv1x1+finc3+periodic3";
  FlowModel a(spec, 5), b(spec, 5), c(spec, 6);
  size_t differ = 0;
  for (size_t i = 0; i < a.parameters().size(); ++i) {
    EXPECT_TRUE(torch::equal(a.parameters()[i], b.parameters()[i])) << "parameter " << i;
    differ += !torch::equal(a.parameters()[i], c.parameters()[i]);
  }
  EXPECT_GT(differ, a.parameters().size() / 3);
}
