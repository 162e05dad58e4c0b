// Maximum-likelihood training of a FlowModel on 8-bit images: uniform dequantization, Adam with a linear
// warm-up and gradient-norm clipping, and bits per dimension on held-out data.
#pragma once

#include "model.hpp"

#include <memory>
#include <string>

namespace nfx::flow {

struct TrainOptions {
  int64_t batch = 64;
  double learning_rate = 1e-3;
  int64_t warmup_steps = 200;  // the learning rate grows linearly to its value over these steps
  double clip_norm = 50.0;     // gradient norm above which gradients are scaled down
  // After warm-up: "constant", or "cosine": the rate falls along half a cosine to 0 as the budget runs
  // out (see Trainer::set_budget_used), which settles the model for its final evaluation.
  std::string schedule = "constant";
};

class Trainer {
 public:
  Trainer(std::shared_ptr<FlowModel> model, const TrainOptions& options);

  // One step on a batch of uint8 images (N x C x H x W); returns its loss in bits per dimension.
  double step(const torch::Tensor& images);
  // Mean bits per dimension over uint8 images, in batches, without gradients (dequantized with noise
  // from `seed`, so repeated evaluations agree).
  double evaluate(const torch::Tensor& images, uint64_t seed = 0);
  int64_t steps_done() const { return steps_; }
  const TrainOptions& options() const { return options_; }
  void set_steps_done(int64_t steps) { steps_ = steps; }  // after resuming: keeps the warm-up where it was
  // The share of the training budget spent so far, 0 to 1, for the cosine schedule.
  void set_budget_used(double fraction) { budget_used_ = fraction; }
  // The learning rate the next step uses.
  double learning_rate() const;
  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  // Forward and backward of the mean loss over x, the batch shared out over the threads; sets the
  // parameters' gradients and returns the loss.
  double backward_in_shares(const torch::Tensor& x);

  std::shared_ptr<FlowModel> model_;
  TrainOptions options_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int64_t steps_ = 0;
  double budget_used_ = 0.0;
  bool data_initialized_ = false;
};

// uint8 pixels to [0, 1) with uniform noise in each 1/256 bin.
torch::Tensor dequantize_8bit(const torch::Tensor& images, torch::Generator* generator = nullptr);

}  // namespace nfx::flow
