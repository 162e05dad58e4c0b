// The classifier's training as a task of the shared loop (time budget, checkpoints, resumption, the
// curve), for assess.train: the learning-rate schedule and gradient clipping of the shared step options,
// and on the validation split the balanced accuracy (what best.pt keeps the best of), the macro-F1 and the
// negative log-likelihood.
#pragma once

#include "model/classifier_training.hpp"

#include <nfx/training/loop.hpp>
#include <nfx/training/optimizer.hpp>

namespace nfx::assess {

constexpr const char* kClassifierCheckpointFormat = "nfx-assess-classifier-1";

class ClassifierTask : public nfx::training::Task {
 public:
  // Training items (after any generated ones were added) and validation items, uint8 N x C x S x S.
  ClassifierTask(const torch::Tensor& images, const torch::Tensor& labels, torch::Tensor validation_images,
                 torch::Tensor validation_labels, int64_t classes, const ClassifierTraining& training,
                 const nfx::training::StepOptions& step);

  int64_t steps_per_epoch() const override;
  nfx::training::Values step(nfx::training::Run& run, int64_t index) override;
  nfx::training::Values validate(nfx::training::Run& run) override;
  void save(nfx::training::CheckpointWriter& checkpoint) override;
  void load(nfx::training::CheckpointReader& checkpoint) override;

  CompactCnn& model() { return trainer_.model(); }

 private:
  ClassifierTrainer trainer_;
  torch::Tensor validation_images_, validation_labels_;
  int64_t classes_;
  nfx::training::StepOptions step_;
  int64_t steps_done_ = 0;
};

}  // namespace nfx::assess
