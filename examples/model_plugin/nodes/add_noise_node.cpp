// denoise.add_noise: the noise the denoiser is trained for, on whole images, to try it on clean photos.
#include "denoise_nodes.hpp"
#include "model/denoise_task.hpp"

#include <nfx/training/images.hpp>

namespace denoise {

namespace {

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

}  // namespace

void register_add_noise_node(nfx::PluginBuilder& plugin) {
  plugin.node<AddNoise>("denoise.add_noise", "Adds the Gaussian noise the denoiser is trained for")
      .input(nfx::image_port("image", "clean image"))
      .output(nfx::image_port("image", "noisy image"))
      .param(nfx::float_param("sigma", 25, "noise standard deviation, 0..255 units", 0, 255))
      .param(nfx::int_param("seed", 0, "seed; each item's noise comes from it and the item's name", 0, 1e9))
      .reentrant();
}

}  // namespace denoise
