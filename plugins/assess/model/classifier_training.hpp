// Training the compact classifier on imbalanced data with one of the usual remedies (the baselines of
// issue 18; the GAN-augmented run adds generated items to the data and trains plainly): plain
// cross-entropy, class-weighted cross-entropy, random oversampling, SMOTE in pixel space, or focal loss.
// Batches are drawn seeded from the (rebalanced) training items; training stops at a time budget or a
// step count, whichever comes first.
#pragma once

#include "model/classifier.hpp"

#include <functional>
#include <memory>
#include <string>

namespace nfx::assess {

enum class Remedy { plain, class_weights, oversampling, smote, focal };
const char* remedy_name(Remedy remedy);    // "plain", "class-weights", "oversampling", "smote", "focal"
Remedy remedy_named(const std::string& name);  // throws nfx::Error for another name

struct ClassifierTraining {
  Remedy remedy = Remedy::plain;
  int64_t batch = 128;
  double learning_rate = 2e-3;
  double clip_norm = 0;    // gradient norm above which gradients are scaled down; 0: none
  double seconds = 60;     // train_classifier's time budget; 0: none
  int64_t max_steps = 0;   // train_classifier's step count; 0: none (one of the two limits must be set)
  double focal_gamma = 2;
  int smote_neighbours = 5;
  uint64_t seed = 0;       // the parameters' draw and the remedy's (batches are drawn from the caller's generator)
};

// The classifier, its optimizer and the pool its batches are drawn from after the remedy: every item once,
// with oversampling the rare ones repeated, with SMOTE its new items added.
class ClassifierTrainer {
 public:
  // `images` N x C x S x S uint8, `labels` N int64 in 0 .. classes - 1. Throws nfx::Error for anything else.
  ClassifierTrainer(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes, const ClassifierTraining& options);
  // One step on a batch drawn from the pool with `generator`, at `learning_rate`. Returns the loss.
  double step(torch::Generator& generator, double learning_rate);
  CompactCnn& model() { return model_; }
  torch::optim::Adam& optimizer() { return *optimizer_; }
  int64_t pool_items() const { return pool_.size(0); }

 private:
  ClassifierTraining options_;
  torch::Tensor images_, labels_, pool_;
  LossOptions loss_;
  CompactCnn model_{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer_;
};

struct TrainedClassifier {
  CompactCnn model{nullptr};
  int64_t items = 0;  // the batches' pool: the training items after the remedy (oversampled, with SMOTE's)
  int64_t steps = 0;
  double seconds = 0;
  double first_loss = 0, last_loss = 0;  // mean of the first and last 20 steps' losses
};

// `images` N x C x S x S uint8, `labels` N int64 in 0 .. classes - 1. `progress(done)` with done in [0, 1].
TrainedClassifier train_classifier(const torch::Tensor& images, const torch::Tensor& labels, int64_t classes,
                                   const ClassifierTraining& options, const std::function<void(double)>& progress = {});

// The model's logits for `images` (uint8, as above), in evaluation mode, `batch` at a time.
torch::Tensor classifier_logits(CompactCnn& model, const torch::Tensor& images, int64_t batch = 512);

}  // namespace nfx::assess
