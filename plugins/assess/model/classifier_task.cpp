#include "model/classifier_task.hpp"

#include <nfx/training/metrics.hpp>
#include <nfx/training/schedule.hpp>

#include <torch/torch.h>

namespace nfx::assess {

ClassifierTask::ClassifierTask(const torch::Tensor& images, const torch::Tensor& labels, torch::Tensor validation_images,
                               torch::Tensor validation_labels, int64_t classes, const ClassifierTraining& training,
                               const nfx::training::StepOptions& step)
    : trainer_(images, labels, classes, training),
      validation_images_(std::move(validation_images)),
      validation_labels_(std::move(validation_labels)),
      classes_(classes),
      step_(step) {}

int64_t ClassifierTask::steps_per_epoch() const { return std::max<int64_t>(1, trainer_.pool_items() / step_.batch); }

nfx::training::Values ClassifierTask::step(nfx::training::Run& run, int64_t) {
  const nfx::training::Schedule schedule{step_.learning_rate, step_.warmup_steps, step_.schedule};
  const double loss = trainer_.step(run.generator(), schedule.at(steps_done_, run.budget_used()));
  ++steps_done_;
  return {{"loss", loss}};
}

nfx::training::Values ClassifierTask::validate(nfx::training::Run&) {
  const torch::Tensor logits = classifier_logits(trainer_.model(), validation_images_);
  const torch::Tensor predicted = logits.argmax(1);
  const double nll = torch::nll_loss(torch::log_softmax(logits, 1), validation_labels_).item<double>();
  return {{"balanced_accuracy", nfx::training::balanced_accuracy(predicted, validation_labels_, classes_)},
          {"macro_f1", nfx::training::macro_f1(predicted, validation_labels_, classes_)},
          {"loss", nll}};
}

void ClassifierTask::save(nfx::training::CheckpointWriter& c) {
  c.module("classifier", *trainer_.model());
  c.optimizer("optimizer", trainer_.optimizer());
}

void ClassifierTask::load(nfx::training::CheckpointReader& c) {
  c.module("classifier", *trainer_.model());
  c.optimizer("optimizer", trainer_.optimizer());
  steps_done_ = c.progress().step;
}

}  // namespace nfx::assess
