// flow.sample: images drawn from a trained flow, as one grid image.
#include "flow_nodes.hpp"

#include <nfx/training/random.hpp>

namespace nfx::flow {

namespace {

class Sample : public nfx::Node, public ModelState {
 public:
  explicit Sample(nfx::Params& p)
      : ModelState(p), count_(p.get_int("count")),
        temperature_(p.get_float("temperature")), columns_(p.get_int("columns")), seed_(p.get_int("seed")) {}
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() > 0) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(1);
    ctx.set_item_name("samples.png");
    torch::Generator generator = training::make_generator(static_cast<uint64_t>(seed_));
    ctx.output(0, image_grid(model_->sample(count_, temperature_, generator), columns_));
  }

 private:
  int64_t count_;
  double temperature_;
  int64_t columns_, seed_;
};

}  // namespace

void register_sample_node(nfx::PluginBuilder& plugin) {
  plugin.node<Sample>("flow.sample", "Draws images from a trained flow (prior scaled by the temperature) as one grid image")
      .output(nfx::image_port("grid", "the samples side by side, HWC uint8"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt written by flow.train")))
      .param(nfx::int_param("count", 64, "images to draw", 1, 4096))
      .param(nfx::float_param("temperature", 0.7, "standard deviation of the prior samples", 0, 10))
      .param(nfx::int_param("columns", 8, "images per row of the grid", 1, 256))
      .param(nfx::int_param("seed", 0, "random seed", 0, 1e9));
}

}  // namespace nfx::flow
