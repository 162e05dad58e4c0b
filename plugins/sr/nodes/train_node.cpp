// sr.train: trains Affine-StableSR on a folder of high-resolution images with the shared training loop
// (time budget, atomic checkpoints, resumption, the curve as CSV and PNG), one item per epoch; when the
// budget is spent the best state (highest held-out Y-PSNR) is written as a float16 model file.
#include "sr_nodes.hpp"
#include "model/stable_sr_training.hpp"

#include <nfx/training/facts.hpp>
#include <nfx/training/images.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/train_params.hpp>

#include <filesystem>

namespace nfx::sr {

namespace {

namespace training = nfx::training;

StableSrSpec spec_from(nfx::Params& p) {
  try {
    return spec_from_fields([&](const std::string& key) { return p.get_int(nfx::flow::layer_param(key).c_str()); },
                            [&](const std::string& key) { return p.get_string(nfx::flow::layer_param(key).c_str()); });
  } catch (const nfx::flow::SpecError& e) {
    throw nfx::ParamError(e.param(), e.what());  // reported at the parameter's line in the graph
  }
}

class Train : public nfx::Node, public training::LoopState, public nfx::Describable {
 public:
  explicit Train(nfx::Params& p)
      : images_(p.get_string("images")), models_(p.get_string("models")), hold_out_(p.get_float("hold_out")),
        spec_(spec_from(p)) {
    training::apply_thread_policy(p);  // the batch is shared over that many threads
    const training::TrainParams shared = training::read_train_params(p);
    static_cast<training::StepOptions&>(options_) = shared.step;
    options_.patch = p.get_int("patch");
    options_.l1 = p.get_float("l1");
    options_.augment = p.get_bool("augment");
    if (options_.patch * spec_.scale % (int64_t{1} << spec_.flow.levels) != 0) {
      throw nfx::ParamError("patch", "patch x scale must be a multiple of 2^levels = " +
                                         std::to_string(int64_t{1} << spec_.flow.levels) + " (the flow's squeezes)");
    }
    loop_options_ = shared.loop;
    loop_options_.format = kStableSrFormat;
    loop_options_.best = "y_psnr";
    loop_options_.higher_is_better = true;
    try {
      model_ = std::make_shared<StableSr>(spec_, models_, training::derive_seed(loop_options_.seed, "model"));
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("encoder", e.what());
    }
  }

  void process(nfx::Context& ctx) override {
    if (!loop()) build(ctx);
    if (!run_epoch_item(ctx)) {
      export_model(ctx);
      ctx.end_of_stream();
    }
  }

  training::Facts describe(nfx::Context&) override {
    training::Facts facts{
        {"architecture", "Affine-StableSR, " + sr::describe(spec_)},
        {"parameters", training::with_commas(model_->encoder_parameters() + model_->trainable_parameters())}};
    for (const auto& [part, count] : model_->parameter_parts()) facts.emplace_back("  " + part, training::with_commas(count));
    facts.emplace_back("images", images_);
    facts.emplace_back("out", loop_options_.out);
    return facts;
  }

 private:
  // The folder's images, shrunk and encoded once; a share of them (by a hash of the name) held out for
  // validation, at least one.
  void build(nfx::Context& ctx) {
    const std::vector<training::NamedImage> images = training::load_image_folder(images_, 3);
    std::vector<std::pair<std::string, torch::Tensor>> train, held_out;
    for (const training::NamedImage& image : images) {
      (training::held_out_by_name(image.name, hold_out_) ? held_out : train).emplace_back(image.name, image.pixels);
    }
    if (held_out.empty() && images.size() > 1) {
      held_out.push_back(train.back());
      train.pop_back();
    }
    if (train.empty()) throw nfx::Error(images_ + ": no image left for training after the held-out split", NFX_ERR_INVALID_ARGUMENT);
    std::string names;
    for (const auto& [name, image] : held_out) names += (names.empty() ? "" : ", ") + name;
    ctx.log(NFX_LOG_INFO, sr::describe(spec_) + ": " + std::to_string(model_->encoder_parameters()) + " frozen encoder + " +
                              std::to_string(model_->trainable_parameters()) + " trained parameters; " +
                              std::to_string(train.size()) + " training images, held out for validation: " + names);
    const size_t total = train.size() + held_out.size();
    const auto progress = [&](size_t offset) {
      return [&ctx, offset, total](size_t done) { ctx.progress(static_cast<double>(offset + done), static_cast<double>(total)); };
    };
    try {
      std::vector<SrExample> train_examples = prepare_examples(*model_, train, options_.patch, progress(0));
      std::vector<SrExample> held_out_examples = prepare_examples(*model_, held_out, 1, progress(train.size()));
      make_loop(std::make_unique<StableSrTask>(model_, options_, std::move(train_examples), std::move(held_out_examples)),
                loop_options_);
    } catch (const nfx::Error& e) {
      throw nfx::Error(images_ + "/" + e.what(), NFX_ERR_INVALID_ARGUMENT);
    }
  }

  // model.pt: the best state's weights (the last state's when nothing was validated) in float16.
  void export_model(nfx::Context& ctx) {
    const std::filesystem::path best = loop()->best_path(), file = loop_options_.out / "model.pt";
    try {
      if (std::filesystem::exists(best)) {
        training::CheckpointReader reader(best.string(), kStableSrFormat);
        read_stable_sr_weights(reader, *model_);
      }
      training::CheckpointWriter writer(kStableSrFormat);
      write_stable_sr(writer, *model_, true);
      writer.save(file.string());
    } catch (const training::CheckpointError& e) {
      throw nfx::Error(e.what(), NFX_ERR_IO);
    }
    ctx.log(NFX_LOG_INFO, "wrote " + file.string() + " (float16; sr.upscale model = \"" + file.string() + "\")");
  }

  std::string images_, models_;
  double hold_out_;
  StableSrSpec spec_;
  SrTrainOptions options_;
  training::LoopOptions loop_options_;
  std::shared_ptr<StableSr> model_;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  nfx::NodeTypeBuilder& node = plugin.node<Train>("sr.train", "Trains Affine-StableSR (a conditional flow on a frozen pre-trained encoder) on a folder "
                                 "of images shrunk by MATLAB's bicubic imresize, one item per epoch; checkpoint.pt, "
                                 "best.pt (highest held-out Y-PSNR), the curve, and at the end model.pt (float16) in "
                                 "`out`; resumes where it stopped")
      .output(nfx::port("held_out_y_psnr", NFX_KIND_SCALAR, "Y-PSNR (dB) of the deterministic output on the held-out images"))
      .output(nfx::port("train_loss", NFX_KIND_SCALAR, "mean training loss of the epoch"))
      .param(nfx::required(nfx::string_param("images", "", "folder of high-resolution training images (PNG, JPEG ...)")))
      .param(nfx::int_param("scale", 4, "upscaling factor", 2, 4))
      .param(nfx::string_param("encoder", "esrgan-thick", "the frozen pre-trained encoder", "esrgan-slim|esrgan-medium|esrgan-thick"))
      .param(nfx::int_param("encoder_blocks", 3, "the encoder's first blocks that are kept (their outputs are the features)", 1, 10))
      .param(nfx::string_param("models", "", "where the fetched models are; empty: <data>/sr"))
      .param(nfx::int_param("condition", 64, "channels of the condition the flow's couplings see", 1, 512))
      .param(nfx::int_param("levels", 2, "flow levels (each squeezes 2x2; all but the last split half off)", 1, 4))
      .param(nfx::int_param("steps_per_level", 4, "flow steps per level: ActNorm, mixing, coupling", 1, 64))
      .param(nfx::int_param("hidden", 64, "channels inside each coupling network", 1, 1024))
      .param(nfx::string_param("mixing", "invconv1x1+finc3", "mixing layers of each step, as flow.train's (invconv1x1, "
                                                              "finc<k>, periodic<k>, none, joined by '+')"))
      .param(nfx::string_param("coupling", "affine", "affine or quad", "affine|quad"))
      .param(nfx::string_param("direction", "inverse", "inverse (Inverse-Flow: upscaling runs plain convolutions, so "
                                                       "tiles are exact) or standard", "standard|inverse"))
      .param(nfx::int_param("patch", 16, "low-resolution patch side (times scale at high resolution)", 4, 512))
      .param(nfx::float_param("l1", 0.2, "weight of the L1 term: mean absolute error (grey levels) of the flow's "
                                         "conditional mean, added to the negative log-likelihood (bits/dim); 0: "
                                         "likelihood only", 0, 1e6))
      .param(nfx::bool_param("augment", true, "random flips and rotations of the patches"))
      .param(nfx::float_param("hold_out", 10.0, "percent of the folder's images held out for validation (by a hash of "
                                                "the name; at least one)", 0, 50));
  training::add_train_params(
      node, {/*batch*/ 16, /*learning_rate*/ 5e-4, /*warmup_steps*/ 100, /*schedule*/ "cosine", /*steps_per_epoch*/ 100});
}

}  // namespace nfx::sr
