// An exponential moving average of a model's weights (diffusion models and GANs sample from it):
// avg = decay * avg + (1 - decay) * weight after every step; buffers (ActNorm flags, batch-norm statistics)
// are copied as they are.
#pragma once

#include <torch/nn/module.h>
#include <torch/serialize/archive.h>

#include <string>
#include <utility>
#include <vector>

namespace nfx::training {

class ExponentialMovingAverage {
 public:
  // Starts from a copy of the module's current parameters and buffers. `warmup`: the decay used at update t
  // is min(decay, (1 + t) / (10 + t)), so the average is not dominated by the random start.
  ExponentialMovingAverage(const torch::nn::Module& module, double decay, bool warmup = true);

  void update(const torch::nn::Module& module);
  // Writes the averaged weights into `module` (of the same architecture).
  void copy_to(torch::nn::Module& module) const;
  int64_t updates() const { return updates_; }

  void save(torch::serialize::OutputArchive& archive) const;
  // Throws std::runtime_error if the archive's tensors do not match the module it was made for.
  void load(torch::serialize::InputArchive& archive);

 private:
  double decay_;
  bool warmup_;
  int64_t updates_ = 0;
  std::vector<std::pair<std::string, torch::Tensor>> parameters_, buffers_;
};

}  // namespace nfx::training
