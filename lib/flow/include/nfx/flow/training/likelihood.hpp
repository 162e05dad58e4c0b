// The flow's training objective: maximum likelihood on 8-bit images with uniform dequantization, fused
// Adam with a warm-up schedule and gradient-norm clipping, the batch shared over threads, and bits per
// dimension on held-out data. Everything model-agnostic comes from nfx::training.
#pragma once

#include <nfx/flow/model.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/schedule.hpp>

#include <torch/optim/adam.h>

#include <memory>
#include <string>

namespace nfx::flow {

// The step options with the flow's defaults. A cosine schedule follows set_budget_used: the rate falls to
// 0 as the budget runs out, which settles the model for its final evaluation.
struct TrainOptions : training::StepOptions {
  TrainOptions() {
    batch = 64;
    warmup_steps = 200;
  }
};

class LikelihoodTrainer {
 public:
  LikelihoodTrainer(std::shared_ptr<FlowModel> model, const TrainOptions& options);

  // One step on a batch of uint8 images (N x C x H x W), dequantized with noise from `generator`; returns
  // its loss in bits per dimension.
  double step(const torch::Tensor& images, torch::Generator& generator);
  // Mean bits per dimension over uint8 images, in batches, without gradients (dequantized with noise
  // from `seed`, so repeated evaluations agree).
  double evaluate(const torch::Tensor& images, uint64_t seed = 0);
  // ActNorm's data-dependent initialization from uint8 images (without gradients).
  void initialize(const torch::Tensor& images, torch::Generator& generator);

  int64_t steps_done() const { return steps_; }
  void set_steps_done(int64_t steps) { steps_ = steps; }  // after resuming: keeps the warm-up where it was
  // The share of the training budget spent so far, 0 to 1, for the cosine schedule.
  void set_budget_used(double fraction) { budget_used_ = fraction; }
  double learning_rate() const;  // the rate the next step uses
  const TrainOptions& options() const { return options_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  FlowModel& model() { return *model_; }

 private:
  std::shared_ptr<FlowModel> model_;
  TrainOptions options_;
  training::Schedule schedule_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int64_t steps_ = 0;
  double budget_used_ = 0.0;
  bool data_initialized_ = false;
};

// uint8 pixels to [0, 1) with uniform noise from `generator` in each 1/256 bin.
torch::Tensor dequantize_8bit(const torch::Tensor& images, torch::Generator& generator);

}  // namespace nfx::flow
