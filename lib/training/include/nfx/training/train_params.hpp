// The parameters every train node shares, declared once with one documentation: the loop's (output
// folder, time budget, epochs, steps per epoch, validation interval, seed, resume) and the optimizer step's
// (batch, learning rate, warm-up, schedule, gradient clipping). A train node adds them beside its model's
// own parameters and reads them back as the loop's options (examples/model_plugin/nodes/train_node.cpp).
#pragma once

#include <nfx/nfx.hpp>
#include <nfx/training/loop.hpp>
#include <nfx/training/optimizer.hpp>

#include <cstdint>

namespace nfx::training {

// The defaults a node gives the shared parameters: its model's good settings. The fields are in the order
// that most nodes change, so `{/*batch*/ 64, /*learning_rate*/ 1e-3}` gives the first ones.
struct TrainDefaults {
  int64_t batch = 16;
  double learning_rate = 1e-3;
  int64_t warmup_steps = 0;
  const char* schedule = "constant";  // static: the descriptor keeps the pointer
  int64_t steps_per_epoch = 0;        // 0: the task's own epoch (one pass over its data)
  double minutes = 10;
  double clip_norm = 50;
};

// Adds out, minutes, epochs, steps_per_epoch, validate_every, batch, learning_rate, warmup_steps, schedule,
// clip_norm, seed and resume to the node type.
nfx::NodeTypeBuilder& add_train_params(nfx::NodeTypeBuilder& node, const TrainDefaults& defaults);

struct TrainParams {
  LoopOptions loop;  // every field but format, best and higher_is_better, which are the node's to set
  StepOptions step;
};

// The shared parameters of a node created from a type built with add_train_params. Throws
// nfx::ParamError (at `minutes`) when neither a time budget nor a number of epochs is set.
TrainParams read_train_params(const nfx::Params& params);

}  // namespace nfx::training
