#include "model/conditional_gan.hpp"

#include "model/differentiable_augmentation.hpp"

#include <nfx/base.hpp>
#include <nfx/training/random.hpp>

#include <torch/torch.h>

namespace nfx::assess {

namespace {

constexpr double kLeak = 0.2;
// ProGAN's drift term: keeps the real scores near 0 so the critic's output cannot wander off.
constexpr double kDrift = 1e-3;

torch::Tensor leaky(const torch::Tensor& x) { return torch::leaky_relu(x, kLeak); }

}  // namespace

const char* conditioning_name(Conditioning conditioning) {
  return conditioning == Conditioning::projection ? "projection" : "auxiliary";
}

Conditioning conditioning_named(const std::string& name) {
  if (name == "projection") return Conditioning::projection;
  if (name == "auxiliary") return Conditioning::auxiliary;
  throw nfx::Error("conditioning \"" + name + "\": expected projection or auxiliary");
}

FeatureTrunkImpl::FeatureTrunkImpl(const GanShape& s) : features_(4 * s.width) {
  first_ = register_module("first", torch::nn::Conv2d(torch::nn::Conv2dOptions(s.channels, s.width, 4).stride(2).padding(1)));
  second_ = register_module("second", torch::nn::Conv2d(torch::nn::Conv2dOptions(s.width, 2 * s.width, 4).stride(2).padding(1)));
  dense_ = register_module("dense", torch::nn::Linear(2 * s.width * (s.size / 4) * (s.size / 4), features_));
}

torch::Tensor FeatureTrunkImpl::forward(const torch::Tensor& images) {
  // Centred input: the critic and encoder see [-1, 1].
  const torch::Tensor x = leaky(second_(leaky(first_(images * 2 - 1))));
  return leaky(dense_(x.flatten(1)));
}

EncoderImpl::EncoderImpl(const GanShape& s) {
  trunk = register_module("trunk", FeatureTrunk(s));
  code_ = register_module("code", torch::nn::Linear(trunk->features(), s.latent));
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& images) { return code_(trunk(images)); }

GeneratorImpl::GeneratorImpl(const GanShape& s) : shape_(s) {
  const int64_t quarter = s.size / 4;
  label_ = register_module("label", torch::nn::Embedding(s.classes, s.latent));
  dense_ = register_module("dense", torch::nn::Linear(2 * s.latent, 4 * s.width * quarter * quarter));
  dense_norm_ = register_module("dense_norm", torch::nn::BatchNorm2d(4 * s.width));
  up_ = register_module("up", torch::nn::Conv2d(torch::nn::Conv2dOptions(4 * s.width, 2 * s.width, 3).padding(1)));
  up_norm_ = register_module("up_norm", torch::nn::BatchNorm2d(2 * s.width));
  out_ = register_module("out", torch::nn::Conv2d(torch::nn::Conv2dOptions(2 * s.width, s.channels, 3).padding(1)));
}

torch::Tensor GeneratorImpl::forward(const torch::Tensor& latent, const torch::Tensor& labels) {
  const int64_t quarter = shape_.size / 4;
  torch::Tensor x = dense_(torch::cat({latent, label_(labels)}, 1)).view({latent.size(0), 4 * shape_.width, quarter, quarter});
  x = torch::relu(dense_norm_(x));
  const auto twice = torch::nn::functional::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest);
  x = torch::relu(up_norm_(up_(torch::nn::functional::interpolate(x, twice))));
  return torch::sigmoid(out_(torch::nn::functional::interpolate(x, twice)));
}

CriticImpl::CriticImpl(const GanShape& s, Conditioning conditioning) : conditioning_(conditioning) {
  trunk = register_module("trunk", FeatureTrunk(s));
  score_ = register_module("score", torch::nn::Linear(trunk->features(), 1));
  if (conditioning == Conditioning::projection) {
    projection_ = register_module("projection", torch::nn::Embedding(s.classes, trunk->features()));
  } else {
    classes_ = register_module("classes", torch::nn::Linear(trunk->features(), s.classes));
  }
}

CriticOutput CriticImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  const torch::Tensor features = trunk(images);
  CriticOutput out;
  out.score = score_(features).squeeze(1);
  if (conditioning_ == Conditioning::projection) {
    out.score = out.score + (projection_(labels) * features).sum(1);
  } else {
    out.logits = classes_(features);
  }
  return out;
}

ConditionalGan::ConditionalGan(const GanShape& shape, const GanOptions& options, torch::Tensor images, torch::Tensor labels,
                               torch::Generator& init)
    : shape_(shape), options_(options), images_(std::move(images)), labels_(std::move(labels)) {
  if (shape_.size < 4 || shape_.size % 4 != 0) throw nfx::Error("the GAN's image size must be a multiple of 4, not " + std::to_string(shape_.size));
  if (images_.dim() != 4 || images_.scalar_type() != torch::kUInt8 || images_.size(1) != shape_.channels ||
      images_.size(2) != shape_.size || images_.size(3) != shape_.size || labels_.size(0) != images_.size(0)) {
    throw nfx::Error("the GAN takes N x C x S x S uint8 images of its shape and N labels");
  }
  std::vector<torch::Tensor> items;
  std::vector<int64_t> starts, counts;
  for (int64_t c = 0, start = 0; c < shape_.classes; ++c) {
    items.push_back(torch::nonzero(labels_ == c).flatten());
    if (items.back().numel() == 0) throw nfx::Error("the GAN's class " + std::to_string(c) + " has no items");
    starts.push_back(start);
    counts.push_back(items.back().numel());
    start += counts.back();
  }
  items_by_class_ = torch::cat(items);
  class_start_ = torch::tensor(starts, torch::kInt64);
  class_count_ = torch::tensor(counts, torch::kInt64);
  encoder_ = Encoder(shape_);
  generator_ = Generator(shape_);
  critic_ = Critic(shape_, options_.conditioning);
  for (torch::nn::Module* m : std::initializer_list<torch::nn::Module*>{encoder_.get(), generator_.get(), critic_.get()}) {
    nfx::training::reset_parameters(*m, init);
  }
  std::vector<torch::Tensor> autoencoder = encoder_->parameters();
  for (const torch::Tensor& p : generator_->parameters()) autoencoder.push_back(p);
  autoencoder_optimizer_ = std::make_unique<torch::optim::Adam>(autoencoder, torch::optim::AdamOptions(options_.autoencoder_learning_rate));
  // Adam with beta1 0.5 and beta2 0.9, as the gradient-penalty GANs are trained.
  const auto adversarial = torch::optim::AdamOptions(options_.learning_rate).betas({0.5, 0.9});
  generator_optimizer_ = std::make_unique<torch::optim::Adam>(generator_->parameters(), adversarial);
  critic_optimizer_ = std::make_unique<torch::optim::Adam>(critic_->parameters(), adversarial);
}

std::pair<torch::Tensor, torch::Tensor> ConditionalGan::real_batch(torch::Generator& generator) {
  const torch::Tensor labels = torch::randint(shape_.classes, {options_.batch}, generator, torch::kInt64);
  const torch::Tensor counts = class_count_.index_select(0, labels);
  const torch::Tensor within = (torch::rand({options_.batch}, generator, torch::kFloat64) * counts).floor().to(torch::kInt64).clamp_max(counts - 1);
  const torch::Tensor picks = items_by_class_.index_select(0, class_start_.index_select(0, labels) + within);
  return {images_.index_select(0, picks).to(torch::kFloat32) / 255.0, labels};
}

torch::Tensor ConditionalGan::latents(const torch::Tensor& labels, torch::Generator& generator) {
  if (!latent_mean.defined()) throw nfx::Error("the GAN's class latents are not fitted yet (start_adversarial)");
  const torch::Tensor noise = torch::randn({labels.size(0), shape_.latent, 1}, generator, torch::kFloat32);
  return latent_mean.index_select(0, labels) + torch::bmm(latent_factor.index_select(0, labels), noise).squeeze(2);
}

double ConditionalGan::autoencoder_step(torch::Generator& generator) {
  encoder_->train();
  generator_->train();
  const auto [images, labels] = real_batch(generator);
  autoencoder_optimizer_->zero_grad();
  const torch::Tensor loss = torch::mse_loss(generator_(encoder_(images), labels), images);
  loss.backward();
  autoencoder_optimizer_->step();
  return loss.item<double>();
}

void ConditionalGan::start_adversarial() {
  torch::NoGradGuard no_grad;
  // The critic's trunk starts as the encoder's (BAGAN-GP): it already tells the items' shapes apart.
  auto trunk = critic_->trunk->named_parameters();
  for (const auto& p : encoder_->trunk->named_parameters()) trunk[p.key()].copy_(p.value());
  encoder_->eval();
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < images_.size(0); i += 512) {
    parts.push_back(encoder_(images_.narrow(0, i, std::min<int64_t>(512, images_.size(0) - i)).to(torch::kFloat32) / 255.0));
  }
  const torch::Tensor codes = torch::cat(parts).to(torch::kFloat64);
  std::vector<torch::Tensor> means, factors;
  const torch::Tensor ridge = 1e-3 * torch::eye(shape_.latent, torch::kFloat64);
  for (int64_t k = 0; k < shape_.classes; ++k) {
    const torch::Tensor c = codes.index_select(0, items_by_class_.narrow(0, class_start_[k].item<int64_t>(), class_count_[k].item<int64_t>()));
    means.push_back(c.mean(0));
    // A class of one item gets a small round Gaussian around it; otherwise its codes' covariance.
    const torch::Tensor covariance = c.size(0) > 1 ? torch::cov(c.t()) + ridge : ridge * 10;
    factors.push_back(torch::linalg_cholesky(covariance));
  }
  latent_mean = torch::stack(means).to(torch::kFloat32);
  latent_factor = torch::stack(factors).to(torch::kFloat32);
}

torch::Tensor ConditionalGan::augmented(const torch::Tensor& images, torch::Generator& generator) {
  return options_.augment ? differentiable_augmentation(images, generator) : images;
}

double ConditionalGan::critic_step(torch::Generator& generator) {
  critic_->train();
  generator_->train();
  auto [real, labels] = real_batch(generator);
  torch::Tensor fake;
  {
    torch::NoGradGuard no_grad;
    fake = generator_(latents(labels, generator), labels);
  }
  real = augmented(real, generator);
  fake = augmented(fake, generator);
  critic_optimizer_->zero_grad();
  const CriticOutput on_real = critic_(real, labels), on_fake = critic_(fake, labels);
  // The gradient penalty at points between each real item and a fake one of the same class.
  const torch::Tensor mix = torch::rand({real.size(0), 1, 1, 1}, generator, torch::kFloat32);
  const torch::Tensor between = (mix * real + (1 - mix) * fake).requires_grad_(true);
  const torch::Tensor score = critic_(between, labels).score;
  const torch::Tensor slope = torch::autograd::grad({score.sum()}, {between}, {}, /*retain_graph=*/true, /*create_graph=*/true)[0];
  const torch::Tensor penalty = (slope.flatten(1).norm(2, 1) - 1).pow(2).mean();
  torch::Tensor loss = on_fake.score.mean() - on_real.score.mean() + options_.gradient_penalty * penalty + kDrift * on_real.score.pow(2).mean();
  if (on_real.logits.defined()) loss = loss + torch::cross_entropy_loss(on_real.logits, labels);
  loss.backward();
  critic_optimizer_->step();
  return loss.item<double>();
}

double ConditionalGan::generator_step(torch::Generator& generator) {
  critic_->train();
  generator_->train();
  const torch::Tensor labels = torch::randint(shape_.classes, {options_.batch}, generator, torch::kInt64);
  generator_optimizer_->zero_grad();
  const CriticOutput on_fake = critic_(augmented(generator_(latents(labels, generator), labels), generator), labels);
  torch::Tensor loss = -on_fake.score.mean();
  if (on_fake.logits.defined()) loss = loss + torch::cross_entropy_loss(on_fake.logits, labels);
  loss.backward();
  generator_optimizer_->step();
  return loss.item<double>();
}

std::pair<double, double> ConditionalGan::adversarial_round(torch::Generator& generator) {
  double critic = 0;
  for (int i = 0; i < options_.critic_steps; ++i) critic += critic_step(generator) / options_.critic_steps;
  return {critic, generator_step(generator)};
}

torch::Tensor ConditionalGan::sample(const torch::Tensor& labels, torch::Generator& generator) {
  if (labels.numel() > 0 && (labels.min().item<int64_t>() < 0 || labels.max().item<int64_t>() >= shape_.classes)) {
    throw nfx::Error("the GAN has classes 0 to " + std::to_string(shape_.classes - 1) + " only");
  }
  torch::NoGradGuard no_grad;
  generator_->eval();
  return generator_(latents(labels, generator), labels);
}

}  // namespace nfx::assess

namespace nfx::assess {

std::vector<int64_t> generated_counts(const std::vector<int64_t>& counts, int64_t per_class) {
  const int64_t largest = counts.empty() ? 0 : *std::max_element(counts.begin(), counts.end());
  std::vector<int64_t> wanted;
  for (int64_t c : counts) wanted.push_back(c >= largest ? 0 : per_class > 0 ? per_class : largest - c);
  return wanted;
}

std::pair<torch::Tensor, torch::Tensor> with_generated_items(ConditionalGan& gan, const torch::Tensor& images, const torch::Tensor& labels,
                                                             const std::vector<int64_t>& wanted, torch::Generator& generator) {
  std::vector<torch::Tensor> all_images{images}, all_labels{labels};
  for (size_t c = 0; c < wanted.size(); ++c) {
    for (int64_t done = 0; done < wanted[c];) {
      const int64_t n = std::min<int64_t>(512, wanted[c] - done);
      const torch::Tensor these = torch::full({n}, static_cast<int64_t>(c), torch::kInt64);
      all_images.push_back((gan.sample(these, generator) * 255).round().to(torch::kUInt8));
      all_labels.push_back(these);
      done += n;
    }
  }
  return {torch::cat(all_images), torch::cat(all_labels)};
}

}  // namespace nfx::assess
