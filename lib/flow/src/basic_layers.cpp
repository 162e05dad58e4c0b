#include <nfx/flow/basic_layers.hpp>

namespace nfx::flow {

ActNorm::ActNorm(int64_t channels) {
  bias_ = register_parameter("bias", torch::zeros({1, channels, 1, 1}));
  log_scale_ = register_parameter("log_scale", torch::zeros({1, channels, 1, 1}));
  initialized_ = register_buffer("initialized", torch::zeros({1}));
}

torch::Tensor ActNorm::forward(const torch::Tensor& x, torch::Tensor& logdet) {
  if (initialized_.item<double>() == 0.0) {
    torch::NoGradGuard no_grad;
    const torch::Tensor mean = x.mean({0, 2, 3}, true);
    const torch::Tensor std = (x - mean).pow(2).mean({0, 2, 3}, true).sqrt();
    bias_.copy_(-mean);
    log_scale_.copy_(-torch::log(std + 1e-6));
    initialized_.fill_(1.0);
  }
  logdet = logdet + static_cast<double>(x.size(2) * x.size(3)) * log_scale_.sum();
  // Written as x * s + b * s so that autograd keeps x itself (often kept by the layer before, too), not a
  // new x + b.
  const torch::Tensor scale = torch::exp(log_scale_);
  return x * scale + bias_ * scale;
}

torch::Tensor ActNorm::inverse(const torch::Tensor& y) { return y * torch::exp(-log_scale_) - bias_; }

torch::Tensor squeeze_2x2(const torch::Tensor& x) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  TORCH_CHECK(h % 2 == 0 && w % 2 == 0, "squeeze needs an even height and width, got ", h, " x ", w);
  return x.view({n, c, h / 2, 2, w / 2, 2}).permute({0, 1, 3, 5, 2, 4}).reshape({n, 4 * c, h / 2, w / 2});
}

torch::Tensor unsqueeze_2x2(const torch::Tensor& y) {
  const int64_t n = y.size(0), c = y.size(1) / 4, h = y.size(2), w = y.size(3);
  return y.view({n, c, 2, 2, h, w}).permute({0, 1, 4, 2, 5, 3}).reshape({n, c, 2 * h, 2 * w});
}

InvConv1x1::InvConv1x1(int64_t channels, torch::Generator& generator) {
  torch::NoGradGuard no_grad;
  const torch::Tensor rotation = std::get<0>(torch::linalg_qr(torch::randn({channels, channels}, generator, torch::kDouble)));
  auto [p, l, u] = torch::linalg_lu(rotation);
  const torch::Tensor s = torch::diagonal(u);
  permutation_ = register_buffer("permutation", p.to(torch::kFloat));
  lower_ = register_parameter("lower", l.to(torch::kFloat));
  upper_ = register_parameter("upper", torch::triu(u, 1).to(torch::kFloat));
  log_s_ = register_parameter("log_s", torch::log(torch::abs(s)).to(torch::kFloat));
  sign_s_ = register_buffer("sign_s", torch::sign(s).to(torch::kFloat));
  lower_mask_ = register_buffer("lower_mask", torch::tril(torch::ones({channels, channels}), -1));
  eye_ = register_buffer("eye", torch::eye(channels));
}

torch::Tensor InvConv1x1::weight() const {
  const torch::Tensor l = lower_ * lower_mask_ + eye_;
  const torch::Tensor u = upper_ * lower_mask_.t() + torch::diag(sign_s_ * torch::exp(log_s_));
  return torch::matmul(permutation_, torch::matmul(l, u));
}

torch::Tensor InvConv1x1::forward(const torch::Tensor& x, torch::Tensor& logdet) {
  const int64_t c = x.size(1);
  logdet = logdet + static_cast<double>(x.size(2) * x.size(3)) * log_s_.sum();
  return torch::conv2d(x, weight().view({c, c, 1, 1}));
}

torch::Tensor InvConv1x1::inverse(const torch::Tensor& y) {
  const int64_t c = y.size(1);
  // A C x C inverse for a 1x1 layer is cheap and exact enough; sampling is the only user.
  return torch::conv2d(y, torch::inverse(weight()).view({c, c, 1, 1}));
}

}  // namespace nfx::flow
