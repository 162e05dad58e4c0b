// The model: a small residual denoiser (DnCNN-like). It predicts the noise of an image and subtracts it.
#pragma once

#include <torch/torch.h>

namespace denoise {

struct DenoiserImpl : torch::nn::Module {
  DenoiserImpl(int64_t channels, int64_t width)
      : head(register_module("head", conv(channels, width))),
        body(register_module("body", conv(width, width))),
        tail(register_module("tail", conv(width, channels))) {}

  // N x C x H x W in [0, 1] -> the same, with the predicted noise removed.
  torch::Tensor forward(const torch::Tensor& x) {
    return x - tail(torch::relu(body(torch::relu(head(x)))));
  }

  static torch::nn::Conv2d conv(int64_t in, int64_t out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(1));
  }

  torch::nn::Conv2d head, body, tail;
};
TORCH_MODULE(Denoiser);

}  // namespace denoise
