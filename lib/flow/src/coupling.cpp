#include <nfx/flow/coupling.hpp>

#include <cmath>

namespace nfx::flow {

CouplingNet::CouplingNet(int64_t in, int64_t hidden, int64_t out, torch::Generator& generator) {
  namespace nn = torch::nn;
  first_ = register_module("first", nn::Conv2d(nn::Conv2dOptions(in, hidden, 3).padding(1)));
  middle_ = register_module("middle", nn::Conv2d(nn::Conv2dOptions(hidden, hidden, 1)));
  last_ = register_module("last", nn::Conv2d(nn::Conv2dOptions(hidden, out, 3).padding(1)));
  torch::NoGradGuard no_grad;
  // LibTorch's constructors drew from the process-wide generator; redraw the same distribution
  // (Kaiming-uniform, a = sqrt(5): bound 1 / sqrt(fan_in) for weights and biases) from the model's own.
  for (const nn::Conv2d& conv : {first_, middle_}) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(conv->weight[0].numel()));
    conv->weight.uniform_(-bound, bound, generator);
    conv->bias.uniform_(-bound, bound, generator);
  }
  last_->weight.zero_();
  last_->bias.zero_();
  // Channels-last weights and activations let oneDNN run the convolutions without reordering the small
  // images into its blocked layout and back on every call: the reference model's training step is ~14%
  // faster for it (bench/flow_reference.sh).
  for (torch::Tensor& p : parameters()) {
    if (p.dim() == 4) p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

torch::Tensor CouplingNet::forward(const torch::Tensor& x) {
  const torch::Tensor h = x.contiguous(torch::MemoryFormat::ChannelsLast);
  return last_->forward(torch::relu(middle_->forward(torch::relu(first_->forward(h))))).contiguous();
}

torch::Tensor soft_clamp(const torch::Tensor& raw, double limit) { return limit * torch::tanh(raw / limit); }

torch::Tensor Coupling::with_condition(const torch::Tensor& x, const torch::Tensor& condition) const {
  if (condition_channels_ == 0) {
    TORCH_CHECK(!condition.defined(), "this coupling takes no condition");
    return x;
  }
  TORCH_CHECK(condition.defined(), "this coupling needs a condition of ", condition_channels_, " channels");
  TORCH_CHECK(condition.dim() == 4 && condition.size(0) == x.size(0) && condition.size(1) == condition_channels_ &&
                  condition.size(2) == x.size(2) && condition.size(3) == x.size(3),
              "the condition must be ", x.size(0), " x ", condition_channels_, " x ", x.size(2), " x ", x.size(3),
              ", got ", condition.sizes());
  return torch::cat({x, condition}, 1);
}

AffineCoupling::AffineCoupling(int64_t channels, int64_t hidden, int64_t condition_channels, torch::Generator& generator)
    : Coupling(condition_channels), split_(channels / 2) {
  TORCH_CHECK(channels >= 2, "an affine coupling needs at least 2 channels");
  net_ = register_module("net", std::make_shared<CouplingNet>(split_ + condition_channels, hidden, 2 * (channels - split_), generator));
}

torch::Tensor AffineCoupling::forward(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) {
  const torch::Tensor xa = x.narrow(1, 0, split_), xb = x.narrow(1, split_, x.size(1) - split_);
  const std::vector<torch::Tensor> h = net_->forward(with_condition(xa, condition)).chunk(2, 1);
  const torch::Tensor log_scale = torch::log_sigmoid(h[1] + 2.0);
  logdet = logdet + log_scale.sum({1, 2, 3});
  return torch::cat({xa, (xb + h[0]) * torch::exp(log_scale)}, 1);
}

torch::Tensor AffineCoupling::inverse(const torch::Tensor& y, const torch::Tensor& condition) {
  const torch::Tensor ya = y.narrow(1, 0, split_), yb = y.narrow(1, split_, y.size(1) - split_);
  const std::vector<torch::Tensor> h = net_->forward(with_condition(ya, condition)).chunk(2, 1);
  return torch::cat({ya, yb * torch::exp(-torch::log_sigmoid(h[1] + 2.0)) - h[0]}, 1);
}

QuadCoupling::QuadCoupling(int64_t channels, int64_t hidden, int64_t condition_channels, torch::Generator& generator)
    : Coupling(condition_channels), block_(channels / 4) {
  TORCH_CHECK(channels % 4 == 0, "a quad coupling needs a multiple of 4 channels, got ", channels);
  for (int i = 1; i <= 3; ++i) {
    nets_.push_back(register_module("net" + std::to_string(i),
                                    std::make_shared<CouplingNet>(i * block_ + condition_channels, hidden, 2 * block_, generator)));
  }
}

torch::Tensor QuadCoupling::forward(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) {
  std::vector<torch::Tensor> out{x.narrow(1, 0, block_)};
  for (int i = 1; i <= 3; ++i) {
    const std::vector<torch::Tensor> h =
        nets_[i - 1]->forward(with_condition(x.narrow(1, 0, i * block_), condition)).chunk(2, 1);
    const torch::Tensor log_scale = soft_clamp(h[1]);
    logdet = logdet + log_scale.sum({1, 2, 3});
    out.push_back((x.narrow(1, i * block_, block_) + h[0]) * torch::exp(log_scale));
  }
  return torch::cat(out, 1);
}

torch::Tensor QuadCoupling::inverse(const torch::Tensor& y, const torch::Tensor& condition) {
  torch::Tensor x = y.narrow(1, 0, block_);
  for (int i = 1; i <= 3; ++i) {
    const std::vector<torch::Tensor> h = nets_[i - 1]->forward(with_condition(x, condition)).chunk(2, 1);
    const torch::Tensor xi = y.narrow(1, i * block_, block_) * torch::exp(-soft_clamp(h[1])) - h[0];
    x = torch::cat({x, xi}, 1);
  }
  return x;
}

}  // namespace nfx::flow
