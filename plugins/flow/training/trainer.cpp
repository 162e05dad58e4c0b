#include "trainer.hpp"

#include "fused_adam.hpp"

#include <algorithm>
#include <cmath>
#include <exception>
#include <thread>

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
  if (!data_initialized_) {
    // ActNorm initializes itself from the first batch it sees: let that be the whole batch, before the
    // batch is shared out.
    torch::NoGradGuard no_grad;
    model_->log_prob(x);
    data_initialized_ = true;
  }
  const double loss = backward_in_shares(x);
  clipped_adam_step(*optimizer_, options_.clip_norm);
  ++steps_;
  return loss;
}

// The layers here are small (a few channels, 10 x 10 pixels), so splitting each operation between threads
// keeps the second core mostly idle. Instead each thread takes a share of the batch through forward and
// backward with LibTorch single-threaded, and the shares' gradients are added in a fixed order, so the
// result does not depend on timing.
double Trainer::backward_in_shares(const torch::Tensor& x) {
  const int threads = torch::get_num_threads();
  const int64_t n = x.size(0), dims = x[0].numel();
  const std::vector<torch::Tensor> params = model_->parameters();
  const std::vector<torch::Tensor> shares = x.chunk(std::max<int64_t>(1, std::min<int64_t>(threads, n)), 0);
  std::vector<std::vector<torch::Tensor>> grads(shares.size());
  std::vector<double> losses(shares.size(), 0.0);
  std::vector<std::exception_ptr> errors(shares.size());
  auto run_share = [&](size_t i) {
    try {
      const torch::Tensor loss = bits_per_dim(model_->log_prob(shares[i]), dims).sum() / static_cast<double>(n);
      grads[i] = torch::autograd::grad({loss}, params, {}, false, false, true);
      losses[i] = loss.item<double>();
    } catch (...) {
      errors[i] = std::current_exception();
    }
  };
  // One intra-op thread while the shares run (OpenMP teams, oneDNN and the thread pool LibTorch's other
  // kernels use all follow it); each new thread picks it up when LibTorch first runs on it.
  at::set_num_threads(1);
  std::vector<std::thread> workers;
  for (size_t i = 1; i < shares.size(); ++i) workers.emplace_back(run_share, i);
  run_share(0);
  for (std::thread& t : workers) t.join();
  at::set_num_threads(threads);
  for (const std::exception_ptr& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  torch::NoGradGuard no_grad;
  for (size_t p = 0; p < params.size(); ++p) {
    torch::Tensor sum;
    for (const auto& share : grads) {
      if (share[p].defined()) sum = sum.defined() ? sum + share[p] : share[p];
    }
    params[p].mutable_grad() = sum;
  }
  double loss = 0.0;
  for (double l : losses) loss += l;
  return loss;
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
