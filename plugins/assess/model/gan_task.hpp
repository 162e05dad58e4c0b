// The conditional GAN's training as a task of the shared loop (nfx::training::Loop: time budget,
// checkpoints, resumption, the curve): the autoencoder for the first `autoencoder_share` of the budget,
// then the adversarial rounds. The phase changes at an epoch's start, so an epoch's figures are of one
// phase; the other phase's columns of the curve are NaN (not drawn).
#pragma once

#include "model/conditional_gan.hpp"

#include <nfx/training/loop.hpp>

namespace nfx::assess {

constexpr const char* kGanCheckpointFormat = "nfx-assess-gan-1";

class GanTask : public nfx::training::Task {
 public:
  // Training items and validation items (uint8 N x C x S x S, N labels). Parameters drawn from `seed`.
  GanTask(const GanShape& shape, const GanOptions& options, double autoencoder_share, torch::Tensor images,
          torch::Tensor labels, torch::Tensor validation_images, torch::Tensor validation_labels, uint64_t seed);

  int64_t steps_per_epoch() const override { return 100; }
  void begin_epoch(nfx::training::Run& run) override;
  // Figures: autoencoder (reconstruction MSE), critic and generator losses.
  nfx::training::Values step(nfx::training::Run& run, int64_t index) override;
  // reconstruction: the autoencoder's MSE on the validation items; wasserstein: the critic's mean score of
  // the validation items minus that of as many generated items of the same classes (NaN before phase 2).
  nfx::training::Values validate(nfx::training::Run& run) override;
  void save(nfx::training::CheckpointWriter& checkpoint) override;
  void load(nfx::training::CheckpointReader& checkpoint) override;

  bool adversarial() const { return gan_.latent_mean.defined(); }
  ConditionalGan& gan() { return gan_; }

 private:
  double autoencoder_share_;
  torch::Generator init_;
  ConditionalGan gan_;
  torch::Tensor validation_images_, validation_labels_;
};

// The spec a GAN checkpoint records, read back (to rebuild the networks for sampling).
struct GanSpec {
  GanShape shape;
  Conditioning conditioning = Conditioning::projection;
};
void write_gan_spec(nfx::training::CheckpointWriter& checkpoint, const GanShape& shape, Conditioning conditioning);
GanSpec read_gan_spec(nfx::training::CheckpointReader& checkpoint);

}  // namespace nfx::assess
