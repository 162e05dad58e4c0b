// flow.sample: images drawn from a trained flow, as one grid image. flow.eval: bits per dimension of a
// trained flow on the digits.
#include "checkpoint.hpp"
#include "digits.hpp"
#include "flow_nodes.hpp"
#include "trainer.hpp"

namespace nfx::flow {

namespace {

class Sample : public nfx::Node, public ModelState {
 public:
  explicit Sample(nfx::Params& p)
      : ModelState(p.get_string("checkpoint")), count_(p.get_int("count")),
        temperature_(p.get_float("temperature")), columns_(p.get_int("columns")), seed_(p.get_int("seed")) {}
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() > 0) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(1);
    ctx.set_item_name("samples.png");
    torch::manual_seed(static_cast<uint64_t>(seed_));
    ctx.output(0, image_grid(model_->sample(count_, temperature_), columns_));
  }

 private:
  int64_t count_;
  double temperature_;
  int64_t columns_, seed_;
};

class Eval : public nfx::Node, public ModelState {
 public:
  explicit Eval(nfx::Params& p) : ModelState(p.get_string("checkpoint")) {
    const ImageSplit digits = load_digits(p.get_string("data"));
    images_ = p.get_string("split") == "train" ? digits.train : digits.held_out;
    options_.batch = p.get_int("batch");
  }
  void process(nfx::Context& ctx) override {
    if (ctx.item_index() > 0) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(1);
    Trainer evaluator(model_, options_);
    const double bpd = evaluator.evaluate(images_);
    ctx.log(NFX_LOG_INFO, std::to_string(images_.size(0)) + " digits: " + std::to_string(bpd) + " bits/dim");
    ctx.output_scalar(0, bpd);
  }

 private:
  torch::Tensor images_;
  TrainOptions options_;
};

}  // namespace

torch::Tensor image_tensor(const DLTensor& image, const std::string& what) {
  if (image.ndim != 3 || image.dtype.code != kDLUInt || image.dtype.bits != 8) {
    throw nfx::Error(what + ": expected an HWC uint8 image", NFX_ERR_INVALID_ARGUMENT);
  }
  return torch::from_blob(image.data, {image.shape[0], image.shape[1], image.shape[2]}, torch::kUInt8)
      .permute({2, 0, 1})
      .clone();
}

nfx::Tensor image_grid(const torch::Tensor& images, int64_t columns) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t cols = std::max<int64_t>(1, std::min(columns, n)), rows = (n + cols - 1) / cols;
  // [0, 1) -> 0..255, laid out as rows x cols tiles, channels last.
  torch::Tensor pixels = (images.detach().to(torch::kFloat) * 256.0).floor().clamp(0, 255).to(torch::kUInt8);
  pixels = torch::cat({pixels, torch::zeros({rows * cols - n, c, h, w}, torch::kUInt8)}, 0);
  pixels = pixels.view({rows, cols, c, h, w}).permute({0, 3, 1, 4, 2}).reshape({rows * h, cols * w, c}).contiguous();
  nfx::Tensor grid(nfx::dtype_u8(), {rows * h, cols * w, c});
  std::memcpy(grid.data<uint8_t>(), pixels.data_ptr<uint8_t>(), static_cast<size_t>(pixels.numel()));
  return grid;
}

void register_sample_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<Sample>("flow.sample", "Draws images from a trained flow (prior scaled by the temperature) as one grid image")
      .output(nfx::image_port("grid", "the samples side by side, HWC uint8"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt written by flow.train")))
      .param(nfx::int_param("count", 64, "images to draw", 1, 4096))
      .param(nfx::float_param("temperature", 0.7, "standard deviation of the prior samples", 0, 10))
      .param(nfx::int_param("columns", 8, "images per row of the grid", 1, 256))
      .param(nfx::int_param("seed", 0, "random seed", 0, 1e9));
  plugin.node<Eval>("flow.eval", "Bits per dimension of a trained flow on the digits (uniform dequantization)")
      .output(nfx::port("bpd", NFX_KIND_SCALAR, "mean bits per dimension"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt written by flow.train")))
      .param(nfx::required(nfx::string_param("data", "", "digits.png of the sample data (${data}/digits.png)")))
      .param(nfx::string_param("split", "held_out", "held_out (every 10th digit) or train", "held_out|train"))
      .param(nfx::int_param("batch", 250, "images per evaluation batch", 1, 4096));
}

}  // namespace nfx::flow
