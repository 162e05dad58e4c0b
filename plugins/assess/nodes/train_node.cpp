// assess.train: a grading model from a labelled folder (or CSV). The items are split train / validation /
// test by class (seeded; the lists written beside the model so assess.eval scores the test part), an
// imbalance induced when asked (`keep`), then with `remedy = "gan"` the conditional GAN trained first
// (out/gan: its curve, checkpoints and per-class samples) and its items of the smaller classes added; the
// classifier trained on the shared loop (out: checkpoint.pt, best.pt by validation balanced accuracy, the
// curve); then the temperature and the review thresholds fitted on the validation split, and everything
// written to out/grader.pt. Each loop resumes where it stopped.
#include "assess_nodes.hpp"
#include "model/classifier_task.hpp"
#include "model/gan_task.hpp"
#include "model/grading_model.hpp"
#include "model/splits.hpp"
#include "nodes/labelled_data.hpp"
#include "nodes/pictures.hpp"

#include <nfx/common/atomic_file.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/train_params.hpp>

#include <torch/torch.h>

#include <filesystem>

namespace nfx::assess {

namespace {

namespace fs = std::filesystem;

// The items `which` of `set` as a `file,label` CSV (absolute paths), written atomically.
void write_list(const fs::path& path, const LabelledSet& set, const std::vector<int64_t>& which) {
  std::string text = "file,label\n";
  for (int64_t i : which) {
    const LabelledFile& f = set.files[static_cast<size_t>(i)];
    text += fs::absolute(f.path).string() + "," + set.classes[static_cast<size_t>(f.label)] + "\n";
  }
  nfx::plugins::write_file_atomically(path, text.data(), text.size());
}

std::vector<int> as_ints(const torch::Tensor& labels) {
  const torch::Tensor l = labels.to(torch::kInt32).contiguous();
  return std::vector<int>(l.data_ptr<int>(), l.data_ptr<int>() + l.numel());
}

class Train : public nfx::Node, public nfx::training::LoopState {
 public:
  explicit Train(nfx::Params& p)
      : data_(p.get_string("data")), size_(static_cast<int>(p.get_int("size"))), channels_(static_cast<int>(p.get_int("channels"))),
        validation_(p.get_float("validation")), test_(p.get_float("test")), keep_(p.get_string("keep")),
        remedy_(p.get_string("remedy")), generated_(p.get_int("generated")), gan_minutes_(p.get_float("gan_minutes")),
        conditioning_(conditioning_named(p.get_string("conditioning"))), gan_augment_(p.get_bool("gan_augment")),
        reject_(p.get_string("reject")),
        review_error_(p.get_float("review_error")) {
    nfx::training::apply_thread_policy(p);
    const nfx::training::TrainParams shared = nfx::training::read_train_params(p);
    step_ = shared.step;
    options_ = shared.loop;
    options_.format = kClassifierCheckpointFormat;
    options_.best = "balanced_accuracy";
    options_.higher_is_better = true;
    if (remedy_ != "gan") training_.remedy = remedy_named(remedy_);
    if (channels_ != 1 && channels_ != 3) throw nfx::ParamError("channels", "1 (gray) or 3 (RGB)");
    if (size_ % 4 != 0 && remedy_ == "gan") throw nfx::ParamError("size", "the GAN needs a size that is a multiple of 4");
    if (validation_ + test_ >= 0.9) throw nfx::ParamError("test", "validation and test together must leave at least 10% to train on");
  }

  void process(nfx::Context& ctx) override {
    if (done_) return ctx.end_of_stream();
    prepare(ctx);
    run_all(ctx);
    if (ctx.cancelled()) return ctx.end_of_stream();
    write_grader(ctx);
    ctx.output_scalar(0, loop()->progress().best);
    done_ = true;
  }

 private:
  // The data, the GAN when asked, and the classifier's loop.
  void prepare(nfx::Context& ctx) {
    set_ = read_labelled(data_);
    std::vector<int> labels;
    for (const LabelledFile& f : set_.files) labels.push_back(f.label);
    const int classes = static_cast<int>(set_.classes.size());
    const Split split = stratified_split(labels, classes, validation_, test_, options_.seed);
    const std::map<int, double> keep = class_shares(keep_, set_.classes);
    const std::vector<int64_t> train = induce_imbalance(split.train, labels, keep, options_.seed);
    const std::vector<int64_t> validation = induce_imbalance(split.validation, labels, keep, nfx::training::derive_seed(options_.seed, "validation"));
    fs::create_directories(options_.out);
    write_list(options_.out / "train.csv", set_, train);
    write_list(options_.out / "validation.csv", set_, validation);
    write_list(options_.out / "test.csv", set_, split.test);
    ItemTensors train_items = as_tensors(load_and_report(set_, train, size_, channels_, ctx));
    validation_items_ = as_tensors(load_and_report(set_, validation, size_, channels_, ctx));
    std::string counts;
    for (int c = 0; c < classes; ++c) counts += " " + set_.classes[static_cast<size_t>(c)] + " " + std::to_string((train_items.labels == c).sum().item<int64_t>());
    ctx.log(NFX_LOG_INFO, std::to_string(train_items.labels.size(0)) + " training items:" + counts + "; " +
                              std::to_string(validation_items_.labels.size(0)) + " validation, " + std::to_string(split.test.size()) + " test");
    if (remedy_ == "gan") train_items = with_gan_items(ctx, std::move(train_items));
    training_.batch = step_.batch;
    training_.learning_rate = step_.learning_rate;
    training_.clip_norm = step_.clip_norm;
    training_.seed = options_.seed;
    make_loop(std::make_unique<ClassifierTask>(train_items.images, train_items.labels, validation_items_.images, validation_items_.labels,
                                               classes, training_, step_),
              options_);
  }

  // Trains (or resumes) the GAN in out/gan, draws its sample grid, and returns the items with the
  // generated ones added.
  ItemTensors with_gan_items(nfx::Context& ctx, ItemTensors items) {
    GanShape shape;
    shape.channels = channels_;
    shape.size = size_;
    shape.classes = static_cast<int64_t>(set_.classes.size());
    GanOptions gan_options;
    gan_options.conditioning = conditioning_;
    gan_options.augment = gan_augment_;
    GanTask gan(shape, gan_options, 0.3, items.images, items.labels, validation_items_.images, validation_items_.labels, options_.seed);
    nfx::training::LoopOptions loop = options_;
    loop.out = options_.out / "gan";
    loop.format = kGanCheckpointFormat;
    loop.minutes = gan_minutes_;
    loop.epochs = 0;
    loop.best.clear();
    nfx::training::Loop gan_loop(gan, loop);
    {
      const nfx::training::ContextHooks hooks(gan_loop, ctx);
      try {
        gan_loop.run();
      } catch (const nfx::training::CheckpointError& e) {
        throw nfx::Error(e.what(), NFX_ERR_IO);
      }
    }
    if (ctx.cancelled()) throw nfx::Error("cancelled while training the GAN; " + gan_loop.checkpoint_path().string() + " holds its state", NFX_ERR_CANCELLED);
    if (!gan.adversarial()) gan.gan().start_adversarial();  // a budget too short for phase 2: the autoencoder alone
    torch::Generator draws = nfx::training::make_generator(nfx::training::derive_seed(options_.seed, "generated"));
    const int64_t classes = shape.classes;
    const torch::Tensor grid_labels = torch::arange(classes, torch::kInt64).repeat_interleave(8);
    const torch::Tensor grid = (gan.gan().sample(grid_labels, draws) * 255).round().to(torch::kUInt8);
    write_sample_grid((loop.out / "samples.png").string(), grid.view({classes, 8, channels_, size_, size_}), set_.classes);
    std::vector<int64_t> counts;
    for (int64_t c = 0; c < classes; ++c) counts.push_back((items.labels == c).sum().item<int64_t>());
    const std::vector<int64_t> wanted = generated_counts(counts, generated_);
    auto [images, labels] = with_generated_items(gan.gan(), items.images, items.labels, wanted, draws);
    ctx.log(NFX_LOG_INFO, "GAN: " + std::to_string(images.size(0) - items.images.size(0)) + " generated items added; samples in " +
                              (loop.out / "samples.png").string());
    return {images, labels};
  }

  // best.pt's classifier with the temperature and review thresholds fitted on the validation split.
  void write_grader(nfx::Context& ctx) {
    GradingModel grader;
    grader.classes = set_.classes;
    grader.size = size_;
    grader.channels = channels_;
    const int classes = static_cast<int>(set_.classes.size());
    grader.classifier = CompactCnn(channels_, classes);
    const fs::path best = fs::exists(loop()->best_path()) ? loop()->best_path() : loop()->checkpoint_path();
    try {
      nfx::training::CheckpointReader(best.string(), kClassifierCheckpointFormat).module("classifier", *grader.classifier);
    } catch (const nfx::training::CheckpointError& e) {
      throw nfx::Error(e.what(), NFX_ERR_IO);
    }
    const torch::Tensor logits = classifier_logits(grader.classifier, validation_items_.images).to(torch::kFloat32).contiguous();
    const std::vector<float> values(logits.data_ptr<float>(), logits.data_ptr<float>() + logits.numel());
    const std::vector<int> truth = as_ints(validation_items_.labels);
    grader.temperature = fit_temperature(values, classes, truth);
    grader.thresholds = review_thresholds(softmax(values, classes, grader.temperature), classes, truth, review_error_);
    grader.accepted.assign(static_cast<size_t>(classes), true);
    for (const std::string& name : comma_list(reject_)) grader.accepted[static_cast<size_t>(class_index(set_.classes, name, "reject"))] = false;
    const fs::path path = options_.out / "grader.pt";
    save_grading_model(grader, path.string());
    std::string thresholds;
    for (int c = 0; c < classes; ++c) {
      const double t = grader.thresholds[static_cast<size_t>(c)];
      char value[32];
      std::snprintf(value, sizeof value, "%.3f", t);
      thresholds += (c ? ", " : "") + set_.classes[static_cast<size_t>(c)] + " " + (t > 1 ? "(all)" : value);
    }
    ctx.log(NFX_LOG_INFO, "grading model " + path.string() + ": temperature " + std::to_string(grader.temperature) +
                              "; review below " + thresholds);
  }

  std::string data_;
  int size_, channels_;
  double validation_, test_;
  std::string keep_, remedy_;
  int64_t generated_;
  double gan_minutes_;
  Conditioning conditioning_;
  bool gan_augment_;
  std::string reject_;
  double review_error_;
  nfx::training::StepOptions step_;
  nfx::training::LoopOptions options_;
  ClassifierTraining training_;
  LabelledSet set_;
  ItemTensors validation_items_;
  bool done_ = false;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  nfx::NodeTypeBuilder& node =
      plugin.node<Train>("assess.train", "Trains a grading model on a labelled folder (one sub-folder per class) or a file,label "
                                         "CSV: seeded stratified split, optional induced imbalance, the conditional GAN's items "
                                         "of the smaller classes (remedy = \"gan\") or another remedy, the compact CNN on the "
                                         "shared loop, then temperature and review thresholds on the validation split; writes "
                                         "out/grader.pt, the split lists (train.csv, validation.csv, test.csv) and curves")
          .param(nfx::required(nfx::string_param("data", "", "a folder with one sub-folder of images per class, or a CSV of "
                                                               "file,label lines (files relative to the CSV)")))
          .param(nfx::int_param("size", 28, "the model's input: every image squeezed to size x size pixels", 8, 256))
          .param(nfx::int_param("channels", 1, "1 (gray) or 3 (RGB)", 1, 3))
          .param(nfx::float_param("validation", 0.1, "share of each class held for validation (temperature, thresholds, best.pt)", 0.01, 0.5))
          .param(nfx::float_param("test", 0.2, "share of each class held out for assess.eval (out/test.csv)", 0, 0.5))
          .param(nfx::string_param("keep", "", "induced imbalance for experiments: CLASS=SHARE pairs joined by commas, e.g. "
                                               "\"defect=0.02\": only that share of the class's training and validation items kept"))
          .param(nfx::string_param("remedy", "gan", "what to do about rare classes: gan (the conditional GAN's items added), plain, "
                                                    "class-weights, oversampling, smote or focal",
                                   "gan|plain|class-weights|oversampling|smote|focal"))
          .param(nfx::int_param("generated", 0, "GAN items made for each class smaller than the largest; 0: as many as bring it "
                                                "up to the largest", 0, 1e7))
          .param(nfx::float_param("gan_minutes", 5, "the GAN's training time (the autoencoder the first 30%), on top of `minutes`", 0.05, 1e5))
          .param(nfx::string_param("conditioning", "projection", "the GAN critic's conditioning: projection, or auxiliary (AC-GAN)",
                                   "projection|auxiliary"))
          .param(nfx::bool_param("gan_augment", false, "the GAN's critic sees real and generated items through differentiable "
                                                       "augmentation (DiffAugment: colour, shifts, cutout); see docs/assess.md"))
          .param(nfx::string_param("reject", "", "classes whose items are rejected (the defects), joined by commas; the others are accepted"))
          .param(nfx::float_param("review_error", 0.01, "per class, the confidence threshold is the lowest at which at most this "
                                                        "share of the validation items above it are wrong; items below go to review",
                                  0, 1))
          .output(nfx::port("balanced_accuracy", NFX_KIND_SCALAR, "the best validation balanced accuracy"));
  nfx::training::add_train_params(node, {/*batch*/ 128, /*learning_rate*/ 2e-3, /*warmup_steps*/ 0, "constant", 0, /*minutes*/ 3, /*clip_norm*/ 0});
}

}  // namespace nfx::assess
