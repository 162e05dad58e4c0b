// The training objective of the denoiser as an nfx::training task: random patches with Gaussian noise
// added, mean squared error; PSNR on held-out images as validation.
#pragma once

#include "denoiser.hpp"

#include <nfx/training/loop.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/patches.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/schedule.hpp>

#include <algorithm>
#include <memory>
#include <vector>

namespace denoise {

namespace training = nfx::training;

constexpr const char* kFormat = "denoise-example-1";

// Gaussian noise of standard deviation sigma (in 0..255 units), drawn from the given generator.
inline training::Degradation gaussian_noise(double sigma) {
  return [sigma](const torch::Tensor& clean, torch::Generator& generator) {
    return (clean + torch::randn(clean.sizes(), generator, clean.options()) * (sigma / 255.0)).clamp(0, 1);
  };
}

struct Settings {
  int64_t width = 16, patch = 48;
  double sigma = 25;
  training::StepOptions step;  // batch, learning rate, warm-up, schedule, clipping: the shared parameters
};

class DenoiseTask : public training::Task {
 public:
  DenoiseTask(const Settings& s, std::vector<torch::Tensor> train, std::vector<torch::Tensor> held_out, uint64_t seed)
      : settings_(s), model_(3, s.width), train_(std::move(train)) {
    torch::Generator init = training::make_generator(training::derive_seed(seed, "init"));
    training::reset_parameters(*model_, init);  // from the run's seed, not LibTorch's global generator
    optimizer_ = training::make_adam(model_->parameters(), {s.step.learning_rate});
    // The held-out images are degraded once, with their own seed, so every validation sees the same noise.
    torch::Generator noise = training::make_generator(training::derive_seed(seed, "validation"));
    held_out_ = training::degrade_all(held_out, gaussian_noise(s.sigma), 1, noise);
  }

  // One pass: as many patches as there are training images.
  int64_t steps_per_epoch() const override {
    return std::max<int64_t>(1, static_cast<int64_t>(train_.size()) / settings_.step.batch);
  }

  training::Values step(training::Run& run, int64_t) override {
    const std::vector<training::ImagePair> pairs =
        training::degrade_all(train_, gaussian_noise(settings_.sigma), 1, run.generator());
    const training::PatchBatch batch =
        training::paired_patches(pairs, settings_.step.batch, settings_.patch, 1, run.generator());
    const torch::Tensor loss = torch::mse_loss(model_->forward(batch.degraded), batch.clean);
    const training::StepOptions& o = settings_.step;
    training::set_learning_rate(*optimizer_, training::Schedule{o.learning_rate, o.warmup_steps, o.schedule}.at(
                                                 run.progress().step, run.budget_used()));
    optimizer_->zero_grad();
    loss.backward();
    training::clipped_step(*optimizer_, o.clip_norm);
    return {{"loss", loss.item<double>()}};
  }

  training::Values validate(training::Run&) override {
    torch::NoGradGuard no_grad;
    double psnr = 0;
    for (const training::ImagePair& pair : held_out_) {
      psnr += training::psnr(model_->forward(pair.degraded.unsqueeze(0)).clamp(0, 1), pair.clean.unsqueeze(0));
    }
    return {{"psnr", psnr / static_cast<double>(held_out_.size())}};
  }

  void save(training::CheckpointWriter& c) override {
    c.value("width", settings_.width);
    c.module("model", *model_);
    c.optimizer("optimizer", *optimizer_);
  }
  void load(training::CheckpointReader& c) override {
    if (c.integer("width") != settings_.width) throw training::CheckpointError(c.path() + ": a model of another width");
    c.module("model", *model_);
    c.optimizer("optimizer", *optimizer_);
  }

 private:
  Settings settings_;
  Denoiser model_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<torch::Tensor> train_;
  std::vector<training::ImagePair> held_out_;
};

}  // namespace denoise
