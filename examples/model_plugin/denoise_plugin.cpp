// A complete model plugin on nfx::training: denoise.train trains the denoiser on the images an io source
// sends it (random patches with Gaussian noise added, the PSNR on held-out images as validation) and
// denoise.apply runs a checkpoint on images, tile by tile.
#include "denoiser.hpp"

#include <nfx/nfx.hpp>
#include <nfx/training/images.hpp>
#include <nfx/training/loop.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/patches.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/tiled.hpp>

#include <filesystem>
#include <map>

namespace denoise {

namespace training = nfx::training;

constexpr const char* kFormat = "denoise-example-1";

// Gaussian noise of standard deviation sigma (in 0..255 units), drawn from the run's generator.
training::Degradation gaussian_noise(double sigma) {
  return [sigma](const torch::Tensor& clean, torch::Generator& generator) {
    return (clean + torch::randn(clean.sizes(), generator, clean.options()) * (sigma / 255.0)).clamp(0, 1);
  };
}

struct Settings {
  int64_t width = 16, patch = 48, batch = 8, steps_per_epoch = 10;
  double sigma = 25, learning_rate = 1e-3;
};

// The training objective: mean squared error on noisy patches; PSNR on the held-out images.
class DenoiseTask : public training::Task {
 public:
  DenoiseTask(const Settings& s, std::vector<torch::Tensor> train, std::vector<torch::Tensor> held_out, uint64_t seed)
      : settings_(s), model_(3, s.width), train_(std::move(train)) {
    torch::Generator init = training::make_generator(training::derive_seed(seed, "init"));
    training::reset_parameters(*model_, init);  // from the run's seed, not LibTorch's global generator
    optimizer_ = training::make_adam(model_->parameters(), {s.learning_rate});
    // The held-out images are degraded once, with their own seed, so every validation sees the same noise.
    torch::Generator noise = training::make_generator(training::derive_seed(seed, "validation"));
    held_out_ = training::degrade_all(held_out, gaussian_noise(s.sigma), 1, noise);
  }

  int64_t steps_per_epoch() const override { return settings_.steps_per_epoch; }

  training::Values step(training::Run& run, int64_t) override {
    const std::vector<training::ImagePair> pairs =
        training::degrade_all(train_, gaussian_noise(settings_.sigma), 1, run.generator());
    const training::PatchBatch batch =
        training::paired_patches(pairs, settings_.batch, settings_.patch, 1, run.generator());
    const torch::Tensor loss = torch::mse_loss(model_->forward(batch.degraded), batch.clean);
    optimizer_->zero_grad();
    loss.backward();
    training::clipped_step(*optimizer_, 1.0);
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

// A C x H x W float image in [0, 1] as a host image (HWC uint8, rounded).
nfx::Tensor to_image(const torch::Tensor& image) {
  nfx::Tensor out(nfx::dtype_u8(), {image.size(1), image.size(2), image.size(0)});
  torch::from_blob(out.data<uint8_t>(), {image.size(1), image.size(2), image.size(0)}, torch::kUInt8)
      .copy_(image.mul(255.0).round().clamp(0, 255).permute({1, 2, 0}));
  return out;
}

std::vector<torch::Tensor> as_float(const std::vector<torch::Tensor>& images) {
  std::vector<torch::Tensor> out;
  for (const torch::Tensor& image : images) out.push_back(image.to(torch::kFloat).div(255.0));
  return out;
}

// Collects the images of an io source, then trains at the end of the run. Its state (`state` in a graph)
// is the whole loop.
class Train : public nfx::Node, public training::LoopState {
 public:
  explicit Train(nfx::Params& p) {
    training::apply_thread_policy(p);
    settings_.width = p.get_int("width");
    settings_.patch = p.get_int("patch");
    settings_.batch = p.get_int("batch");
    settings_.steps_per_epoch = p.get_int("steps_per_epoch");
    settings_.sigma = p.get_float("sigma");
    settings_.learning_rate = p.get_float("learning_rate");
    held_out_percent_ = p.get_float("held_out_percent");
    options_.out = p.get_string("out");
    options_.format = kFormat;
    options_.epochs = p.get_int("epochs");
    options_.minutes = p.get_float("minutes");
    options_.best = "psnr";
    options_.higher_is_better = true;
    options_.seed = static_cast<uint64_t>(p.get_int("seed"));
    if (options_.epochs <= 0 && options_.minutes <= 0) throw nfx::ParamError("epochs", "set epochs or minutes");
  }

  void process(nfx::Context& ctx) override {
    const std::string name = std::filesystem::path(ctx.item_name()).filename().string();
    collected_[name] = training::image_tensor(ctx.input(0), ctx.item_name());
  }

  void finish(nfx::Context& ctx) override {
    std::vector<torch::Tensor> train, held_out;
    for (const auto& [name, image] : collected_) {
      if (image.size(0) != 3 || image.size(1) < settings_.patch || image.size(2) < settings_.patch) {
        throw nfx::Error(name + ": needs an RGB image of at least " + std::to_string(settings_.patch) + " pixels a side");
      }
      (training::held_out_by_name(name, held_out_percent_) ? held_out : train).push_back(image);
    }
    if (train.empty() || held_out.empty()) {
      throw nfx::Error(std::to_string(collected_.size()) + " images give " + std::to_string(train.size()) +
                       " to train on and " + std::to_string(held_out.size()) + " held out; both must be non-empty");
    }
    task_ = std::make_unique<DenoiseTask>(settings_, as_float(train), as_float(held_out), options_.seed);
    loop_ = std::make_unique<training::Loop>(*task_, options_);
    const training::ContextHooks hooks(*loop_, ctx);
    try {
      loop_->begin(pending_state());
    } catch (const training::CheckpointError& e) {
      throw nfx::Error(e.what(), NFX_ERR_IO);
    }
    loop_->run();
  }

 protected:
  training::Loop* loop() override { return loop_.get(); }

 private:
  Settings settings_;
  double held_out_percent_;
  training::LoopOptions options_;
  std::map<std::string, torch::Tensor> collected_;  // by name: the split follows names, not arrival order
  std::unique_ptr<DenoiseTask> task_;
  std::unique_ptr<training::Loop> loop_;
};

// The noise the denoiser is trained for, on whole images: to try it on clean photos.
class AddNoise : public nfx::Node {
 public:
  explicit AddNoise(nfx::Params& p) : noise_(gaussian_noise(p.get_float("sigma"))), seed_(p.get_int("seed")) {}

  void process(nfx::Context& ctx) override {
    // A generator per item, from the seed and the item's name: the same noise whatever the thread timing.
    torch::Generator generator = training::make_generator(training::derive_seed(seed_, ctx.item_name()));
    const torch::Tensor image = training::image_tensor(ctx.input(0), ctx.item_name()).to(torch::kFloat).div(255.0);
    ctx.output(0, to_image(noise_(image, generator)));
  }

 private:
  training::Degradation noise_;
  uint64_t seed_;
};

// Denoises each image with a checkpoint, tile by tile (memory bounded by the tile, whatever the image).
class Apply : public nfx::Node, public training::ModelState {
 public:
  explicit Apply(nfx::Params& p)
      : training::ModelState(
            kFormat,
            [this](training::CheckpointReader& c) {
              Denoiser model(3, c.integer("width"));
              c.module("model", *model);
              model->eval();
              model_ = model;
            },
            [this](training::CheckpointWriter& c) {
              c.value("width", model_->head->options.out_channels());
              c.module("model", *model_);
            }),
        tile_(p.get_int("tile")) {
    training::apply_thread_policy(p);
    load(p.get_string("checkpoint"));
  }

  void process(nfx::Context& ctx) override {
    const torch::Tensor image = training::image_tensor(ctx.input(0), ctx.item_name());
    if (image.size(0) != 3) throw nfx::Error(ctx.item_name() + ": the denoiser takes RGB images");
    torch::NoGradGuard no_grad;
    const torch::Tensor clean = training::tiled_apply(
        image, [this](const torch::Tensor& tiles) { return model_->forward(tiles).clamp(0, 1); },
        {tile_, 8, 1});  // three 3 x 3 convolutions see 3 pixels around: 8 pixels of overlap is plenty
    ctx.output(0, to_image(clean.to(torch::kFloat).div(255.0)));
  }

 private:
  int64_t tile_;
  Denoiser model_{nullptr};
};

}  // namespace denoise

NFX_PLUGIN("denoise", "1.0.0", "Example model plugin: a small residual denoiser on nfx::training") {
  plugin.node<denoise::Train>("denoise.train", "Trains the denoiser on the images sent to in.image (noisy random "
                                               "patches; PSNR on the held-out images); checkpoint.pt, best.pt and "
                                               "the curve in `out`")
      .input(nfx::image_port("image", "training images (RGB)"))
      .param(nfx::required(nfx::string_param("out", "", "folder for checkpoint.pt, best.pt, curve.csv and curve.png")))
      .param(nfx::int_param("epochs", 3, "epochs to train; 0: only the time budget", 0, 1000000))
      .param(nfx::float_param("minutes", 0, "training-time budget over all runs; 0: none", 0, 1e6))
      .param(nfx::int_param("steps_per_epoch", 10, "steps per epoch", 1, 1000000))
      .param(nfx::int_param("batch", 8, "patches per step", 1, 4096))
      .param(nfx::int_param("patch", 48, "patch side, pixels", 8, 1024))
      .param(nfx::int_param("width", 16, "channels inside the network", 1, 512))
      .param(nfx::float_param("sigma", 25, "noise standard deviation, 0..255 units", 0, 255))
      .param(nfx::float_param("learning_rate", 1e-3, "Adam learning rate", 0, 1))
      .param(nfx::float_param("held_out_percent", 25, "share of the images held out by name, percent", 1, 99))
      .param(nfx::int_param("seed", 0, "seed of the run", 0, 1e9));
  plugin.node<denoise::AddNoise>("denoise.add_noise", "Adds the Gaussian noise the denoiser is trained for")
      .input(nfx::image_port("image", "clean image"))
      .output(nfx::image_port("image", "noisy image"))
      .param(nfx::float_param("sigma", 25, "noise standard deviation, 0..255 units", 0, 255))
      .param(nfx::int_param("seed", 0, "seed; each item's noise comes from it and the item's name", 0, 1e9))
      .reentrant();
  plugin.node<denoise::Apply>("denoise.apply", "Denoises images with a checkpoint of denoise.train")
      .input(nfx::image_port("image", "noisy image (RGB)"))
      .output(nfx::image_port("image", "denoised image"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt or best.pt of denoise.train")))
      .param(nfx::int_param("tile", 128, "tile side, pixels", 16, 4096))
      .reentrant();
}
