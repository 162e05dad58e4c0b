// denoise.train: collects the images of an io source, then trains the denoiser at the end of the run on the
// shared loop. Its parameters: the model's own, and the ones every train node shares (add_train_params).
#include "denoise_nodes.hpp"
#include "model/denoise_task.hpp"

#include <nfx/training/images.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/train_params.hpp>

#include <filesystem>
#include <map>

namespace denoise {

namespace {

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
    const training::TrainParams shared = training::read_train_params(p);  // the loop's and the step's
    settings_.step = shared.step;
    settings_.width = p.get_int("width");
    settings_.patch = p.get_int("patch");
    settings_.sigma = p.get_float("sigma");
    held_out_percent_ = p.get_float("held_out_percent");
    options_ = shared.loop;
    options_.format = kFormat;
    options_.best = "psnr";
    options_.higher_is_better = true;
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
    make_loop(std::make_unique<DenoiseTask>(settings_, as_float(train), as_float(held_out), options_.seed), options_);
    run_all(ctx);  // begins (or resumes) the loop and runs it to the end, reporting to this call's context
  }

 private:
  Settings settings_;
  double held_out_percent_;
  training::LoopOptions options_;
  std::map<std::string, torch::Tensor> collected_;  // by name: the split follows names, not arrival order
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  nfx::NodeTypeBuilder& node =
      plugin.node<Train>("denoise.train", "Trains the denoiser on the images sent to in.image (noisy random patches; "
                                          "PSNR on the held-out images); checkpoint.pt, best.pt and the curve in `out`")
      .input(nfx::image_port("image", "training images (RGB)"))
      .param(nfx::int_param("patch", 48, "patch side, pixels", 8, 1024))
      .param(nfx::int_param("width", 16, "channels inside the network", 1, 512))
      .param(nfx::float_param("sigma", 25, "noise standard deviation, 0..255 units", 0, 255))
      .param(nfx::float_param("held_out_percent", 25, "share of the images held out by name, percent", 1, 99));
  training::TrainDefaults defaults;  // the shared parameters' defaults for this model
  defaults.batch = 8;
  defaults.steps_per_epoch = 10;
  defaults.minutes = 0;  // then the graph sets epochs
  defaults.clip_norm = 1.0;
  training::add_train_params(node, defaults);
}

}  // namespace denoise
