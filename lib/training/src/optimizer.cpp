#include <nfx/training/optimizer.hpp>

#include <torch/optim/sgd.h>

#include <cmath>
#include <stdexcept>

namespace nfx::training {

namespace {

bool same_layout(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && a.strides() == b.strides() && a.scalar_type() == b.scalar_type();
}

template <typename State, typename Optimizer>
State& state_of(Optimizer& optimizer, const torch::Tensor& p) {
  auto& slot = optimizer.state()[c10::guts::to_string(p.unsafeGetTensorImpl())];
  if (!slot) {
    auto state = std::make_unique<State>();
    state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    slot = std::move(state);
  }
  return static_cast<State&>(*slot);
}

// Sum of squares in float64; over the raw memory when it holds exactly the tensor's entries.
double sum_of_squares(const torch::Tensor& g) {
  if (!g.is_non_overlapping_and_dense()) return g.to(torch::kDouble).pow(2).sum().item<double>();
  double sum = 0.0;
  AT_DISPATCH_FLOATING_TYPES(g.scalar_type(), "sum_of_squares", [&] {
    const scalar_t* data = g.data_ptr<scalar_t>();
    for (int64_t i = 0; i < g.numel(); ++i) sum += static_cast<double>(data[i]) * data[i];
  });
  return sum;
}

double gradient_norm(torch::optim::Optimizer& optimizer) {
  double squares = 0.0;
  for (const auto& group : optimizer.param_groups()) {
    for (const torch::Tensor& p : group.params()) {
      if (p.grad().defined()) squares += sum_of_squares(p.grad());
    }
  }
  return std::sqrt(squares);
}

// One parameter's update; `decay` is AdamW's decoupled factor lr * weight_decay (0 for Adam).
template <typename State>
void update(torch::Tensor& p, State& state, double clip, double lr, double beta1, double beta2, double eps, double decay) {
  state.step(state.step() + 1);
  const double bias1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
  const double sqrt_bias2 = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(state.step())));
  const double step_size = lr / bias1;
  torch::Tensor &m = state.exp_avg(), &v = state.exp_avg_sq();
  const torch::Tensor g = p.grad();
  if (!(p.is_non_overlapping_and_dense() && same_layout(p, g) && same_layout(p, m) && same_layout(p, v))) {
    // Mixed layouts: the same update as tensor operations.
    if (decay != 0) p.mul_(1 - decay);
    const torch::Tensor clipped = g * clip;
    m.mul_(beta1).add_(clipped, 1 - beta1);
    v.mul_(beta2).addcmul_(clipped, clipped, 1 - beta2);
    p.addcdiv_(m, (v.sqrt() / sqrt_bias2).add_(eps), -step_size);
    return;
  }
  // Same strides everywhere, so element i of each tensor's memory belongs to the same entry.
  AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "clipped_step", [&] {
    scalar_t* pp = p.data_ptr<scalar_t>();
    scalar_t* mp = m.data_ptr<scalar_t>();
    scalar_t* vp = v.data_ptr<scalar_t>();
    const scalar_t* gp = g.data_ptr<scalar_t>();
    const auto c = static_cast<scalar_t>(clip), b1 = static_cast<scalar_t>(beta1), b2 = static_cast<scalar_t>(beta2);
    const auto inv_sqrt_bias2 = static_cast<scalar_t>(1.0 / sqrt_bias2), e = static_cast<scalar_t>(eps);
    const auto step = static_cast<scalar_t>(step_size), keep = static_cast<scalar_t>(1 - decay);
    const int64_t count = p.numel();
    for (int64_t i = 0; i < count; ++i) {
      const scalar_t gi = gp[i] * c;
      mp[i] = mp[i] * b1 + (1 - b1) * gi;
      vp[i] = vp[i] * b2 + (1 - b2) * gi * gi;
      const scalar_t decayed = decay != 0 ? pp[i] * keep : pp[i];
      pp[i] = decayed - step * mp[i] / (std::sqrt(vp[i]) * inv_sqrt_bias2 + e);
    }
  });
}

template <typename Optimizer, typename Options, typename State>
void step_all(Optimizer& optimizer, double clip, bool decoupled) {
  for (auto& group : optimizer.param_groups()) {
    const auto& options = static_cast<const Options&>(group.options());
    if (options.amsgrad() || (!decoupled && options.weight_decay() != 0)) {
      throw std::invalid_argument("clipped_step: amsgrad and Adam's L2 weight decay are not supported (use AdamW)");
    }
    const double decay = decoupled ? options.lr() * options.weight_decay() : 0.0;
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      update(p, state_of<State>(optimizer, p), clip, options.lr(), std::get<0>(options.betas()),
             std::get<1>(options.betas()), options.eps(), decay);
    }
  }
}

}  // namespace

std::unique_ptr<torch::optim::Optimizer> make_adam(const std::vector<torch::Tensor>& parameters, const AdamSettings& s) {
  if (s.weight_decay > 0) {
    return std::make_unique<torch::optim::AdamW>(
        parameters, torch::optim::AdamWOptions(s.learning_rate).betas({s.beta1, s.beta2}).eps(s.eps).weight_decay(s.weight_decay));
  }
  return std::make_unique<torch::optim::Adam>(parameters,
                                              torch::optim::AdamOptions(s.learning_rate).betas({s.beta1, s.beta2}).eps(s.eps));
}

double clipped_step(torch::optim::Optimizer& optimizer, double clip_norm) {
  torch::NoGradGuard no_grad;
  const double norm = gradient_norm(optimizer);
  const double clip = clip_norm > 0 ? std::min(1.0, clip_norm / (norm + 1e-6)) : 1.0;
  if (auto* adamw = dynamic_cast<torch::optim::AdamW*>(&optimizer)) {
    step_all<torch::optim::AdamW, torch::optim::AdamWOptions, torch::optim::AdamWParamState>(*adamw, clip, true);
  } else if (auto* adam = dynamic_cast<torch::optim::Adam*>(&optimizer)) {
    step_all<torch::optim::Adam, torch::optim::AdamOptions, torch::optim::AdamParamState>(*adam, clip, false);
  } else {
    throw std::invalid_argument("clipped_step: only Adam and AdamW are fused");
  }
  return norm;
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double learning_rate) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(learning_rate);
}

}  // namespace nfx::training
