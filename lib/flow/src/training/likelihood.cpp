#include <nfx/flow/training/likelihood.hpp>

#include <nfx/training/gradients.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/optimizer.hpp>
#include <nfx/training/random.hpp>

#include <algorithm>

namespace nfx::flow {

torch::Tensor dequantize_8bit(const torch::Tensor& images, torch::Generator& generator) {
  const torch::Tensor x = images.to(torch::kFloat);
  return (x + torch::rand(x.sizes(), generator, torch::kFloat)) / 256.0;
}

LikelihoodTrainer::LikelihoodTrainer(std::shared_ptr<FlowModel> model, const TrainOptions& options)
    : model_(std::move(model)), options_(options), schedule_{options.learning_rate, options.warmup_steps, options.schedule} {
  optimizer_ = std::make_unique<torch::optim::Adam>(model_->parameters(), torch::optim::AdamOptions(options_.learning_rate));
}

double LikelihoodTrainer::learning_rate() const { return schedule_.at(steps_, budget_used_); }

void LikelihoodTrainer::initialize(const torch::Tensor& images, torch::Generator& generator) {
  torch::NoGradGuard no_grad;
  model_->log_prob(dequantize_8bit(images, generator));
  data_initialized_ = true;
}

double LikelihoodTrainer::step(const torch::Tensor& images, torch::Generator& generator) {
  training::set_learning_rate(*optimizer_, learning_rate());
  model_->train();
  const torch::Tensor x = dequantize_8bit(images, generator);
  if (!data_initialized_) {
    // ActNorm initializes itself from the first batch it sees: let that be the whole batch, before the
    // batch is shared out.
    torch::NoGradGuard no_grad;
    model_->log_prob(x);
    data_initialized_ = true;
  }
  // The layers are small (a few channels, 10 x 10 pixels), so splitting each operation between threads
  // would keep the second core mostly idle: the batch is shared out instead.
  const int64_t n = x.size(0), dims = x[0].numel();
  const double loss = training::combined_backward(model_->parameters(), n, [&](int64_t first, int64_t count) {
    return training::bits_per_dim(model_->log_prob(x.narrow(0, first, count)), dims).sum() / static_cast<double>(n);
  });
  training::clipped_step(*optimizer_, options_.clip_norm);
  ++steps_;
  return loss;
}

double LikelihoodTrainer::evaluate(const torch::Tensor& images, uint64_t seed) {
  torch::NoGradGuard no_grad;
  model_->eval();
  torch::Generator generator = training::make_generator(seed);
  const int64_t dims = images[0].numel();
  double sum = 0.0;
  for (int64_t first = 0; first < images.size(0); first += options_.batch) {
    const torch::Tensor batch = images.narrow(0, first, std::min(options_.batch, images.size(0) - first));
    sum += training::bits_per_dim(model_->log_prob(dequantize_8bit(batch, generator)), dims).sum().item<double>();
  }
  return sum / static_cast<double>(images.size(0));
}

}  // namespace nfx::flow
