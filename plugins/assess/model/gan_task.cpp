#include "model/gan_task.hpp"

#include <nfx/base.hpp>
#include <nfx/training/random.hpp>

#include <torch/torch.h>

#include <limits>

namespace nfx::assess {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

}  // namespace

GanTask::GanTask(const GanShape& shape, const GanOptions& options, double autoencoder_share, torch::Tensor images,
                 torch::Tensor labels, torch::Tensor validation_images, torch::Tensor validation_labels, uint64_t seed)
    : autoencoder_share_(autoencoder_share),
      init_(nfx::training::make_generator(nfx::training::derive_seed(seed, "init"))),
      gan_(shape, options, std::move(images), std::move(labels), init_),
      validation_images_(std::move(validation_images)),
      validation_labels_(std::move(validation_labels)) {}

void GanTask::begin_epoch(nfx::training::Run& run) {
  if (!adversarial() && run.budget_used() >= autoencoder_share_) {
    gan_.start_adversarial();
    run.log("GAN: the autoencoder's training ends here; the adversarial rounds begin");
  }
}

nfx::training::Values GanTask::step(nfx::training::Run& run, int64_t) {
  if (!adversarial()) return {{"autoencoder", gan_.autoencoder_step(run.generator())}, {"critic", kNaN}, {"generator", kNaN}};
  const auto [critic, generator] = gan_.adversarial_round(run.generator());
  return {{"autoencoder", kNaN}, {"critic", critic}, {"generator", generator}};
}

nfx::training::Values GanTask::validate(nfx::training::Run& run) {
  torch::NoGradGuard no_grad;
  gan_.encoder()->eval();
  gan_.generator()->eval();
  gan_.critic()->eval();
  const torch::Tensor real = validation_images_.to(torch::kFloat32) / 255.0;
  const double reconstruction = torch::mse_loss(gan_.generator()(gan_.encoder()(real), validation_labels_), real).item<double>();
  double wasserstein = kNaN;
  if (adversarial()) {
    // Fakes of the same classes, drawn from a generator of this validation's own (the run's stays as is).
    torch::Generator draws = nfx::training::make_generator(nfx::training::derive_seed(run.seed(), "validation"));
    const torch::Tensor fakes = gan_.sample(validation_labels_, draws);
    wasserstein = (gan_.critic()(real, validation_labels_).score.mean() - gan_.critic()(fakes, validation_labels_).score.mean()).item<double>();
  }
  return {{"reconstruction", reconstruction}, {"wasserstein", wasserstein}};
}

void write_gan_spec(nfx::training::CheckpointWriter& c, const GanShape& shape, Conditioning conditioning) {
  c.value("channels", shape.channels);
  c.value("size", shape.size);
  c.value("classes", shape.classes);
  c.value("latent", shape.latent);
  c.value("width", shape.width);
  c.value("conditioning", std::string(conditioning_name(conditioning)));
}

GanSpec read_gan_spec(nfx::training::CheckpointReader& c) {
  GanSpec spec;
  spec.shape.channels = c.integer("channels");
  spec.shape.size = c.integer("size");
  spec.shape.classes = c.integer("classes");
  spec.shape.latent = c.integer("latent");
  spec.shape.width = c.integer("width");
  try {
    spec.conditioning = conditioning_named(c.text("conditioning"));
  } catch (const nfx::Error& e) {
    throw nfx::training::CheckpointError(c.path() + ": " + e.what());
  }
  return spec;
}

namespace {

// The networks and optimizers, by name: the same list saved and loaded.
template <class Checkpoint>
void networks(Checkpoint& c, ConditionalGan& gan) {
  c.module("encoder", *gan.encoder());
  c.module("generator", *gan.generator());
  c.module("critic", *gan.critic());
  c.optimizer("autoencoder_optimizer", gan.autoencoder_optimizer());
  c.optimizer("generator_optimizer", gan.generator_optimizer());
  c.optimizer("critic_optimizer", gan.critic_optimizer());
}

}  // namespace

void GanTask::save(nfx::training::CheckpointWriter& c) {
  write_gan_spec(c, gan_.shape(), gan_.options().conditioning);
  networks(c, gan_);
  c.value("adversarial", adversarial());
  if (adversarial()) {
    c.tensor("latent_mean", gan_.latent_mean);
    c.tensor("latent_factor", gan_.latent_factor);
  }
}

void GanTask::load(nfx::training::CheckpointReader& c) {
  const GanSpec spec = read_gan_spec(c);
  const GanShape& s = gan_.shape();
  if (spec.shape.channels != s.channels || spec.shape.size != s.size || spec.shape.classes != s.classes ||
      spec.shape.latent != s.latent || spec.shape.width != s.width || spec.conditioning != gan_.options().conditioning) {
    throw nfx::training::CheckpointError(c.path() + ": a GAN of another shape, classes or conditioning than this run's");
  }
  networks(c, gan_);
  if (c.boolean("adversarial")) {
    gan_.latent_mean = c.tensor("latent_mean");
    gan_.latent_factor = c.tensor("latent_factor");
  }
}

}  // namespace nfx::assess
