// Adam and AdamW steps with gradient-norm clipping as a single pass over each parameter's memory, on the
// state of a torch::optim::Adam / AdamW (so checkpoints stay in LibTorch's format). LibTorch's own
// clip_grad_norm_ and step() run about a dozen small tensor operations per parameter; for the ~100
// parameters of a flow that was ~10% of a training step.
#pragma once

#include <torch/optim/adam.h>
#include <torch/optim/adamw.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace nfx::training {

// What every task's optimizer step takes; a train node reads them from its shared parameters
// (train_params.hpp).
struct StepOptions {
  int64_t batch = 16;                 // examples (images or patches) per step
  double learning_rate = 1e-3;        // after warm-up
  int64_t warmup_steps = 0;           // the learning rate grows linearly to its value over these steps
  std::string schedule = "constant";  // after warm-up: constant, or cosine (Schedule::shape)
  double clip_norm = 50.0;            // gradient norm above which gradients are scaled down
};

struct AdamSettings {
  double learning_rate = 1e-3;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
  double weight_decay = 0.0;  // decoupled (AdamW) when > 0
};

// torch::optim::Adam when weight_decay is 0, torch::optim::AdamW otherwise.
std::unique_ptr<torch::optim::Optimizer> make_adam(const std::vector<torch::Tensor>& parameters, const AdamSettings& settings);

// Scales the gradients of every parameter of `optimizer` so their total L2 norm is at most clip_norm (as
// torch::nn::utils::clip_grad_norm_: factor clip_norm / (norm + 1e-6) when that is below 1; clip_norm <= 0
// clips nothing), then applies the optimizer's update (Adam, or AdamW's decoupled weight decay; amsgrad
// and Adam's L2 weight decay are refused) to every parameter with a gradient. Returns the norm before
// clipping. Throws std::invalid_argument for another kind of optimizer.
double clipped_step(torch::optim::Optimizer& optimizer, double clip_norm);

// Sets the learning rate of every parameter group (Adam, AdamW or SGD).
void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate);

}  // namespace nfx::training
