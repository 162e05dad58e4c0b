// One run of the imbalance comparison of issue 18 (docs/results.md; bench/assess.sh runs the sweep and
// bench/assess_table.py makes the tables): a data set with RARE classes kept at SHARE of their training and
// validation items, the compact classifier trained for SECONDS with one remedy (for `gan`, the conditional
// GAN trained first for GAN_SECONDS and its items of the rare classes added), scored on a balanced test
// split the imbalance never touched. Writes one JSON: balanced accuracy, macro-F1, rare-class recall,
// per-class recall, calibration before and after temperature scaling, the review curve (share of items
// sent to review and error among the accepted ones, per confidence threshold), times and items graded per
// second.
//
//   bench_assess OUT.json data=fashion|digits dir=PATH share=0.02 rare=2,4,6 remedy=plain seed=1 seconds=120
//                [gan_seconds=300 generated=0 conditioning=projection after_gan=plain augment=0]
//
// after_gan: the remedy the classifier trains with on the real and generated items (plain: they are
// balanced already when `generated` is 0). augment=1: the critic sees the items through DiffAugment.
#include "model/calibration.hpp"
#include "model/classifier_training.hpp"
#include "model/gan_task.hpp"
#include "model/idx_files.hpp"
#include "model/splits.hpp"

#include <nfx/base.hpp>
#include <nfx/training/digits.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/random.hpp>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace a = nfx::assess;
namespace fs = std::filesystem;

namespace {

struct Items {
  torch::Tensor images, labels;  // N x 1 x S x S uint8, N int64
  Items pick(const std::vector<int64_t>& which) const {
    const torch::Tensor index = torch::tensor(which, torch::kInt64);
    return {images.index_select(0, index), labels.index_select(0, index)};
  }
};

Items read_idx(const std::string& dir, const std::string& prefix) {
  const a::IdxImages images = a::read_idx_images(dir + "/" + prefix + "-images-idx3-ubyte.gz");
  const std::vector<uint8_t> labels = a::read_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte.gz");
  return {torch::from_blob(const_cast<uint8_t*>(images.pixels.data()), {images.count, 1, images.rows, images.columns}, torch::kUInt8).clone(),
          torch::from_blob(const_cast<uint8_t*>(labels.data()), {static_cast<int64_t>(labels.size())}, torch::kUInt8).to(torch::kInt64)};
}

std::vector<int> as_ints(const torch::Tensor& labels) {
  const torch::Tensor l = labels.to(torch::kInt32).contiguous();
  return std::vector<int>(l.data_ptr<int>(), l.data_ptr<int>() + l.numel());
}

std::vector<float> as_floats(const torch::Tensor& logits) {
  const torch::Tensor l = logits.to(torch::kFloat32).contiguous();
  return std::vector<float>(l.data_ptr<float>(), l.data_ptr<float>() + l.numel());
}

struct Data {
  Items train, validation, test;
  int64_t classes = 10;
};

// Fashion-MNIST: the training file split 90 / 10 into training and validation (stratified), the test file
// as the test split. Digits: the 5,000 of digits.png split 70 / 10 / 20, stratified.
Data load(const std::string& name, const std::string& path, uint64_t seed) {
  Data d;
  Items all;
  if (name == "fashion") {
    all = read_idx(path, "train");
    d.test = read_idx(path, "t10k");
  } else if (name == "digits") {
    all.images = nfx::training::load_digit_sheet(path);
    all.labels = torch::arange(5000, torch::kInt64).div(500, "floor");
  } else {
    throw nfx::Error("data=" + name + ": expected fashion or digits");
  }
  const a::Split split = a::stratified_split(as_ints(all.labels), 10, 0.1, name == "digits" ? 0.2 : 0.0, seed);
  d.train = all.pick(split.train);
  d.validation = all.pick(split.validation);
  if (name == "digits") d.test = all.pick(split.test);
  return d;
}

Items imbalanced(const Items& items, const std::map<int, double>& keep, uint64_t seed) {
  std::vector<int64_t> all(static_cast<size_t>(items.labels.size(0)));
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int64_t>(i);
  return items.pick(a::induce_imbalance(all, as_ints(items.labels), keep, seed));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_assess OUT.json data=fashion|digits dir=PATH share=S rare=A,B remedy=R seed=N seconds=T "
                         "[gan_seconds=G generated=M conditioning=projection|auxiliary after_gan=R augment=0|1]\n");
    return 2;
  }
  std::map<std::string, std::string> arg{{"share", "0.02"}, {"rare", "2,4,6"}, {"remedy", "plain"}, {"seed", "1"},
                                         {"seconds", "120"}, {"gan_seconds", "300"}, {"generated", "0"}, {"conditioning", "projection"},
                                         {"after_gan", "plain"}, {"augment", "0"}};
  for (int i = 2; i < argc; ++i) {
    const std::string kv = argv[i];
    const size_t eq = kv.find('=');
    if (eq == std::string::npos) throw nfx::Error("argument \"" + kv + "\": expected key=value");
    arg[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  torch::set_num_threads(2);
  const uint64_t seed = std::stoull(arg["seed"]);
  const std::string remedy = arg["remedy"];
  Data d = load(arg["data"], arg["dir"], seed);
  std::map<int, double> keep;
  std::vector<int> rare;
  std::stringstream rare_list(arg["rare"]);
  for (std::string c; std::getline(rare_list, c, ',');) {
    rare.push_back(std::stoi(c));
    keep[rare.back()] = std::stod(arg["share"]);
  }
  const Items train = imbalanced(d.train, keep, seed), validation = imbalanced(d.validation, keep, nfx::training::derive_seed(seed, "validation"));

  nlohmann::json out = {{"data", arg["data"]}, {"share", std::stod(arg["share"])}, {"rare", rare}, {"remedy", remedy},
                        {"seed", seed}, {"seconds", std::stod(arg["seconds"])}, {"training_items", train.labels.size(0)},
                        {"test_items", d.test.labels.size(0)}};
  torch::Tensor x = train.images, y = train.labels;
  a::ClassifierTraining options;
  options.seconds = std::stod(arg["seconds"]);
  options.seed = seed;
  if (remedy == "gan") {
    // The GAN's loop in a scratch folder (its checkpoints are not kept: the sweep resumes by run, not by step).
    const auto start = std::chrono::steady_clock::now();
    a::GanShape shape;
    shape.size = x.size(2);
    a::GanOptions gan_options;
    gan_options.conditioning = a::conditioning_named(arg["conditioning"]);
    gan_options.augment = arg["augment"] == "1";
    out["augment"] = gan_options.augment;
    const Items held = validation.pick([&] {
      std::vector<int64_t> first(static_cast<size_t>(std::min<int64_t>(1000, validation.labels.size(0))));
      for (size_t i = 0; i < first.size(); ++i) first[i] = static_cast<int64_t>(i);
      return first;
    }());
    a::GanTask task(shape, gan_options, 0.3, x, y, held.images, held.labels, seed);
    nfx::training::LoopOptions loop;
    loop.out = fs::path(argv[1]).replace_extension("gan");
    loop.format = a::kGanCheckpointFormat;
    loop.minutes = std::stod(arg["gan_seconds"]) / 60;
    loop.resume = false;
    loop.seed = seed;
    nfx::training::LoopHooks hooks;
    hooks.log = [](const std::string& m) { std::fprintf(stderr, "%s\n", m.c_str()); };
    nfx::training::Loop(task, loop, hooks).run();
    std::vector<int64_t> counts(10);
    for (int64_t c = 0; c < 10; ++c) counts[static_cast<size_t>(c)] = (y == c).sum().item<int64_t>();
    torch::Generator draws = nfx::training::make_generator(nfx::training::derive_seed(seed, "generated"));
    std::tie(x, y) = a::with_generated_items(task.gan(), x, y, a::generated_counts(counts, std::stoll(arg["generated"])), draws);
    fs::remove_all(loop.out);
    out["gan_seconds"] = seconds_since(start);
    out["generated_items"] = x.size(0) - train.labels.size(0);
    options.remedy = a::remedy_named(arg["after_gan"]);
    out["after_gan"] = arg["after_gan"];
  } else {
    options.remedy = a::remedy_named(remedy);
  }
  a::TrainedClassifier trained = a::train_classifier(x, y, d.classes, options);
  out["steps"] = trained.steps;
  out["train_seconds"] = trained.seconds;
  out["pool_items"] = trained.items;

  const auto graded = std::chrono::steady_clock::now();
  const torch::Tensor logits = a::classifier_logits(trained.model, d.test.images);
  out["graded_per_second"] = static_cast<double>(d.test.labels.size(0)) / seconds_since(graded);
  const torch::Tensor predicted = logits.argmax(1);
  const torch::Tensor confusion = nfx::training::confusion_matrix(predicted, d.test.labels, d.classes).to(torch::kDouble);
  const torch::Tensor recall = confusion.diagonal() / confusion.sum(1);
  double rare_recall = 0;
  for (int c : rare) rare_recall += recall[c].item<double>() / static_cast<double>(rare.size());
  out["balanced_accuracy"] = nfx::training::balanced_accuracy(predicted, d.test.labels, d.classes);
  out["macro_f1"] = nfx::training::macro_f1(predicted, d.test.labels, d.classes);
  out["rare_recall"] = rare_recall;
  out["recall"] = std::vector<double>(recall.data_ptr<double>(), recall.data_ptr<double>() + recall.numel());

  const int classes = static_cast<int>(d.classes);
  const double temperature = a::fit_temperature(as_floats(a::classifier_logits(trained.model, validation.images)), classes, as_ints(validation.labels));
  const std::vector<int> truth = as_ints(d.test.labels);
  const std::vector<double> calibrated = a::softmax(as_floats(logits), classes, temperature);
  out["temperature"] = temperature;
  out["ece"] = a::expected_calibration_error(a::softmax(as_floats(logits), classes), classes, truth);
  out["ece_calibrated"] = a::expected_calibration_error(calibrated, classes, truth);
  // The review curve: items below a confidence threshold go to a person; the error among the rest.
  nlohmann::json curve = nlohmann::json::array();
  for (const a::ReviewPoint& p : a::review_curve(calibrated, classes, truth, {0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99})) {
    curve.push_back({{"threshold", p.threshold}, {"review", p.review}, {"error_accepted", p.error}});
  }
  out["review_curve"] = curve;
  const fs::path path = argv[1], temporary = path.string() + ".partial";
  std::ofstream(temporary) << out.dump(1) << "\n";
  fs::rename(temporary, path);
  std::printf("%s %s seed %llu: balanced accuracy %.3f, rare recall %.3f\n", arg["data"].c_str(), remedy.c_str(),
              static_cast<unsigned long long>(seed), out["balanced_accuracy"].get<double>(), rare_recall);
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_assess: %s\n", e.what());
  return 1;
}
