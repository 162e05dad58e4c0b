#include "stable_sr_training.hpp"

#include <nfx/training/gradients.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/patches.hpp>
#include <nfx/training/resize.hpp>
#include <nfx/training/schedule.hpp>

#include <nfx/base.hpp>

#include <mutex>

namespace nfx::sr {

namespace training = nfx::training;

torch::Tensor degrade_bicubic(const torch::Tensor& high, int64_t scale) {
  return training::imresize_bicubic(high, high.size(1) / scale, high.size(2) / scale).round().clamp(0, 255).to(torch::kUInt8);
}

std::vector<SrExample> prepare_examples(StableSr& model, const std::vector<std::pair<std::string, torch::Tensor>>& images,
                                        int64_t patch, const std::function<void(size_t)>& progress) {
  torch::NoGradGuard no_grad;
  const int64_t s = model.spec().scale;
  std::vector<SrExample> examples;
  for (const auto& [name, image] : images) {
    if (image.size(1) < 2 * patch * s || image.size(2) < 2 * patch * s) {
      throw nfx::Error(name + ": " + std::to_string(image.size(2)) + " x " + std::to_string(image.size(1)) +
                       " is too small for training patches of " + std::to_string(patch * s) + " pixels (at least twice that)");
    }
    SrExample e;
    e.name = name;
    e.high = image.slice(1, 0, image.size(1) / s * s).slice(2, 0, image.size(2) / s * s).contiguous();
    e.low = degrade_bicubic(e.high, s);
    const torch::Tensor low = e.low.unsqueeze(0).to(torch::kFloat) / 255.0;
    e.features = model.features(low)[0].to(torch::kHalf);
    e.base = model.base(low)[0].to(torch::kHalf);
    examples.push_back(std::move(e));
    progress(examples.size());
  }
  return examples;
}

StableSrTask::StableSrTask(std::shared_ptr<StableSr> model, const SrTrainOptions& options, std::vector<SrExample> train,
                           std::vector<SrExample> held_out)
    : model_(std::move(model)), options_(options), train_(std::move(train)), held_out_(std::move(held_out)) {
  std::vector<double> areas;
  for (const SrExample& e : train_) areas.push_back(static_cast<double>(e.low.size(1) * e.low.size(2)));
  area_ = torch::tensor(areas, torch::kDouble);
  optimizer_ = training::make_adam(model_->parameters(), {options_.learning_rate});
}

int64_t StableSrTask::steps_per_epoch() const {
  const double patches = area_.sum().item<double>() / static_cast<double>(options_.patch * options_.patch);
  return std::max<int64_t>(1, static_cast<int64_t>(patches) / options_.batch);
}

StableSrTask::Batch StableSrTask::draw(torch::Generator& generator) const {
  const int64_t p = options_.patch, s = model_->spec().scale, n = options_.batch;
  const torch::Tensor which = torch::multinomial(area_, n, true, generator);
  std::vector<torch::Tensor> features, base, high;
  for (int64_t i = 0; i < n; ++i) {
    const SrExample& e = train_[which[i].item<int64_t>()];
    const int64_t y = torch::randint(e.low.size(1) - p + 1, {1}, generator).item<int64_t>();
    const int64_t x = torch::randint(e.low.size(2) - p + 1, {1}, generator).item<int64_t>();
    const int turn = options_.augment ? static_cast<int>(torch::randint(8, {1}, generator).item<int64_t>()) : 0;
    const auto crop = [&](const torch::Tensor& t, int64_t f) {
      return training::dihedral(t.narrow(1, y * f, p * f).narrow(2, x * f, p * f), turn).to(torch::kFloat);
    };
    features.push_back(crop(e.features, 1));
    base.push_back(crop(e.base, s));
    high.push_back(crop(e.high, s));
  }
  Batch b;
  b.features = torch::stack(features);
  b.base = torch::stack(base);
  const torch::Tensor truth = torch::stack(high);
  b.clean = truth / 255.0 - b.base;
  // Uniform dequantization around each 8-bit level, on the 0..255 -> 0..1 scale of the base.
  b.high = (truth + torch::rand(truth.sizes(), generator, torch::kFloat) - 0.5) / 255.0;
  return b;
}

void StableSrTask::start(training::Run& run) {
  // ActNorm initializes itself from the first batch it sees: a large one, before batches are shared out.
  torch::NoGradGuard no_grad;
  const Batch b = draw(run.generator());
  model_->log_prob(b.high - b.base, model_->condition(b.features));
}

training::Values StableSrTask::step(training::Run& run, int64_t) {
  training::set_learning_rate(*optimizer_,
                              training::Schedule{options_.learning_rate, options_.warmup_steps, options_.schedule}.at(steps_, run.budget_used()));
  model_->train();
  const Batch b = draw(run.generator());
  const int64_t n = b.high.size(0), dims = b.high[0].numel();
  std::mutex mutex;
  double bpd = 0, l1 = 0;
  const double loss = training::combined_backward(model_->parameters(), n, [&](int64_t first, int64_t count) {
    const torch::Tensor condition = model_->condition(b.features.narrow(0, first, count));
    const torch::Tensor residual = b.high.narrow(0, first, count) - b.base.narrow(0, first, count);
    const torch::Tensor share_bpd = training::bits_per_dim(model_->log_prob(residual, condition), dims).sum();
    torch::Tensor total = share_bpd / static_cast<double>(n);
    double share_l1 = 0;
    if (options_.l1 > 0) {  // on the mean, which the deterministic output follows, at no decoding cost
      const torch::Tensor error = (model_->mean(condition) - b.clean.narrow(0, first, count)).abs();
      const torch::Tensor grey_levels = error.mean({1, 2, 3}).sum() * 255.0;
      total = total + options_.l1 * grey_levels / static_cast<double>(n);
      share_l1 = grey_levels.item<double>();
    }
    const std::lock_guard<std::mutex> lock(mutex);
    bpd += share_bpd.item<double>();
    l1 += share_l1;
    return total;
  });
  training::clipped_step(*optimizer_, options_.clip_norm);
  ++steps_;
  training::Values values{{"loss", loss}, {"bpd", bpd / static_cast<double>(n)}};
  if (options_.l1 > 0) values.emplace_back("l1", l1 / static_cast<double>(n));
  return values;
}

training::Values StableSrTask::validate(training::Run&) {
  torch::NoGradGuard no_grad;
  model_->eval();
  const int64_t s = model_->spec().scale;
  double sum = 0;
  for (const SrExample& e : held_out_) {
    const torch::Tensor up = model_->upscale(e.low.unsqueeze(0).to(torch::kFloat) / 255.0).clamp(0, 1);
    sum += training::psnr((up[0] * 255.0).round(), e.high.to(torch::kFloat), {255.0, s, true});
  }
  return {{"y_psnr", held_out_.empty() ? 0.0 : sum / static_cast<double>(held_out_.size())}};
}

void StableSrTask::save(training::CheckpointWriter& c) {
  write_stable_sr(c, *model_, false);
  c.optimizer("optimizer", *optimizer_);
}

void StableSrTask::load(training::CheckpointReader& c) {
  const std::string stored = describe(read_stable_sr_spec(c)), ours = describe(model_->spec());
  if (stored != ours) throw training::CheckpointError(c.path() + ": a checkpoint of " + stored + ", but this run trains " + ours);
  read_stable_sr_weights(c, *model_);
  c.optimizer("optimizer", *optimizer_);
  steps_ = c.progress().step;
}

}  // namespace nfx::sr
