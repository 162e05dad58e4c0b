// flow.eval: bits per dimension of a trained flow on the digits or on images from an io source.
#include "flow_nodes.hpp"

#include <nfx/common/atomic_file.hpp>
#include <nfx/flow/training/likelihood.hpp>
#include <nfx/training/digits.hpp>

#include <map>

namespace nfx::flow {

namespace {

// With `data`, a source: one item whose output is the bits/dim. Fed images on in.image, a sink: it
// collects them all and evaluates at the end, logging the figure and writing it to `report`.
class Eval : public nfx::Node, public ModelState {
 public:
  explicit Eval(nfx::Params& p)
      : ModelState(p), data_(p.get_string("data")), split_(p.get_string("split")),
        report_(p.get_string("report")) {
    options_.batch = p.get_int("batch");
    if (!data_.empty()) images_ = pick(training::load_digits(data_));
  }

  void process(nfx::Context& ctx) override {
    if (ctx.has_input(0)) {
      if (!data_.empty()) throw nfx::Error("set either `data` or in.image, not both", NFX_ERR_INVALID_ARGUMENT);
      collected_.emplace(ctx.item_index(), image_tensor(ctx.input(0), ctx.item_name()));
      return;
    }
    if (!images_.defined()) {
      throw nfx::Error("no data: set `data` to digits.png or connect in.image to an image source",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    if (ctx.item_index() > 0) {
      ctx.end_of_stream();
      return;
    }
    ctx.set_item_count(1);
    ctx.output_scalar(0, evaluate(ctx, "digits"));
  }

  void finish(nfx::Context& ctx) override {
    if (collected_.empty()) return;
    const torch::Tensor all = stack_collected(collected_);
    collected_.clear();
    images_ = split_ == "all" ? all : pick(training::hold_out_every_tenth(all));
    if (images_.size(0) == 0) throw nfx::Error("no images in the " + split_ + " split", NFX_ERR_INVALID_ARGUMENT);
    evaluate(ctx, "images");
  }

 private:
  // The split flow.train holds out (every 10th in item order), trains on, or everything.
  torch::Tensor pick(const training::ImageSplit& split) const {
    if (split_ == "held_out") return split.held_out;
    if (split_ == "train") return split.train;
    return torch::cat({split.train, split.held_out});
  }

  double evaluate(nfx::Context& ctx, const std::string& what) {
    LikelihoodTrainer evaluator(model_, options_);
    const double bpd = evaluator.evaluate(images_);
    const std::string line =
        std::to_string(images_.size(0)) + " " + what + " (" + split_ + "): " + std::to_string(bpd) + " bits/dim";
    ctx.log(NFX_LOG_INFO, line);
    if (!report_.empty()) {
      const std::string text = "{\"images\": " + std::to_string(images_.size(0)) + ", \"split\": \"" + split_ +
                               "\", \"bits_per_dim\": " + std::to_string(bpd) + "}\n";
      nfx::plugins::write_file_atomically(report_, text.data(), text.size());
    }
    return bpd;
  }

  std::string data_, split_, report_;
  torch::Tensor images_;
  TrainOptions options_;
  std::map<int64_t, torch::Tensor> collected_;
};

}  // namespace

void register_eval_node(nfx::PluginBuilder& plugin) {
  plugin.node<Eval>("flow.eval", "Bits per dimension of a trained flow (uniform dequantization) on the digits, or "
                                  "on images from an io source (then logged and written to `report` at the end)")
      .input(nfx::port("image", NFX_KIND_IMAGE, "images to evaluate on, all of one size (instead of `data`)",
                       NFX_DTYPE_U8, 3, NFX_PORT_OPTIONAL))
      .output(nfx::port("bpd", NFX_KIND_SCALAR, "mean bits per dimension (with `data`)"))
      .param(nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt written by flow.train")))
      .param(nfx::string_param("data", "", "digits.png of the sample data (${data}/digits.png), or empty with in.image"))
      .param(nfx::string_param("split", "held_out", "held_out (every 10th image, as flow.train holds out), train, "
                               "or all", "held_out|train|all"))
      .param(nfx::string_param("report", "", "JSON file for the result (images, split, bits_per_dim)"))
      .param(nfx::int_param("batch", 250, "images per evaluation batch", 1, 4096));
}

}  // namespace nfx::flow
