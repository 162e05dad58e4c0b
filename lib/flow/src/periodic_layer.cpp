#include <nfx/flow/periodic_layer.hpp>

#include <nfx/flow/periodic_ops.hpp>

namespace nfx::flow {

PeriodicConv::PeriodicConv(int64_t channels, int64_t kernel_size, Direction direction, torch::Generator& generator)
    : direction_(direction) {
  const int64_t c = channels, k = kernel_size, p = (k - 1) / 2;
  // The identity (centre tap I) plus small taps everywhere.
  torch::Tensor w = torch::randn({c, c, k, k}, generator) * (0.01 / std::sqrt(static_cast<double>(c * k * k)));
  w.select(3, p).select(2, p).add_(torch::eye(c));
  weight_ = register_parameter("weight", w);
}

torch::Tensor PeriodicConv::forward(const torch::Tensor& x, torch::Tensor& logdet) {
  const torch::Tensor term = periodic_logdet(weight_, x.size(2), x.size(3));
  if (direction_ == Direction::standard) {
    logdet = logdet + term;
    return periodic_conv(x, weight_);
  }
  logdet = logdet - term;
  return periodic_solve(x, weight_);
}

torch::Tensor PeriodicConv::inverse(const torch::Tensor& y) {
  return direction_ == Direction::standard ? periodic_solve(y, weight_) : periodic_conv(y, weight_);
}

}  // namespace nfx::flow
