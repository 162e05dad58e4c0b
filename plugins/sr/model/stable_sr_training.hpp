// Training Affine-StableSR as an nfx::training task: high-resolution images are shrunk by MATLAB's bicubic
// imresize (the degradation of the SR literature) and rounded to 8 bits; the frozen encoder's features of
// every shrunk image are computed once; each step draws aligned random patches (features, bicubic base,
// ground truth, the same flip or rotation for all three) and minimises the flow's negative log-likelihood
// of the dequantized residual, plus an optional L1 term on the flow's conditional mean.
// Validation: Y-PSNR of the deterministic output on whole held-out training-folder images.
#pragma once

#include "stable_sr.hpp"

#include <nfx/training/loop.hpp>
#include <nfx/training/optimizer.hpp>

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace nfx::sr {

// The step options (batch: patches per step) with Affine-StableSR's defaults, and its own.
struct SrTrainOptions : nfx::training::StepOptions {
  SrTrainOptions() {
    learning_rate = 5e-4;
    warmup_steps = 100;
    schedule = "cosine";
  }
  int64_t patch = 16;             // low-resolution patch side
  double l1 = 0.2;                // weight of the mean absolute error (grey levels) of the conditional mean
  bool augment = true;            // the eight flips and rotations
};

// One image as training data: the ground truth, its encoder features and its bicubic base.
struct SrExample {
  std::string name;
  torch::Tensor high;      // 3 x H x W uint8, H and W multiples of the scale
  torch::Tensor low;       // 3 x h x w uint8, the degraded input
  torch::Tensor features;  // F x h x w float16
  torch::Tensor base;      // 3 x H x W float16, the bicubic upscale of low in [0, 1]
};

// The shrunk copy of `high` (3 x H x W uint8, cropped to a multiple of `scale`) as MATLAB's imresize makes
// it, rounded to 8 bits.
torch::Tensor degrade_bicubic(const torch::Tensor& high, int64_t scale);

// Shrinks each image and runs the encoder on it (`progress` after each image). Throws nfx::Error naming an
// image smaller than two patches.
std::vector<SrExample> prepare_examples(StableSr& model, const std::vector<std::pair<std::string, torch::Tensor>>& images,
                                        int64_t patch, const std::function<void(size_t done)>& progress);

class StableSrTask : public nfx::training::Task {
 public:
  StableSrTask(std::shared_ptr<StableSr> model, const SrTrainOptions& options, std::vector<SrExample> train,
               std::vector<SrExample> held_out);

  void start(nfx::training::Run& run) override;
  // One pass: as many patches as cover the training images' low-resolution area once.
  int64_t steps_per_epoch() const override;
  nfx::training::Values step(nfx::training::Run& run, int64_t index) override;
  nfx::training::Values validate(nfx::training::Run& run) override;
  void save(nfx::training::CheckpointWriter& checkpoint) override;
  void load(nfx::training::CheckpointReader& checkpoint) override;

  StableSr& model() { return *model_; }

 private:
  struct Batch {
    torch::Tensor features, base, high;  // float32; high dequantized to [0, 1] units
    torch::Tensor clean;                 // the residual without dequantization noise
  };
  Batch draw(torch::Generator& generator) const;

  std::shared_ptr<StableSr> model_;
  SrTrainOptions options_;
  std::vector<SrExample> train_, held_out_;
  torch::Tensor area_;  // training images' sizes: bigger images give proportionally more patches
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  int64_t steps_ = 0;
};

}  // namespace nfx::sr
