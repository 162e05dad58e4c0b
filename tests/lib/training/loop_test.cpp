// The shared training loop on a small regression task: the loss falls, a resumed run continues exactly as
// an uninterrupted one, the time budget carries across runs, cancelling leaves a loadable checkpoint, two
// optimizers alternate, and the batch shared over threads gives one thread's gradients.
#include "test_support.hpp"

#include <nfx/training/ema.hpp>
#include <nfx/training/gradients.hpp>
#include <nfx/training/loop.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/random.hpp>

#include <torch/torch.h>

#include <fstream>
#include <iterator>
#include <thread>

using namespace nfx::training;

namespace {

AdamSettings adam_at(double learning_rate) {
  AdamSettings s;
  s.learning_rate = learning_rate;
  return s;
}

// y = x . w* + 0.5 with a little noise; a Linear(4, 1) learns it with Adam, 8 batches of 16 per epoch in
// an order drawn from the run's generator.
class Regression : public Task {
 public:
  explicit Regression(std::chrono::milliseconds step_time = std::chrono::milliseconds(0)) : step_time_(step_time) {
    torch::Generator data = make_generator(5);
    x_ = torch::randn({160, 4}, data, torch::kDouble);
    y_ = torch::matmul(x_, torch::tensor({1.0, -2.0, 0.5, 3.0}, torch::kDouble)).unsqueeze(1) + 0.5 +
         0.01 * torch::randn({160, 1}, data, torch::kDouble);
    torch::Generator init = make_generator(9);
    reset_parameters(*model, init);
    model->to(torch::kDouble);
    optimizer = make_adam(model->parameters(), adam_at(0.05));
  }

  int64_t steps_per_epoch() const override { return 8; }
  void begin_epoch(Run& run) override { order_ = torch::randperm(128, run.generator()); }
  Values step(Run&, int64_t index) override {
    if (step_time_.count() > 0) std::this_thread::sleep_for(step_time_);
    const torch::Tensor rows = order_.narrow(0, index * 16, 16);
    optimizer->zero_grad();
    const torch::Tensor loss = torch::mse_loss(model->forward(x_.index({rows})), y_.index({rows}));
    loss.backward();
    clipped_step(*optimizer, 0);
    ++steps_taken;
    return {{"loss", loss.item<double>()}};
  }
  Values validate(Run&) override {
    torch::NoGradGuard no_grad;
    return {{"loss", torch::mse_loss(model->forward(x_.narrow(0, 128, 32)), y_.narrow(0, 128, 32)).item<double>()}};
  }
  void save(CheckpointWriter& c) override {
    c.value("spec.inputs", int64_t{4});
    c.module("model", *model);
    c.optimizer("optimizer", *optimizer);
  }
  void load(CheckpointReader& c) override {
    if (c.integer("spec.inputs") != 4) throw CheckpointError(c.path() + ": another model");
    c.module("model", *model);
    c.optimizer("optimizer", *optimizer);
  }

  torch::nn::Linear model{4, 1};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  int64_t steps_taken = 0;

 private:
  std::chrono::milliseconds step_time_;
  torch::Tensor x_, y_, order_;
};

LoopOptions options_in(const std::string& out, int64_t epochs, double minutes = 0) {
  LoopOptions o;
  o.out = out;
  o.format = "nfx-test-regression-1";
  o.epochs = epochs;
  o.minutes = minutes;
  o.best = "loss";
  o.seed = 3;
  return o;
}

int count_lines(const std::string& path) {
  std::ifstream in(path);
  int lines = 0;
  for (std::string line; std::getline(in, line);) ++lines;
  return lines;
}

}  // namespace

TEST(TrainingLoop, TheLossFallsAndTheCurveAndBothCheckpointsAreWritten) {
  nfx::test::TempDir dir;
  Regression task;
  Loop loop(task, options_in(dir.path().string(), 6));
  std::vector<EpochResult> epochs;
  while (!loop.done()) epochs.push_back(loop.run_epoch());
  ASSERT_EQ(epochs.size(), 6u);
  EXPECT_LT(epochs.back().held_out[0].second, 0.1 * epochs.front().held_out[0].second);
  EXPECT_EQ(loop.progress().step, 48);
  EXPECT_TRUE(std::filesystem::exists(loop.best_path()));
  EXPECT_TRUE(std::filesystem::exists(dir.path() / "curve.png"));
  std::ifstream csv(dir / "curve.csv");
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "epoch,step,seconds,train_loss,held_out_loss");
  EXPECT_EQ(count_lines(dir / "curve.csv"), 7);
  EXPECT_EQ(loop.run_epoch().steps, 0) << "a finished loop takes no more steps";
  EXPECT_EQ(count_lines(dir / "curve.csv"), 7);
  // best.pt holds the lowest held-out loss, which the last epoch has here.
  CheckpointReader best(loop.best_path().string(), "nfx-test-regression-1");
  EXPECT_DOUBLE_EQ(best.progress().best, epochs.back().held_out[0].second);
}

TEST(TrainingLoop, AResumedRunContinuesExactlyAsAnUninterruptedOne) {
  nfx::test::TempDir straight_dir, split_dir;
  Regression straight;
  Loop(straight, options_in(straight_dir.path().string(), 4)).run();
  {
    Regression first;
    Loop(first, options_in(split_dir.path().string(), 2)).run();
  }
  Regression second;
  Loop resumed(second, options_in(split_dir.path().string(), 4));
  resumed.run();
  EXPECT_EQ(second.steps_taken, 16) << "the resumed run trains only the two epochs left";
  EXPECT_TRUE(torch::equal(straight.model->weight, second.model->weight));
  EXPECT_TRUE(torch::equal(straight.model->bias, second.model->bias));
  EXPECT_EQ(count_lines(split_dir / "curve.csv"), 5);
}

TEST(TrainingLoop, TheTimeBudgetCarriesAcrossResumedRuns) {
  nfx::test::TempDir dir;
  const auto step_time = std::chrono::milliseconds(40);
  const double minutes = 0.4 / 60.0;  // 0.4 s of training over all runs
  Regression first(step_time);
  Loop(first, options_in(dir.path().string(), 0, minutes)).run();
  EXPECT_GE(first.steps_taken, 1);
  EXPECT_LE(first.steps_taken, 11) << "0.4 s of 40 ms steps";
  Regression again(step_time);
  Loop same_budget(again, options_in(dir.path().string(), 0, minutes));
  same_budget.run();
  EXPECT_EQ(again.steps_taken, 0) << "the budget was spent by the first run";
  EXPECT_GE(same_budget.progress().seconds, 0.4);
  Regression more(step_time);
  Loop larger(more, options_in(dir.path().string(), 0, 2 * minutes));
  larger.run();
  EXPECT_GE(more.steps_taken, 1);
  EXPECT_GE(larger.progress().seconds, 0.8);
}

TEST(TrainingLoop, CancellingLeavesTheLastCheckpointLoadableAndResumable) {
  nfx::test::TempDir dir;
  Regression task;
  LoopHooks hooks;
  hooks.cancelled = [&task] { return task.steps_taken >= 11; };
  Loop loop(task, options_in(dir.path().string(), 5), hooks);
  loop.run();
  EXPECT_EQ(task.steps_taken, 11);
  CheckpointReader saved(loop.checkpoint_path().string(), "nfx-test-regression-1");
  EXPECT_EQ(saved.progress().step, 11);
  EXPECT_EQ(saved.progress().epoch, 2) << "the cancelled epoch counts";
  Regression resumed;
  Loop again(resumed, options_in(dir.path().string(), 5));
  again.run();
  EXPECT_EQ(resumed.steps_taken, 24) << "epochs 3 to 5";
}

TEST(TrainingLoop, ACheckpointOfAnotherKindIsRefusedNamingTheFile) {
  nfx::test::TempDir dir;
  CheckpointWriter other("nfx-something-else-1");
  other.save(dir / "checkpoint.pt");
  Regression task;
  Loop loop(task, options_in(dir.path().string(), 1));
  try {
    loop.begin();
    FAIL() << "resumed from a checkpoint of another kind";
  } catch (const CheckpointError& e) {
    EXPECT_NE(std::string(e.what()).find(dir / "checkpoint.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nfx-something-else-1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(Loop(task, options_in(dir.path().string(), 0, 0)), std::invalid_argument) << "no limit at all";
}

// A GAN's shape: two models, two optimizers, alternating within one step.
TEST(TrainingLoop, TwoModelsWithTwoOptimizersAlternateAndBothResume) {
  struct TwoPlayers : Task {
    torch::nn::Linear a{2, 1}, b{1, 1};
    std::unique_ptr<torch::optim::Optimizer> opt_a, opt_b;
    std::vector<std::string> order;
    TwoPlayers() {
      torch::Generator g = make_generator(1);
      reset_parameters(*a, g);
      reset_parameters(*b, g);
      opt_a = make_adam(a->parameters(), adam_at(0.05));
      opt_b = make_adam(b->parameters(), adam_at(0.05));
    }
    int64_t steps_per_epoch() const override { return 10; }
    Values step(nfx::training::Run& run, int64_t) override {
      const torch::Tensor x = torch::randn({32, 2}, run.generator());
      opt_a->zero_grad();
      const torch::Tensor la = (a->forward(x) - x.sum(1, true)).pow(2).mean();
      la.backward();
      clipped_step(*opt_a, 0);
      order.push_back("a");
      opt_b->zero_grad();  // b learns to undo a, on a's output without gradients into a
      const torch::Tensor lb = (b->forward(a->forward(x).detach()) - 2 * x.sum(1, true)).pow(2).mean();
      lb.backward();
      clipped_step(*opt_b, 0);
      order.push_back("b");
      return {{"a_loss", la.item<double>()}, {"b_loss", lb.item<double>()}};
    }
    Values validate(nfx::training::Run&) override { return {}; }
    void save(CheckpointWriter& c) override {
      c.module("a", *a);
      c.module("b", *b);
      c.optimizer("a_optimizer", *opt_a);
      c.optimizer("b_optimizer", *opt_b);
    }
    void load(CheckpointReader& c) override {
      c.module("a", *a);
      c.module("b", *b);
      c.optimizer("a_optimizer", *opt_a);
      c.optimizer("b_optimizer", *opt_b);
    }
  };
  nfx::test::TempDir dir;
  TwoPlayers players;
  LoopOptions o = options_in(dir.path().string(), 8);
  o.best.clear();
  Loop loop(players, o);
  EpochResult first = loop.run_epoch(), last;
  while (!loop.done()) last = loop.run_epoch();
  EXPECT_EQ(players.order.size(), 160u);
  for (size_t i = 0; i < players.order.size(); ++i) EXPECT_EQ(players.order[i], i % 2 == 0 ? "a" : "b");
  ASSERT_EQ(last.train.size(), 2u);
  EXPECT_LT(last.train[0].second, 0.1 * first.train[0].second);
  EXPECT_LT(last.train[1].second, 0.5 * first.train[1].second);
  // Both optimizers come back with their own step counts.
  TwoPlayers restored;
  CheckpointReader c(loop.checkpoint_path().string(), "nfx-test-regression-1");
  restored.load(c);
  for (auto* opt : {restored.opt_a.get(), restored.opt_b.get()}) {
    const auto& state = static_cast<torch::optim::AdamParamState&>(*opt->state().begin()->second);
    EXPECT_EQ(state.step(), 80);
  }
  EXPECT_TRUE(torch::equal(restored.b->weight, players.b->weight));
}

TEST(TrainingEma, TheAverageFollowsItsFormulaAndSurvivesACheckpoint) {
  torch::nn::Linear model(1, 1);
  {
    torch::NoGradGuard no_grad;
    model->weight.fill_(1.0);
    model->bias.fill_(0.0);
  }
  ExponentialMovingAverage ema(*model, 0.9, /*warmup=*/false);
  double expected = 1.0;
  for (double w : {2.0, 4.0, 8.0}) {
    torch::NoGradGuard no_grad;
    model->weight.fill_(w);
    ema.update(*model);
    expected = 0.9 * expected + 0.1 * w;
  }
  torch::nn::Linear copy(1, 1);
  ema.copy_to(*copy);
  EXPECT_NEAR(copy->weight.item<double>(), expected, 1e-6);  // 1 -> 1.1 -> 1.39 -> 2.051
  EXPECT_NEAR(expected, 2.051, 1e-12);
  torch::serialize::OutputArchive out;
  ema.save(out);
  nfx::test::TempDir dir;
  out.save_to(dir / "ema.pt");
  torch::serialize::InputArchive in;
  in.load_from(dir / "ema.pt");
  ExponentialMovingAverage loaded(*model, 0.9, false);
  loaded.load(in);
  EXPECT_EQ(loaded.updates(), 3);
  torch::nn::Linear again(1, 1);
  loaded.copy_to(*again);
  EXPECT_NEAR(again->weight.item<double>(), expected, 1e-6);
  torch::nn::Linear other(2, 1);
  EXPECT_THROW(loaded.copy_to(*other), std::invalid_argument) << "another architecture";
}

TEST(TrainingEma, TheWarmUpFollowsTheShorterMemoryAtFirst) {
  torch::nn::Linear model(1, 1);
  {
    torch::NoGradGuard no_grad;
    model->weight.fill_(0.0);
  }
  ExponentialMovingAverage ema(*model, 0.999);
  {
    torch::NoGradGuard no_grad;
    model->weight.fill_(10.0);
  }
  ema.update(*model);  // decay min(0.999, 1/10) = 0.1: 0.1 * 0 + 0.9 * 10
  torch::nn::Linear copy(1, 1);
  ema.copy_to(*copy);
  EXPECT_NEAR(copy->weight.item<double>(), 9.0, 1e-5);
}

// The combination point: shares on several threads and micro-batches one after another give the gradient of
// the whole batch on one thread, and leave LibTorch's thread setting as it was.
TEST(TrainingGradients, SharesAndMicroBatchesGiveTheWholeBatchsGradient) {
  torch::Generator g = make_generator(4);
  torch::nn::Sequential net(torch::nn::Linear(3, 8), torch::nn::Tanh(), torch::nn::Linear(8, 2));
  reset_parameters(*net, g);
  net->to(torch::kDouble);
  const torch::Tensor x = torch::randn({23, 3}, g, torch::kDouble), t = torch::randn({23, 2}, g, torch::kDouble);
  const std::vector<torch::Tensor> params = net->parameters();
  const torch::Tensor whole = (net->forward(x) - t).pow(2).sum() / 23.0;
  const std::vector<torch::Tensor> expected = torch::autograd::grad({whole}, params);
  const int threads_before = at::get_num_threads();
  for (const ShareOptions options : {ShareOptions{1, 1}, ShareOptions{2, 1}, ShareOptions{3, 4}, ShareOptions{0, 23}}) {
    SCOPED_TRACE("threads " + std::to_string(options.threads) + ", micro-batches " + std::to_string(options.accumulation));
    const double loss = combined_backward(params, 23, [&](int64_t first, int64_t count) {
      return (net->forward(x.narrow(0, first, count)) - t.narrow(0, first, count)).pow(2).sum() / 23.0;
    }, options);
    EXPECT_NEAR(loss, whole.item<double>(), 1e-12);
    for (size_t p = 0; p < params.size(); ++p) {
      EXPECT_LT((params[p].grad() - expected[p]).abs().max().item<double>(), 1e-12) << "parameter " << p;
    }
    EXPECT_EQ(at::get_num_threads(), threads_before);
  }
  EXPECT_THROW(combined_backward(params, 4, [&](int64_t first, int64_t) -> torch::Tensor {
                 if (first > 0) throw std::runtime_error("a share failed");
                 return net->forward(x.narrow(0, 0, 1)).sum();
               }, {2, 1}),
               std::runtime_error);
}

// resume = false replaces an earlier run only once the new run's first checkpoint is written: stopped
// before that, the earlier run is intact (it used to be deleted at the start; issue 13).
TEST(TrainingLoop, AFreshStartKeepsTheEarlierRunUntilItsOwnFirstCheckpoint) {
  nfx::test::TempDir dir;
  {
    Regression earlier;
    Loop(earlier, options_in(dir.path().string(), 3)).run();
  }
  ASSERT_EQ(count_lines(dir / "curve.csv"), 4);
  Regression fresh;
  LoopOptions options = options_in(dir.path().string(), 2);
  options.resume = false;
  Loop loop(fresh, options);
  loop.begin();
  EXPECT_EQ(count_lines(dir / "curve.csv"), 4) << "nothing replaced before the first checkpoint";
  EXPECT_EQ(CheckpointReader(loop.checkpoint_path().string(), "nfx-test-regression-1").progress().epoch, 3);
  EXPECT_TRUE(std::filesystem::exists(loop.best_path()));
  loop.run_epoch();
  EXPECT_EQ(count_lines(dir / "curve.csv"), 2) << "the new run's curve alone";
  EXPECT_EQ(CheckpointReader(loop.checkpoint_path().string(), "nfx-test-regression-1").progress().epoch, 1);
  EXPECT_EQ(CheckpointReader(loop.best_path().string(), "nfx-test-regression-1").progress().epoch, 1);
}

// The checkpoint carries the curve and curve.csv is rewritten from it after each checkpoint: rows that a
// run killed between the two writes left behind (here: a stray row and a stale .partial) are gone after
// the resumed run's next epoch, and no epoch appears twice (issue 13).
TEST(TrainingLoop, ARunKilledBetweenCheckpointAndCurveLeavesNoDuplicateRow) {
  nfx::test::TempDir dir;
  {
    Regression first;
    Loop(first, options_in(dir.path().string(), 2)).run();
  }
  std::ifstream in(dir / "curve.csv");
  const std::string two_epochs((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::ofstream(dir / "curve.csv", std::ios::app) << "3,24,0.1,9.9,9.9\n";  // the killed run's epoch 3
  std::ofstream(dir / "checkpoint.pt.partial");                              // and its unfinished checkpoint
  Regression resumed;
  Loop(resumed, options_in(dir.path().string(), 3)).run();
  std::ifstream after(dir / "curve.csv");
  const std::string three_epochs((std::istreambuf_iterator<char>(after)), std::istreambuf_iterator<char>());
  EXPECT_EQ(count_lines(dir / "curve.csv"), 4) << three_epochs;
  EXPECT_EQ(three_epochs.rfind(two_epochs, 0), 0u) << "the first two rows are the first run's\n" << three_epochs;
  EXPECT_EQ(three_epochs.find("9.9"), std::string::npos) << three_epochs;
  EXPECT_FALSE(std::filesystem::exists(dir / "checkpoint.pt.partial"));
}
