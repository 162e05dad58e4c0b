// Training the compact classifier on imbalanced data with one of the usual remedies (the baselines of
// issue 18; the GAN-augmented run adds generated items to the data and trains plainly): plain
// cross-entropy, class-weighted cross-entropy, random oversampling, SMOTE in pixel space, or focal loss.
// Batches are drawn seeded from the (rebalanced) training items; training stops at a time budget or a
// step count, whichever comes first.
#pragma once

#include "model/classifier.hpp"

#include <functional>
#include <string>

namespace nfx::assess {

enum class Remedy { plain, class_weights, oversampling, smote, focal };
const char* remedy_name(Remedy remedy);    // "plain", "class-weights", "oversampling", "smote", "focal"
Remedy remedy_named(const std::string& name);  // throws nfx::Error for another name

struct ClassifierTraining {
  Remedy remedy = Remedy::plain;
  int64_t batch = 128;
  double learning_rate = 2e-3;
  double seconds = 60;     // time budget; 0: none
  int64_t max_steps = 0;   // 0: none (one of the two limits must be set)
  double focal_gamma = 2;
  int smote_neighbours = 5;
  uint64_t seed = 0;
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
