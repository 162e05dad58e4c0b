// sr.upscale: one image in, the same image `scale` times larger out, by any of the Upscaler's models, tile
// by tile so memory stays bounded on large images.
#include "sr_nodes.hpp"
#include "upscaler_params.hpp"

#include <nfx/training/images.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/threads.hpp>

#include <cstring>
#include <memory>

namespace nfx::sr {

namespace {

class Upscale : public nfx::Node, public nfx::Describable {
 public:
  explicit Upscale(nfx::Params& p) : seed_(static_cast<uint64_t>(p.get_int("seed"))) {
    nfx::training::apply_thread_policy(p);
    upscaler_ = make_upscaler(p);
  }

  void process(nfx::Context& ctx) override {
    const torch::Tensor image = nfx::training::image_tensor(ctx.input(0), ctx.item_name());
    // Each item's sample has its own seed, so it does not depend on which thread took which item.
    const uint64_t seed = nfx::training::derive_seed(seed_, "item " + std::to_string(ctx.item_index()));
    // Finished rows go straight into the output image: the only full-size copy.
    const int64_t s = upscaler_->scale(), h = image.size(1) * s, w = image.size(2) * s, c = image.size(0);
    nfx::Tensor out(nfx::dtype_u8(), {h, w, c});
    upscaler_->upscale(image, seed, [&](int64_t first, const torch::Tensor& rows) {
      std::memcpy(out.data<uint8_t>() + first * w * c, rows.contiguous().data_ptr<uint8_t>(), static_cast<size_t>(rows.numel()));
    }, [&](double done, double total) { ctx.progress(done, total); });
    ctx.output(0, std::move(out));
  }

  nfx::training::Facts describe(nfx::Context&) override { return upscaler_->facts(); }

 private:
  uint64_t seed_;
  std::unique_ptr<Upscaler> upscaler_;
};

}  // namespace

void register_upscale_node(nfx::PluginBuilder& plugin) {
  auto& node = plugin.node<Upscale>("sr.upscale", "Upscales an image by bicubic interpolation, a pre-trained network or "
                                                  "Affine-StableSR")
                   .input(nfx::image_port("image", "gray, RGB or RGBA image"))
                   .output(nfx::image_port("image", "the image, `scale` times wider and taller"));
  add_upscaler_params(node, "affine-stablesr");
  node.param(nfx::int_param("seed", 0, "seed of affine-stablesr's samples at temperature > 0", 0, 1e9)).reentrant();
}

}  // namespace nfx::sr
