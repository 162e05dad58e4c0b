// flow.train: trains a flow on the digits of the sample data, one epoch per item, with a time budget,
// atomic checkpoints, resumption, and a training curve as CSV and PNG.
#include "checkpoint.hpp"
#include "curve.hpp"
#include "digits.hpp"
#include "flow_nodes.hpp"
#include "trainer.hpp"

#include <chrono>
#include <filesystem>
#include <thread>

namespace nfx::flow {

namespace {

namespace fs = std::filesystem;

Direction direction_named(const std::string& name) {
  return name == "inverse" ? Direction::inverse : Direction::standard;
}

class Train : public nfx::Node {
 public:
  explicit Train(nfx::Params& p)
      : out_(p.get_string("out")), minutes_(p.get_float("minutes")), epochs_(p.get_int("epochs")),
        seed_(static_cast<uint64_t>(p.get_int("seed"))) {
    // LibTorch may default to one thread (it does on Debian's build); 0 means every core.
    const int64_t threads = p.get_int("threads");
    torch::set_num_threads(threads > 0 ? static_cast<int>(threads) : static_cast<int>(std::thread::hardware_concurrency()));
    digits_ = load_digits(p.get_string("data"));
    ModelSpec spec;
    spec.levels = p.get_int("levels");
    spec.steps = p.get_int("steps");
    spec.hidden = p.get_int("hidden");
    spec.mixing = p.get_string("mixing");
    spec.coupling = p.get_string("coupling");
    spec.direction = direction_named(p.get_string("direction"));
    check_spec(spec);  // std::invalid_argument naming the field
    torch::manual_seed(seed_);
    model_ = std::make_shared<FlowModel>(spec);
    TrainOptions options;
    options.batch = p.get_int("batch");
    options.learning_rate = p.get_float("learning_rate");
    options.warmup_steps = p.get_int("warmup_steps");
    options.clip_norm = p.get_float("clip_norm");
    trainer_ = std::make_unique<Trainer>(model_, options);
    fs::create_directories(out_);
    std::error_code ec;
    if (p.get_bool("resume") && fs::exists(checkpoint_path(), ec)) {
      load_into(checkpoint_path().string(), *model_, trainer_->optimizer(), progress_);
      trainer_->set_steps_done(progress_.step);
      p.log(NFX_LOG_INFO, "resuming " + checkpoint_path().string() + " after epoch " + std::to_string(progress_.epoch) +
                              " (" + std::to_string(static_cast<int>(progress_.seconds)) + " s trained)");
    } else {
      for (const char* stale : {"checkpoint.pt", "curve.csv", "curve.png"}) fs::remove(out_ / stale, ec);
      torch::NoGradGuard no_grad;  // ActNorm's data-dependent initialization on 512 digits
      model_->log_prob(dequantize_8bit(digits_.train.index({torch::randperm(digits_.train.size(0)).narrow(0, 0, 512)})));
    }
  }

  void process(nfx::Context& ctx) override {
    if (epochs_ > 0) ctx.set_item_count(epochs_);
    if (done()) {
      ctx.end_of_stream();
      return;
    }
    const int64_t batch = trainer_->options().batch, n = digits_.train.size(0), steps = n / batch;
    torch::Generator generator = at::detail::createCPUGenerator(seed_ * 1000003 + static_cast<uint64_t>(progress_.epoch));
    const torch::Tensor order = torch::randperm(n, generator);
    double loss_sum = 0.0;
    int64_t taken = 0;
    auto last = std::chrono::steady_clock::now();
    for (int64_t s = 0; s < steps && !ctx.cancelled() && !out_of_time(); ++s) {
      loss_sum += trainer_->step(digits_.train.index({order.narrow(0, s * batch, batch)}));
      ++taken;
      const auto now = std::chrono::steady_clock::now();
      progress_.seconds += std::chrono::duration<double>(now - last).count();
      last = now;
      ctx.progress(static_cast<double>(s + 1), static_cast<double>(steps));
    }
    progress_.step = trainer_->steps_done();
    ++progress_.epoch;
    const double held_out = trainer_->evaluate(digits_.held_out, seed_);
    const double train = taken > 0 ? loss_sum / static_cast<double>(taken) : held_out;
    append_curve_row((out_ / "curve.csv").string(), {progress_.epoch, progress_.step, progress_.seconds, train, held_out});
    plot_curve((out_ / "curve.csv").string(), (out_ / "curve.png").string());
    save_checkpoint(checkpoint_path().string(), *model_, &trainer_->optimizer(), progress_);
    ctx.log(NFX_LOG_INFO, "epoch " + std::to_string(progress_.epoch) + ": train " + std::to_string(train) +
                              " bits/dim, held out " + std::to_string(held_out) + " bits/dim");
    ctx.set_item_name("epoch " + std::to_string(progress_.epoch));
    ctx.output_scalar(0, held_out);
    ctx.output_scalar(1, train);
  }

 private:
  fs::path checkpoint_path() const { return out_ / "checkpoint.pt"; }
  bool out_of_time() const { return progress_.seconds >= minutes_ * 60.0; }
  bool done() const { return out_of_time() || (epochs_ > 0 && progress_.epoch >= epochs_); }

  fs::path out_;
  double minutes_;
  int64_t epochs_;
  uint64_t seed_;
  DigitsSplit digits_;
  std::shared_ptr<FlowModel> model_;
  std::unique_ptr<Trainer> trainer_;
  TrainingProgress progress_;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  plugin.node<Train>("flow.train", "Trains a normalizing flow on the 20 x 20 digits (4,500 train, every 10th held out); "
                                   "one item per epoch, checkpoint and curve in `out`, resumes where it stopped")
      .output(nfx::port("held_out_bpd", NFX_KIND_SCALAR, "held-out bits per dimension after the epoch"))
      .output(nfx::port("train_bpd", NFX_KIND_SCALAR, "mean training loss of the epoch, bits per dimension"))
      .param(nfx::required(nfx::string_param("data", "", "digits.png of the sample data (${data}/digits.png)")))
      .param(nfx::required(nfx::string_param("out", "", "folder for checkpoint.pt, curve.csv and curve.png")))
      .param(nfx::int_param("levels", 2, "multi-scale levels (each squeezes 2x2 and, but the last, splits half off)", 1, 4))
      .param(nfx::int_param("steps", 8, "flow steps per level: ActNorm, mixing, coupling", 1, 64))
      .param(nfx::int_param("hidden", 64, "channels inside each coupling network", 1, 1024))
      .param(nfx::string_param("mixing", "invconv1x1", "mixing layers of each step: invconv1x1 (Glow), finc<k> "
                                                        "(four-corner k x k invertible convolution within channel "
                                                        "quarters, e.g. finc3), periodic<k> (circular k x k "
                                                        "convolution over all channels, e.g. periodic3), none, or "
                                                        "several joined by '+' "
                                                        "(invconv1x1+finc3)"))
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
      .param(nfx::int_param("seed", 0, "seed for initialization, shuffling and evaluation noise", 0, 1e9))
      .param(nfx::bool_param("resume", true, "continue from out/checkpoint.pt when it exists"))
      .param(nfx::int_param("threads", 0, "LibTorch threads; 0: every core", 0, 1024));
}

}  // namespace nfx::flow
