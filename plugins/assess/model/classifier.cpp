#include "model/classifier.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/pooling.h>
#include <torch/torch.h>

namespace nfx::assess {

CompactCnnImpl::CompactCnnImpl(int64_t channels, int64_t classes) : classes_(classes) {
  int64_t in = channels;
  for (int64_t out : {32, 64, 128}) {
    convs_.push_back(register_module("conv" + std::to_string(convs_.size()),
                                     torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1).bias(false))));
    norms_.push_back(register_module("norm" + std::to_string(norms_.size()), torch::nn::BatchNorm2d(out)));
    in = out;
  }
  head_ = register_module("head", torch::nn::Linear(in, classes));
}

torch::Tensor CompactCnnImpl::forward(torch::Tensor x) {
  for (size_t i = 0; i < convs_.size(); ++i) {
    x = torch::relu(norms_[i](convs_[i](x)));
    if (x.size(2) >= 2 && x.size(3) >= 2) x = torch::max_pool2d(x, 2);
  }
  return head_(x.mean({2, 3}));
}

torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& labels, const LossOptions& options) {
  const torch::Tensor log_p = torch::log_softmax(logits, 1).gather(1, labels.unsqueeze(1)).squeeze(1);
  torch::Tensor loss = -log_p;
  if (options.focal_gamma > 0) loss = loss * torch::pow(1 - log_p.exp(), options.focal_gamma);
  if (options.class_weights.empty()) return loss.mean();
  const torch::Tensor weights = torch::tensor(options.class_weights, torch::kFloat64).to(logits.scalar_type()).index_select(0, labels);
  return (loss * weights).sum() / weights.sum();
}

}  // namespace nfx::assess
