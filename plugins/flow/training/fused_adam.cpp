#include "fused_adam.hpp"

#include <cmath>

namespace nfx::flow {

namespace {

bool same_layout(const torch::Tensor& a, const torch::Tensor& b) {
  return a.sizes() == b.sizes() && a.strides() == b.strides() && a.scalar_type() == b.scalar_type();
}

torch::optim::AdamParamState& state_of(torch::optim::Adam& adam, const torch::Tensor& p) {
  auto& slot = adam.state()[c10::guts::to_string(p.unsafeGetTensorImpl())];
  if (!slot) {
    auto state = std::make_unique<torch::optim::AdamParamState>();
    state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
    slot = std::move(state);
  }
  return static_cast<torch::optim::AdamParamState&>(*slot);
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

}  // namespace

double clipped_adam_step(torch::optim::Adam& adam, double clip_norm) {
  torch::NoGradGuard no_grad;
  double squares = 0.0;
  for (const auto& group : adam.param_groups()) {
    for (const torch::Tensor& p : group.params()) {
      if (p.grad().defined()) squares += sum_of_squares(p.grad());
    }
  }
  const double norm = std::sqrt(squares), clip = std::min(1.0, clip_norm / (norm + 1e-6));
  for (auto& group : adam.param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamOptions&>(group.options());
    TORCH_CHECK(options.weight_decay() == 0 && !options.amsgrad(), "clipped_adam_step: weight decay and amsgrad are not supported");
    const double beta1 = std::get<0>(options.betas()), beta2 = std::get<1>(options.betas()), eps = options.eps();
    for (torch::Tensor& p : group.params()) {
      if (!p.grad().defined()) continue;
      torch::optim::AdamParamState& state = state_of(adam, p);
      state.step(state.step() + 1);
      const double bias1 = 1.0 - std::pow(beta1, static_cast<double>(state.step()));
      const double sqrt_bias2 = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(state.step())));
      const double step_size = options.lr() / bias1;
      torch::Tensor &m = state.exp_avg(), &v = state.exp_avg_sq();
      const torch::Tensor g = p.grad();
      if (!(p.is_non_overlapping_and_dense() && same_layout(p, g) && same_layout(p, m) && same_layout(p, v))) {
        // Mixed layouts: the same update as tensor operations.
        const torch::Tensor clipped = g * clip;
        m.mul_(beta1).add_(clipped, 1 - beta1);
        v.mul_(beta2).addcmul_(clipped, clipped, 1 - beta2);
        p.addcdiv_(m, (v.sqrt() / sqrt_bias2).add_(eps), -step_size);
        continue;
      }
      // Same strides everywhere, so element i of each tensor's memory belongs to the same entry.
      AT_DISPATCH_FLOATING_TYPES(p.scalar_type(), "clipped_adam_step", [&] {
        scalar_t* pp = p.data_ptr<scalar_t>();
        scalar_t* mp = m.data_ptr<scalar_t>();
        scalar_t* vp = v.data_ptr<scalar_t>();
        const scalar_t* gp = g.data_ptr<scalar_t>();
        const auto c = static_cast<scalar_t>(clip), b1 = static_cast<scalar_t>(beta1), b2 = static_cast<scalar_t>(beta2);
        const auto inv_sqrt_bias2 = static_cast<scalar_t>(1.0 / sqrt_bias2), e = static_cast<scalar_t>(eps);
        const auto step = static_cast<scalar_t>(step_size);
        const int64_t count = p.numel();
        for (int64_t i = 0; i < count; ++i) {
          const scalar_t gi = gp[i] * c;
          mp[i] = mp[i] * b1 + (1 - b1) * gi;
          vp[i] = vp[i] * b2 + (1 - b2) * gi * gi;
          pp[i] -= step * mp[i] / (std::sqrt(vp[i]) * inv_sqrt_bias2 + e);
        }
      });
    }
  }
  return norm;
}

}  // namespace nfx::flow
