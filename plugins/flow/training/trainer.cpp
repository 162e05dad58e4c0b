#include "trainer.hpp"

#include "fused_adam.hpp"

#include <algorithm>
#include <cmath>

namespace nfx::flow {

torch::Tensor dequantize_8bit(const torch::Tensor& images, torch::Generator* generator) {
  const torch::Tensor x = images.to(torch::kFloat);
  const torch::Tensor noise = generator ? torch::rand(x.sizes(), *generator, torch::kFloat) : torch::rand_like(x);
  return (x + noise) / 256.0;
}

Trainer::Trainer(std::shared_ptr<FlowModel> model, const TrainOptions& options)
    : model_(std::move(model)), options_(options) {
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(),
                                                    torch::optim::AdamOptions(options_.learning_rate));
}

double Trainer::learning_rate() const {
  const double warmup = std::min(1.0, static_cast<double>(steps_ + 1) / static_cast<double>(std::max<int64_t>(1, options_.warmup_steps)));
  const double decay = options_.schedule == "cosine" ? 0.5 * (1.0 + std::cos(M_PI * std::clamp(budget_used_, 0.0, 1.0))) : 1.0;
  return options_.learning_rate * warmup * decay;
}

double Trainer::step(const torch::Tensor& images) {
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate());
  }
  model_->train();
  optimizer_->zero_grad();
  const torch::Tensor x = dequantize_8bit(images);
  const int64_t dims = x[0].numel();
  const torch::Tensor loss = bits_per_dim(model_->log_prob(x), dims).mean();
  loss.backward();
  clipped_adam_step(*optimizer_, options_.clip_norm);
  ++steps_;
  return loss.item<double>();
}

double Trainer::evaluate(const torch::Tensor& images, uint64_t seed) {
  torch::NoGradGuard no_grad;
  model_->eval();
  torch::Generator generator = at::detail::createCPUGenerator(seed);
  const int64_t dims = images[0].numel();
  double sum = 0.0;
  for (int64_t first = 0; first < images.size(0); first += options_.batch) {
    const torch::Tensor batch = images.narrow(0, first, std::min(options_.batch, images.size(0) - first));
    sum += bits_per_dim(model_->log_prob(dequantize_8bit(batch, &generator)), dims).sum().item<double>();
  }
  return sum / static_cast<double>(images.size(0));
}

}  // namespace nfx::flow
