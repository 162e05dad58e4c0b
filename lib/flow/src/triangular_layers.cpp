#include <nfx/flow/triangular_layers.hpp>

namespace nfx::flow {

TriangularConv::TriangularConv(int64_t channels, int64_t kernel_size, kernels::Corner corner, Direction direction,
                               torch::Generator& generator)
    : corner_(corner), direction_(direction) {
  const int64_t c = channels, k = kernel_size;
  // Near the identity at first: small off-centre taps, Kc = I.
  weight_ = register_parameter("weight", torch::randn({c, c, k, k}, generator) * (0.01 / std::sqrt(static_cast<double>(c * k * k))));
  log_diagonal_ = register_parameter("log_diagonal", torch::zeros({c}));
  // Every tap is free except Kc's diagonal (from log_diagonal) and upper triangle (zero).
  torch::Tensor mask = torch::ones({c, c, k, k});
  mask.select(3, k - 1).select(2, k - 1).copy_(torch::tril(torch::ones({c, c}), -1));
  mask_ = register_buffer("mask", mask);
  torch::Tensor eye = torch::zeros({c, c, k, k});
  eye.select(3, k - 1).select(2, k - 1).copy_(torch::eye(c));
  center_eye_ = register_buffer("center_eye", eye);
}

torch::Tensor TriangularConv::kernel() const {
  return weight_ * mask_ + center_eye_ * torch::exp(log_diagonal_).view({-1, 1, 1, 1});
}

torch::Tensor TriangularConv::log_abs_det(int64_t height, int64_t width) const {
  return static_cast<double>(height * width) * log_diagonal_.sum();
}

torch::Tensor TriangularConv::forward(const torch::Tensor& x, torch::Tensor& logdet) {
  const torch::Tensor term = log_abs_det(x.size(2), x.size(3));
  if (direction_ == Direction::standard) {
    logdet = logdet + term;
    return triangular_conv(x, kernel(), corner_);
  }
  logdet = logdet - term;
  return triangular_solve(x, kernel(), corner_);
}

torch::Tensor TriangularConv::inverse(const torch::Tensor& y) {
  return direction_ == Direction::standard ? triangular_solve(y, kernel(), corner_)
                                           : triangular_conv(y, kernel(), corner_);
}

FincUnit::FincUnit(int64_t channels, int64_t kernel_size, Direction direction, torch::Generator& generator)
    : direction_(direction) {
  TORCH_CHECK(channels % 4 == 0, "a FInC unit needs a multiple of 4 channels, got ", channels);
  for (int q = 0; q < 4; ++q) {
    quarters_.push_back(register_module("quarter" + std::to_string(q),
                                        std::make_shared<TriangularConv>(channels / 4, kernel_size, finc_corners[q], direction, generator)));
  }
}

std::array<torch::Tensor, 4> FincUnit::kernels() const {
  return {quarters_[0]->kernel(), quarters_[1]->kernel(), quarters_[2]->kernel(), quarters_[3]->kernel()};
}

torch::Tensor FincUnit::forward(const torch::Tensor& x, torch::Tensor& logdet) {
  torch::Tensor term = quarters_[0]->log_abs_det(x.size(2), x.size(3));
  for (int q = 1; q < 4; ++q) term = term + quarters_[q]->log_abs_det(x.size(2), x.size(3));
  if (direction_ == Direction::standard) {
    logdet = logdet + term;
    return finc_conv(x, kernels());
  }
  logdet = logdet - term;
  return finc_solve(x, kernels());
}

torch::Tensor FincUnit::inverse(const torch::Tensor& y) {
  return direction_ == Direction::standard ? finc_solve(y, kernels()) : finc_conv(y, kernels());
}

}  // namespace nfx::flow
