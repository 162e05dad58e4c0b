// The assess classifier's losses against values worked out by hand and against LibTorch's own
// cross_entropy, a few training steps of the compact CNN lowering its loss, and each imbalance remedy
// rebalancing as it says, and the grading model file refusing thresholds that would let items past
// review (issue 18).
#include "model/classifier.hpp"
#include "model/classifier_training.hpp"
#include "model/grading_model.hpp"

#include "test_support.hpp"

#include <nfx/base.hpp>
#include <nfx/training/checkpoint.hpp>
#include <nfx/training/random.hpp>

#include <gtest/gtest.h>

#include <torch/torch.h>

#include <cmath>

namespace a = nfx::assess;

TEST(ClassificationLoss, FocalAndWeightedLossesMatchHandValues) {
  const torch::Tensor logits = torch::tensor({{2.0, 0.0}, {0.0, 1.0}}, torch::kFloat64);
  const torch::Tensor labels = torch::tensor({0, 0}, torch::kInt64);
  // Item 0: p = e^2 / (e^2 + 1); item 1: p = 1 / (1 + e).
  const double p0 = std::exp(2.0) / (std::exp(2.0) + 1), p1 = 1 / (1 + std::exp(1.0));
  const double ce = (-std::log(p0) - std::log(p1)) / 2;
  EXPECT_NEAR(a::classification_loss(logits, labels, {}).item<double>(), ce, 1e-12);
  EXPECT_NEAR(a::classification_loss(logits, labels, {}).item<double>(),
              torch::nn::functional::cross_entropy(logits, labels).item<double>(), 1e-12);
  a::LossOptions focal;
  focal.focal_gamma = 2;
  const double fl = (-(1 - p0) * (1 - p0) * std::log(p0) - (1 - p1) * (1 - p1) * std::log(p1)) / 2;
  EXPECT_NEAR(a::classification_loss(logits, labels, focal).item<double>(), fl, 1e-12);

  // Weighted: labels 0 and 1 with weights 1 and 3, as cross_entropy's weighted mean.
  const torch::Tensor mixed = torch::tensor({0, 1}, torch::kInt64);
  a::LossOptions weighted;
  weighted.class_weights = {1.0, 3.0};
  const double expected = (1 * -std::log(p0) + 3 * -std::log(1 - p1)) / 4;
  EXPECT_NEAR(a::classification_loss(logits, mixed, weighted).item<double>(), expected, 1e-12);
  EXPECT_NEAR(a::classification_loss(logits, mixed, weighted).item<double>(),
              torch::nn::functional::cross_entropy(logits, mixed, torch::nn::functional::CrossEntropyFuncOptions().weight(
                                                                       torch::tensor({1.0, 3.0}, torch::kFloat64)))
                  .item<double>(),
              1e-12);
}

TEST(CompactCnn, AFewStepsLowerTheLossOnTwoKindsOfItem) {
  // Class 0: a bright square on the left; class 1: on the right; noise everywhere. 28 x 28 gray.
  torch::Generator g = nfx::training::make_generator(2);
  const int64_t n = 64;
  torch::Tensor x = torch::rand({n, 1, 28, 28}, g) * 0.3;
  const torch::Tensor labels = torch::arange(n, torch::kInt64) % 2;
  for (int64_t i = 0; i < n; ++i) {
    const int64_t left = labels[i].item<int64_t>() == 0 ? 4 : 16;
    x[i].narrow(1, 10, 8).narrow(2, left, 8).add_(0.7);
  }
  torch::manual_seed(3);
  a::CompactCnn model(1, 2);
  EXPECT_EQ(model->forward(x).sizes(), (std::vector<int64_t>{n, 2}));
  torch::optim::Adam adam(model->parameters(), torch::optim::AdamOptions(3e-3));
  const auto loss = [&] { return a::classification_loss(model->forward(x), labels, {}); };
  const double before = loss().item<double>();
  for (int step = 0; step < 30; ++step) {
    adam.zero_grad();
    loss().backward();
    adam.step();
  }
  model->eval();
  const double after = a::classification_loss(model->forward(x), labels, {}).item<double>();
  EXPECT_LT(after, 0.5 * before) << before << " -> " << after;
}

// Each remedy on an imbalanced set (56 of class 0, 8 of class 1): the pool it draws from (oversampling
// and SMOTE bring class 1 up to 56) and a loss that falls over 40 steps.
TEST(ClassifierTraining, EveryRemedyRebalancesAsItSaysAndLowersItsLoss) {
  torch::Generator g = nfx::training::make_generator(5);
  const int64_t n = 64;
  torch::Tensor x = (torch::rand({n, 1, 16, 16}, g) * 60).to(torch::kUInt8);
  const torch::Tensor labels = (torch::arange(n, torch::kInt64) % 8 == 0).to(torch::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    x[i].narrow(1, 4, 8).narrow(2, labels[i].item<int64_t>() == 0 ? 0 : 8, 8).add_(150);
  }
  for (const char* name : {"plain", "class-weights", "oversampling", "smote", "focal"}) {
    a::ClassifierTraining options;
    options.remedy = a::remedy_named(name);
    options.batch = 16;
    options.seconds = 0;
    options.max_steps = 40;
    options.seed = 1;
    a::TrainedClassifier trained = a::train_classifier(x, labels, 2, options);
    const bool rebalanced = options.remedy == a::Remedy::oversampling || options.remedy == a::Remedy::smote;
    EXPECT_EQ(trained.items, rebalanced ? 112 : 64) << name;
    EXPECT_EQ(trained.steps, 40) << name;
    EXPECT_LT(trained.last_loss, trained.first_loss) << name;
    const torch::Tensor logits = a::classifier_logits(trained.model, x);
    EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{n, 2})) << name;
  }
  EXPECT_THROW(a::remedy_named("magic"), nfx::Error);
}

TEST(GradingModelFile, RoundTripsAndRefusesAThresholdThatIsNoConfidence) {
  const nfx::test::TempDir dir;
  a::GradingModel model;
  model.classes = {"good", "chipped"};
  model.temperature = 1.5;
  model.thresholds = {0.9, a::kReviewAll};
  model.accepted = {true, false};
  model.classifier = a::CompactCnn(1, 2);
  const std::string path = (dir.path() / "grader.pt").string();
  a::save_grading_model(model, path);
  const a::GradingModel back = a::load_grading_model(path);
  EXPECT_EQ(back.classes, model.classes);
  EXPECT_EQ(back.thresholds, model.thresholds);
  EXPECT_EQ(back.accepted, model.accepted);
  EXPECT_EQ(back.temperature, 1.5);

  // NaN would pass every item without review (a comparison with NaN is false); so would a negative one
  // wrongly, and one above kReviewAll means nothing.
  for (double bad : {std::nan(""), -0.1, 3.0}) {
    model.thresholds = {0.9, bad};
    a::save_grading_model(model, path);
    try {
      a::load_grading_model(path);
      ADD_FAILURE() << "threshold " << bad << " accepted";
    } catch (const nfx::training::CheckpointError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("review threshold"), std::string::npos) << e.what();
    }
  }
}
