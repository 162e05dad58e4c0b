// The compact classifier that grades items: three convolution blocks (3 x 3 convolution, batch norm, ReLU,
// 2 x 2 max pool) of 32, 64 and 128 channels, global average pooling and one linear layer, for small
// inputs (28 to 64 pixels). Its losses are the imbalance baselines' and the GAN-augmented run's alike:
// cross-entropy, class-weighted cross-entropy, and focal loss (Lin et al. 2017).
#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/types.h>

#include <vector>

namespace nfx::assess {

class CompactCnnImpl : public torch::nn::Module {
 public:
  CompactCnnImpl(int64_t channels, int64_t classes);
  // N x channels x H x W in [0, 1] -> N x classes logits.
  torch::Tensor forward(torch::Tensor x);
  int64_t classes() const { return classes_; }

 private:
  int64_t classes_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<torch::nn::BatchNorm2d> norms_;
  torch::nn::Linear head_{nullptr};
};
TORCH_MODULE(CompactCnn);

struct LossOptions {
  std::vector<double> class_weights;  // empty: every class 1 (the class-weighted baseline sets them)
  double focal_gamma = 0;             // 0: cross-entropy; > 0: focal loss (-(1 - p)^gamma log p)
};

// Mean over the batch of the (weighted, focal) loss of `logits` (N x classes) for `labels` (N, int64).
// With weights, the mean is over the weights (as cross_entropy's weighted mean).
torch::Tensor classification_loss(const torch::Tensor& logits, const torch::Tensor& labels, const LossOptions& options);

}  // namespace nfx::assess
