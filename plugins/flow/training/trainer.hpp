// Maximum-likelihood training of a FlowModel on 8-bit images: uniform dequantization, Adam with a linear
// warm-up and gradient-norm clipping, and bits per dimension on held-out data.
#pragma once

#include "model.hpp"

#include <memory>

namespace nfx::flow {

struct TrainOptions {
  int64_t batch = 64;
  double learning_rate = 1e-3;
  int64_t warmup_steps = 200;  // the learning rate grows linearly to its value over these steps
  double clip_norm = 50.0;     // gradient norm above which gradients are scaled down
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
  torch::optim::Optimizer& optimizer() { return *optimizer_; }

 private:
  std::shared_ptr<FlowModel> model_;
  TrainOptions options_;
  std::unique_ptr<torch::optim::Adam> optimizer_;
  int64_t steps_ = 0;
};

// uint8 pixels to [0, 1) with uniform noise in each 1/256 bin.
torch::Tensor dequantize_8bit(const torch::Tensor& images, torch::Generator* generator = nullptr);

}  // namespace nfx::flow
