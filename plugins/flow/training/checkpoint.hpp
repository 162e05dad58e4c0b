// Checkpoints: the model's spec, parameters and buffers, the optimizer's state and the training progress in
// one file, written to a temporary file and renamed, so a run killed at any moment leaves the previous
// checkpoint intact.
#pragma once

#include "model.hpp"

#include <torch/torch.h>

#include <memory>
#include <string>

namespace nfx::flow {

struct TrainingProgress {
  int64_t epoch = 0, step = 0;
  double seconds = 0;  // training time so far, over every run
};

void save_checkpoint(const std::string& path, FlowModel& model, torch::optim::Optimizer* optimizer,
                     const TrainingProgress& progress);

struct Checkpoint {
  std::shared_ptr<FlowModel> model;
  TrainingProgress progress;
};

// Rebuilds the model from the stored spec and loads its state; with `optimizer`, also the optimizer's
// state (the optimizer must have been made for the returned model's parameters: use load_into). Throws
// std::runtime_error naming the file if it is missing or not an nfx flow checkpoint.
Checkpoint load_checkpoint(const std::string& path);
void load_into(const std::string& path, FlowModel& model, torch::optim::Optimizer& optimizer, TrainingProgress& progress);

}  // namespace nfx::flow
