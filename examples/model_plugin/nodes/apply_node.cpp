// denoise.apply: denoises images with a checkpoint of denoise.train, tile by tile.
#include "denoise_nodes.hpp"
#include "model/denoise_task.hpp"

#include <nfx/training/images.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/tiled.hpp>

namespace denoise {

namespace {

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

}  // namespace

void register_apply_node(nfx::PluginBuilder& plugin) {
  plugin.node<Apply>("denoise.apply", "Denoises images with a checkpoint of denoise.train")
      .input(nfx::image_port("image", "noisy image (RGB)"))
      .output(nfx::image_port("image", "denoised image"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt or best.pt of denoise.train")))
      .param(nfx::int_param("tile", 128, "tile side, pixels", 16, 4096))
      .reentrant();
}

}  // namespace denoise
