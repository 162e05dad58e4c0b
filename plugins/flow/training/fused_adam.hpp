// One Adam step with gradient-norm clipping as a single pass over each parameter's memory, on the state of
// a torch::optim::Adam (so checkpoints stay in its format). LibTorch's own clip_grad_norm_ and Adam::step
// run about a dozen small tensor operations per parameter; for the ~100 parameters of a flow that was
// ~10% of a training step.
#pragma once

#include <torch/torch.h>

namespace nfx::flow {

// Scales the gradients so their total L2 norm is at most clip_norm (as torch::nn::utils::clip_grad_norm_:
// factor clip_norm / (norm + 1e-6) when that is below 1), then applies Adam with the optimizer's options
// (lr, betas, eps; weight decay and amsgrad must be off) to every parameter with a gradient. Returns the
// norm before clipping.
double clipped_adam_step(torch::optim::Adam& adam, double clip_norm);

}  // namespace nfx::flow
