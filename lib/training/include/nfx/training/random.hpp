// Random numbers owned by a run. A plugin never reseeds LibTorch's process-wide generator (other nodes draw
// from it while it runs), so every draw of a run comes from generators the run makes from its seed.
// LibTorch 1.13's module constructors draw from the process-wide generator: reset_parameters redraws
// their parameters from a run's generator instead.
#pragma once

#include <torch/nn/module.h>
#include <torch/types.h>

#include <cstdint>
#include <string>

namespace nfx::training {

// A CPU generator seeded with `seed`.
torch::Generator make_generator(uint64_t seed);

// A seed for one purpose of a run ("init", "shuffle", "noise" ...): different purposes get unrelated
// streams from one run seed, and the same (seed, purpose) always the same stream.
uint64_t derive_seed(uint64_t seed, const std::string& purpose);

// Redraws the parameters of every Linear, Conv1d/2d/3d, ConvTranspose1d/2d/3d and Embedding inside `module` (itself
// included) as LibTorch's constructors draw them: weights uniform in +-1/sqrt(fan_in) (Kaiming-uniform
// with a = sqrt(5)) and biases uniform in +-1/sqrt(fan_in), and every Embedding's table from N(0, 1), all
// from `generator`. Returns how many modules were reset.
int reset_parameters(torch::nn::Module& module, torch::Generator& generator);

}  // namespace nfx::training
