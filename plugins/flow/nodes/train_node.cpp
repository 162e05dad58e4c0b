// flow.train: trains a flow on the digits of the sample data, or on the images an io source sends it, with
// a time budget, atomic checkpoints, resumption, and a training curve as CSV and PNG.
#include "checkpoint.hpp"
#include "curve.hpp"
#include "digits.hpp"
#include "flow_nodes.hpp"
#include "trainer.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <thread>

namespace nfx::flow {

namespace {

namespace fs = std::filesystem;

Direction direction_named(const std::string& name) {
  return name == "inverse" ? Direction::inverse : Direction::standard;
}

// Two modes. As a source (`data` = digits.png), one item per epoch, with the held-out and training
// bits/dim as outputs. Fed images on in.image by an io source, it collects them all, then trains at the
// end of the run (its outputs stay empty; the curve and the log carry the figures).
class Train : public nfx::Node, public nfx::Trainable {
 public:
  explicit Train(nfx::Params& p)
      : data_(p.get_string("data")), out_(p.get_string("out")), minutes_(p.get_float("minutes")),
        epochs_(p.get_int("epochs")), seed_(static_cast<uint64_t>(p.get_int("seed"))), resume_(p.get_bool("resume")) {
    // LibTorch may default to one thread (it does on Debian's build); 0 means every core.
    const int64_t threads = p.get_int("threads");
    torch::set_num_threads(threads > 0 ? static_cast<int>(threads) : static_cast<int>(std::thread::hardware_concurrency()));
    spec_.levels = p.get_int("levels");
    spec_.steps = p.get_int("steps");
    spec_.hidden = p.get_int("hidden");
    spec_.mixing = p.get_string("mixing");
    spec_.coupling = p.get_string("coupling");
    spec_.direction = direction_named(p.get_string("direction"));
    options_.batch = p.get_int("batch");
    options_.learning_rate = p.get_float("learning_rate");
    options_.warmup_steps = p.get_int("warmup_steps");
    options_.clip_norm = p.get_float("clip_norm");
    options_.schedule = p.get_string("schedule");
    if (!data_.empty()) start(load_digits(data_), [&](const std::string& m) { p.log(NFX_LOG_INFO, m); });
  }

  void process(nfx::Context& ctx) override {
    if (ctx.has_input(0)) {
      if (!data_.empty()) throw nfx::Error("set either `data` or in.image, not both", NFX_ERR_INVALID_ARGUMENT);
      collected_.emplace(ctx.item_index(), image_tensor(ctx.input(0), ctx.item_name()));
      return;
    }
    if (!model_) {
      throw nfx::Error("no training data: set `data` to digits.png or connect in.image to an image source",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    if (epochs_ > 0) ctx.set_item_count(epochs_);
    if (done()) {
      ctx.end_of_stream();
      return;
    }
    const auto [held_out, train] = run_epoch(ctx);
    ctx.set_item_name("epoch " + std::to_string(progress_.epoch));
    ctx.output_scalar(0, held_out);
    ctx.output_scalar(1, train);
  }

  void finish(nfx::Context& ctx) override {
    if (collected_.empty()) return;
    const torch::Tensor images = stack_collected(collected_);
    collected_.clear();
    const ImageSplit split = hold_out_every_tenth(images);
    if (split.held_out.size(0) == 0) {
      throw nfx::Error("got " + std::to_string(images.size(0)) + " images; at least 10 are needed (every 10th is held out)",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    start(split, [&](const std::string& m) { ctx.log(NFX_LOG_INFO, m); });
    while (!done() && !ctx.cancelled()) run_epoch(ctx);
  }

  // The whole training state (model, optimizer, progress) in the checkpoint format.
  void save_state(nfx::Context&, const std::string& path) override {
    if (!model_) throw nfx::Error("nothing was trained, so there is no state to save", NFX_ERR_UNSUPPORTED);
    save_checkpoint(path, *model_, &trainer_->optimizer(), progress_);
  }
  void load_state(nfx::Context&, const std::string& path) override {
    if (!model_) {
      pending_state_ = path;  // the model is built once the images are known
      return;
    }
    load_into(path, *model_, trainer_->optimizer(), progress_);
    trainer_->set_steps_done(progress_.step);
  }

 private:
  // Builds the model for the images' shape, then resumes from out/checkpoint.pt (or the pending state),
  // or initializes ActNorm from the data.
  void start(ImageSplit data, const std::function<void(const std::string&)>& log) {
    data_split_ = std::move(data);
    spec_.channels = data_split_.train.size(1);
    spec_.height = data_split_.train.size(2);
    spec_.width = data_split_.train.size(3);
    try {
      check_spec(spec_);
    } catch (const SpecError& e) {
      throw nfx::ParamError(e.field(), e.what());  // reported at the field's line in the graph
    }
    torch::manual_seed(seed_);
    model_ = std::make_shared<FlowModel>(spec_);
    trainer_ = std::make_unique<Trainer>(model_, options_);
    fs::create_directories(out_);
    std::error_code ec;
    std::string resume_from = pending_state_.value_or("");
    if (resume_from.empty() && resume_ && fs::exists(checkpoint_path(), ec)) resume_from = checkpoint_path().string();
    if (!resume_from.empty()) {
      load_into(resume_from, *model_, trainer_->optimizer(), progress_);
      trainer_->set_steps_done(progress_.step);
      log("resuming " + resume_from + " after epoch " + std::to_string(progress_.epoch) + " (" +
          std::to_string(static_cast<int>(progress_.seconds)) + " s trained)");
      return;
    }
    for (const char* stale : {"checkpoint.pt", "curve.csv", "curve.png"}) fs::remove(out_ / stale, ec);
    torch::NoGradGuard no_grad;  // ActNorm's data-dependent initialization on up to 512 images
    const int64_t n = data_split_.train.size(0);
    model_->log_prob(dequantize_8bit(data_split_.train.index({torch::randperm(n).narrow(0, 0, std::min<int64_t>(n, 512))})));
  }

  // One pass over the training images (or what the time budget allows), then the held-out figure, the
  // curve and the checkpoint. Returns {held-out, training} bits/dim.
  std::pair<double, double> run_epoch(nfx::Context& ctx) {
    const int64_t batch = trainer_->options().batch, n = data_split_.train.size(0), steps = std::max<int64_t>(1, n / batch);
    torch::Generator generator = at::detail::createCPUGenerator(seed_ * 1000003 + static_cast<uint64_t>(progress_.epoch));
    const torch::Tensor order = torch::randperm(n, generator);
    double loss_sum = 0.0;
    int64_t taken = 0;
    auto last = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < steps && !ctx.cancelled() && !out_of_time(); ++s) {
      trainer_->set_budget_used(budget_used(s, steps));
      const int64_t size = std::min(batch, n - s * batch);
      loss_sum += trainer_->step(data_split_.train.index({order.narrow(0, s * batch, size)}));
      ++taken;
      const auto now = std::chrono::steady_clock::now();
      progress_.seconds += std::chrono::duration<double>(now - last).count();
      last = now;
      ctx.progress(static_cast<double>(s + 1), static_cast<double>(steps));
    }
    progress_.step = trainer_->steps_done();
    ++progress_.epoch;
    const double held_out = trainer_->evaluate(data_split_.held_out, seed_);
    const double train = taken > 0 ? loss_sum / static_cast<double>(taken) : held_out;
    append_curve_row((out_ / "curve.csv").string(), {progress_.epoch, progress_.step, progress_.seconds, train, held_out});
    plot_curve((out_ / "curve.csv").string(), (out_ / "curve.png").string());
    save_checkpoint(checkpoint_path().string(), *model_, &trainer_->optimizer(), progress_);
    ctx.log(NFX_LOG_INFO, "epoch " + std::to_string(progress_.epoch) + ": train " + std::to_string(train) +
                              " bits/dim, held out " + std::to_string(held_out) + " bits/dim");
    return {held_out, train};
  }

  // How much of the budget (time, or epochs when that ends sooner) is spent at step s of `steps` in this epoch.
  double budget_used(int64_t s, int64_t steps) const {
    const double by_time = minutes_ > 0 ? progress_.seconds / (minutes_ * 60.0) : 1.0;
    const double by_epochs = epochs_ > 0 ? (static_cast<double>(progress_.epoch) + static_cast<double>(s) / static_cast<double>(steps)) /
                                               static_cast<double>(epochs_)
                                         : 0.0;
    return std::max(by_time, by_epochs);
  }

  fs::path checkpoint_path() const { return out_ / "checkpoint.pt"; }
  bool out_of_time() const { return progress_.seconds >= minutes_ * 60.0; }
  bool done() const { return out_of_time() || (epochs_ > 0 && progress_.epoch >= epochs_); }

  std::string data_;
  fs::path out_;
  double minutes_;
  int64_t epochs_;
  uint64_t seed_;
  bool resume_;
  ModelSpec spec_;
  TrainOptions options_;
  std::map<int64_t, torch::Tensor> collected_;  // by item index, so the split does not depend on timing
  std::optional<std::string> pending_state_;
  ImageSplit data_split_;
  std::shared_ptr<FlowModel> model_;
  std::unique_ptr<Trainer> trainer_;
  TrainingProgress progress_;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  plugin.node<Train>("flow.train", "Trains a normalizing flow: on the 20 x 20 digits (`data`; 4,500 train, every "
                                   "10th held out), one item per epoch; or on the images an io source sends to "
                                   "in.image (every 10th held out), trained at the end of the run. Checkpoint "
                                   "and curve in `out`; resumes where it stopped")
      .input(nfx::port("image", NFX_KIND_IMAGE, "training images from an io source, all the same size (HWC uint8)",
                       NFX_DTYPE_U8, 3, NFX_PORT_OPTIONAL))
      .output(nfx::port("held_out_bpd", NFX_KIND_SCALAR, "held-out bits per dimension after the epoch"))
      .output(nfx::port("train_bpd", NFX_KIND_SCALAR, "mean training loss of the epoch, bits per dimension"))
      .param(nfx::string_param("data", "", "digits.png of the sample data (${data}/digits.png); leave empty when "
                                           "in.image is connected"))
      .param(nfx::required(nfx::string_param("out", "", "folder for checkpoint.pt, curve.csv and curve.png")))
      .param(nfx::int_param("levels", 2, "multi-scale levels (each squeezes 2x2 and, but the last, splits half off)", 1, 4))
      .param(nfx::int_param("steps", 8, "flow steps per level: ActNorm, mixing, coupling", 1, 64))
      .param(nfx::int_param("hidden", 64, "channels inside each coupling network", 1, 1024))
      .param(nfx::string_param("mixing", "invconv1x1", "mixing layers of each step: invconv1x1 (Glow), finc<k> "
                                                        "(four-corner k x k invertible convolution within channel "
                                                        "quarters, e.g. finc3), periodic<k> (circular k x k "
                                                        "convolution over all channels, e.g. periodic3), none, or "
                                                        "several joined by '+' (invconv1x1+finc3)"))
      .param(nfx::string_param("coupling", "affine", "affine (Glow, two blocks) or quad (four blocks)", "affine|quad"))
      .param(nfx::string_param("direction", "standard", "standard, or inverse (Inverse-Flow: k x k layers solve on the "
                                                        "way to the latent and sample with plain convolutions)",
                               "standard|inverse"))
      .param(nfx::float_param("minutes", 10.0, "training-time budget over all runs, minutes", 0, 1e6))
      .param(nfx::int_param("epochs", 0, "stop after this many epochs; 0: only the time budget", 0, 1000000))
      .param(nfx::int_param("batch", 64, "images per step", 1, 4096))
      .param(nfx::float_param("learning_rate", 1e-3, "Adam learning rate after warm-up", 0, 1))
      .param(nfx::int_param("warmup_steps", 200, "steps of linear learning-rate warm-up", 0, 1000000))
      .param(nfx::float_param("clip_norm", 50.0, "gradient norm clipping threshold", 0, 1e9))
      .param(nfx::string_param("schedule", "constant", "learning rate after warm-up: constant, or cosine (falls to 0 "
                                                       "as the time or epoch budget runs out)", "constant|cosine"))
      .param(nfx::int_param("seed", 0, "seed for initialization, shuffling and evaluation noise", 0, 1e9))
      .param(nfx::bool_param("resume", true, "continue from out/checkpoint.pt when it exists"))
      .param(nfx::int_param("threads", 0, "LibTorch threads; 0: every core", 0, 1024));
}

}  // namespace nfx::flow
