// The imbalance baselines of issue 18 (docs/results.md): Fashion-MNIST's training set with RARE classes
// kept at SHARE of their items, 10% of it (stratified) held for validation, and the compact classifier
// trained with each remedy for SECONDS; scored on the untouched, balanced test set (1,000 per class):
// balanced accuracy, macro-F1 and the mean recall of the rare classes, per seed.
//
//   bench_assess DATA_DIR [SHARE [SECONDS [SEEDS [RARE]]]]     (bench/assess.sh; RARE e.g. 2,4,6)
#include "model/calibration.hpp"
#include "model/classifier_training.hpp"
#include "model/idx_files.hpp"
#include "model/splits.hpp"

#include <nfx/base.hpp>
#include <nfx/training/metrics.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <sstream>

namespace a = nfx::assess;

namespace {

struct Data {
  torch::Tensor images, labels;  // N x 1 x 28 x 28 uint8, N int64
};

Data read(const std::string& dir, const std::string& prefix) {
  const a::IdxImages images = a::read_idx_images(dir + "/" + prefix + "-images-idx3-ubyte.gz");
  const std::vector<uint8_t> labels = a::read_idx_labels(dir + "/" + prefix + "-labels-idx1-ubyte.gz");
  Data d;
  d.images = torch::from_blob(const_cast<uint8_t*>(images.pixels.data()), {images.count, 1, images.rows, images.columns}, torch::kUInt8).clone();
  d.labels = torch::from_blob(const_cast<uint8_t*>(labels.data()), {static_cast<int64_t>(labels.size())}, torch::kUInt8).to(torch::kInt64);
  return d;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_assess DATA_DIR [SHARE [SECONDS [SEEDS [RARE]]]]\n");
    return 2;
  }
  const double share = argc > 2 ? std::atof(argv[2]) : 0.02, seconds = argc > 3 ? std::atof(argv[3]) : 60;
  const int seeds = argc > 4 ? std::atoi(argv[4]) : 1;
  std::vector<int> rare;
  std::stringstream rare_arg(argc > 5 ? argv[5] : "2,4,6");
  for (std::string c; std::getline(rare_arg, c, ',');) rare.push_back(std::stoi(c));
  torch::set_num_threads(2);
  const Data train = read(argv[1], "train"), test = read(argv[1], "t10k");
  const int64_t classes = 10;
  std::printf("Fashion-MNIST: classes");
  for (int c : rare) std::printf(" %d", c);
  std::printf(" kept at %.0f%% of the training items; %g s of training per run; test set %lld images\n\n", 100 * share, seconds,
              static_cast<long long>(test.labels.size(0)));
  std::printf("| remedy | seed | training items | steps | balanced accuracy | macro-F1 | rare-class recall | ECE (T = 1) |\n|---|---|---|---|---|---|---|---|\n");
  for (int seed = 1; seed <= seeds; ++seed) {
    const std::vector<int> labels(train.labels.data_ptr<int64_t>(), train.labels.data_ptr<int64_t>() + train.labels.size(0));
    const a::Split split = a::stratified_split(labels, static_cast<int>(classes), 0.1, 0.0, static_cast<uint64_t>(seed));
    std::map<int, double> keep;
    for (int c : rare) keep[c] = share;
    const std::vector<int64_t> kept = a::induce_imbalance(split.train, labels, keep, static_cast<uint64_t>(seed));
    const torch::Tensor pick = torch::tensor(kept, torch::kInt64);
    const torch::Tensor x = train.images.index_select(0, pick), y = train.labels.index_select(0, pick);
    for (const char* name : {"plain", "class-weights", "oversampling", "smote", "focal"}) {
      a::ClassifierTraining options;
      options.remedy = a::remedy_named(name);
      options.seconds = seconds;
      options.seed = static_cast<uint64_t>(seed);
      a::TrainedClassifier trained = a::train_classifier(x, y, classes, options);
      const torch::Tensor logits = a::classifier_logits(trained.model, test.images);
      const torch::Tensor predicted = logits.argmax(1);
      const torch::Tensor confusion = nfx::training::confusion_matrix(predicted, test.labels, classes).to(torch::kDouble);
      double rare_recall = 0;
      for (int c : rare) rare_recall += (confusion[c][c] / confusion[c].sum()).item<double>() / static_cast<double>(rare.size());
      const torch::Tensor flat = logits.to(torch::kFloat32).contiguous();
      const std::vector<float> logit_values(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
      const std::vector<int> truth(test.labels.data_ptr<int64_t>(), test.labels.data_ptr<int64_t>() + test.labels.size(0));
      const double ece = a::expected_calibration_error(a::softmax(logit_values, classes), classes, truth);
      std::printf("| %s | %d | %lld | %lld | %.3f | %.3f | %.3f | %.3f |\n", name, seed, static_cast<long long>(trained.items),
                  static_cast<long long>(trained.steps), nfx::training::balanced_accuracy(predicted, test.labels, classes),
                  nfx::training::macro_f1(predicted, test.labels, classes), rare_recall, ece);
      std::fflush(stdout);
    }
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_assess: %s\n", e.what());
  return 1;
}
