// flow.train: trains a flow on the digits of the sample data, or on the images an io source sends it: the
// flow's likelihood objective as an nfx::training task, run by the shared loop (time budget, atomic
// checkpoints, resumption, the training curve as CSV and PNG).
#include "flow_nodes.hpp"

#include <nfx/flow/training/likelihood.hpp>
#include <nfx/training/digits.hpp>
#include <nfx/training/loop.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/train_params.hpp>

#include <map>
#include <thread>

namespace nfx::flow {

namespace {

// Maximum likelihood on a training split, bits/dim on the held-out split.
class LikelihoodTask : public training::Task {
 public:
  LikelihoodTask(const ModelSpec& spec, const TrainOptions& options, training::ImageSplit data, uint64_t seed)
      : data_(std::move(data)), seed_(seed),
        trainer_(std::make_shared<FlowModel>(spec, training::derive_seed(seed, "init")), options) {}

  void start(training::Run& run) override {
    // ActNorm's data-dependent initialization on up to 512 images.
    const int64_t n = data_.train.size(0);
    trainer_.initialize(data_.train.index({torch::randperm(n, run.generator()).narrow(0, 0, std::min<int64_t>(n, 512))}),
                        run.generator());
  }
  int64_t steps_per_epoch() const override { return std::max<int64_t>(1, data_.train.size(0) / trainer_.options().batch); }
  void begin_epoch(training::Run& run) override { order_ = torch::randperm(data_.train.size(0), run.generator()); }
  training::Values step(training::Run& run, int64_t index) override {
    trainer_.set_budget_used(run.budget_used());
    const int64_t n = data_.train.size(0), pass_step = index % steps_per_epoch();
    if (pass_step == 0 && index > 0) order_ = torch::randperm(n, run.generator());  // an epoch longer than a pass
    const int64_t batch = trainer_.options().batch, size = std::min(batch, n - pass_step * batch);
    return {{"bpd", trainer_.step(data_.train.index({order_.narrow(0, pass_step * batch, size)}), run.generator())}};
  }
  training::Values validate(training::Run&) override { return {{"bpd", trainer_.evaluate(data_.held_out, seed_)}}; }
  void save(training::CheckpointWriter& c) override {
    write_model(c, trainer_.model());
    c.optimizer("optimizer", trainer_.optimizer());
  }
  void load(training::CheckpointReader& c) override {
    read_model_into(c, trainer_.model());
    c.optimizer("optimizer", trainer_.optimizer());
    trainer_.set_steps_done(c.progress().step);
  }

 private:
  training::ImageSplit data_;
  uint64_t seed_;
  LikelihoodTrainer trainer_;
  torch::Tensor order_;
};

// Two modes. As a source (`data` = digits.png), one item per epoch, with the held-out and training
// bits/dim as outputs. Fed images on in.image by an io source, it collects them all, then trains at the
// end of the run (its outputs stay empty; the curve and the log carry the figures).
class Train : public nfx::Node, public training::LoopState {
 public:
  explicit Train(nfx::Params& p) : data_(p.get_string("data")) {
    training::apply_thread_policy(p);  // the batch is shared over that many threads
    read_layer_fields(spec_, [&](const std::string& field) { return p.get_int(layer_param(field).c_str()); },
                      [&](const std::string& field) { return p.get_string(layer_param(field).c_str()); });
    const training::TrainParams shared = training::read_train_params(p);
    static_cast<training::StepOptions&>(options_) = shared.step;
    loop_options_ = shared.loop;
    loop_options_.format = kCheckpointFormat;
    loop_options_.best = "bpd";
    if (!data_.empty()) build(training::load_digits(data_));
  }

  void process(nfx::Context& ctx) override {
    if (ctx.has_input(0)) {
      if (!data_.empty()) throw nfx::Error("set either `data` or in.image, not both", NFX_ERR_INVALID_ARGUMENT);
      collected_.emplace(ctx.item_index(), image_tensor(ctx.input(0), ctx.item_name()));
      return;
    }
    if (!loop()) {
      throw nfx::Error("no training data: set `data` to digits.png or connect in.image to an image source",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    if (!run_epoch_item(ctx)) ctx.end_of_stream();
  }

  void finish(nfx::Context& ctx) override {
    if (collected_.empty()) return;
    const torch::Tensor images = stack_collected(collected_);
    collected_.clear();
    training::ImageSplit split = training::hold_out_every_tenth(images);
    if (split.held_out.size(0) == 0) {
      throw nfx::Error("got " + std::to_string(images.size(0)) + " images; at least 10 are needed (every 10th is held out)",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    build(std::move(split));
    run_all(ctx);
  }

 private:
  // The model for the images' shape, its task and the loop that runs it.
  void build(training::ImageSplit data) {
    spec_.channels = data.train.size(1);
    spec_.height = data.train.size(2);
    spec_.width = data.train.size(3);
    try {
      check_spec(spec_);
    } catch (const SpecError& e) {
      throw nfx::ParamError(e.param(), e.what());  // reported at the parameter's line in the graph
    }
    make_loop(std::make_unique<LikelihoodTask>(spec_, options_, std::move(data), loop_options_.seed), loop_options_);
  }

  std::string data_;
  ModelSpec spec_;
  TrainOptions options_;
  training::LoopOptions loop_options_;
  std::map<int64_t, torch::Tensor> collected_;  // by item index, so the split does not depend on timing
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  nfx::NodeTypeBuilder& node = plugin.node<Train>("flow.train", "Trains a normalizing flow: on the 20 x 20 digits (`data`; 4,500 train, every "
                                   "10th held out), one item per epoch; or on the images an io source sends to "
                                   "in.image (every 10th held out), trained at the end of the run. checkpoint.pt "
                                   "(the last state), best.pt (the lowest held-out bits/dim) and the curve in `out`; "
                                   "resumes where it stopped")
      .input(nfx::port("image", NFX_KIND_IMAGE, "training images from an io source, all the same size (HWC uint8)",
                       NFX_DTYPE_U8, 3, NFX_PORT_OPTIONAL))
      .output(nfx::port("held_out_bpd", NFX_KIND_SCALAR, "held-out bits per dimension after the epoch"))
      .output(nfx::port("train_bpd", NFX_KIND_SCALAR, "mean training loss of the epoch, bits per dimension"))
      .param(nfx::string_param("data", "", "digits.png of the sample data (${data}/digits.png); leave empty when "
                                           "in.image is connected"))
      .param(nfx::int_param("levels", 2, "multi-scale levels (each squeezes 2x2 and, but the last, splits half off)", 1, 4))
      .param(nfx::int_param("steps_per_level", 8, "flow steps per level: ActNorm, mixing, coupling", 1, 64))
      .param(nfx::int_param("hidden", 64, "channels inside each coupling network", 1, 1024))
      .param(nfx::string_param("mixing", "invconv1x1", "mixing layers of each step: invconv1x1 (Glow), finc<k> "
                                                        "(four-corner k x k invertible convolution within channel "
                                                        "quarters, e.g. finc3), periodic<k> (circular k x k "
                                                        "convolution over all channels, e.g. periodic3), none, or "
                                                        "several joined by '+' (invconv1x1+finc3)"))
      .param(nfx::string_param("coupling", "affine", "affine (Glow, two blocks) or quad (four blocks)", "affine|quad"))
      .param(nfx::string_param("direction", "standard", "standard, or inverse (Inverse-Flow: k x k layers solve on the "
                                                        "way to the latent and sample with plain convolutions)",
                               "standard|inverse"));
  training::add_train_params(node, {/*batch*/ 64, /*learning_rate*/ 1e-3, /*warmup_steps*/ 200});
}

}  // namespace nfx::flow
