#include <nfx/training/resize.hpp>

#include <torch/torch.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace nfx::training {

namespace {

// Keys' cubic convolution kernel with a = -0.5 (MATLAB's 'bicubic').
double cubic(double x) {
  x = std::abs(x);
  if (x <= 1) return (1.5 * x - 2.5) * x * x + 1;
  if (x < 2) return ((-0.5 * x + 2.5) * x - 4) * x + 2;
  return 0;
}

// For each output sample of one dimension, the input samples it weighs and their weights (out x taps).
struct Taps {
  torch::Tensor index;   // int64
  torch::Tensor weight;  // float64, each row summing to one
};

Taps taps_for(int64_t in, int64_t out) {
  const double scale = static_cast<double>(out) / static_cast<double>(in);
  const double stretch = scale < 1 ? scale : 1;  // shrinking widens the kernel: antialiasing
  const double half_width = 2 / stretch;
  const int64_t count = static_cast<int64_t>(std::ceil(2 * half_width)) + 2;
  Taps taps{torch::zeros({out, count}, torch::kInt64), torch::zeros({out, count}, torch::kFloat64)};
  auto index = taps.index.accessor<int64_t, 2>();
  auto weight = taps.weight.accessor<double, 2>();
  for (int64_t j = 0; j < out; ++j) {
    const double centre = (static_cast<double>(j) + 0.5) / scale - 0.5;  // in input coordinates, 0-based
    const int64_t first = static_cast<int64_t>(std::floor(centre - half_width));
    double total = 0;
    for (int64_t t = 0; t < count; ++t) {
      int64_t at = first + t;
      const double w = stretch * cubic(stretch * (centre - static_cast<double>(at)));
      while (at < 0 || at >= in) at = at < 0 ? -at - 1 : 2 * in - at - 1;  // mirrored, the edge sample repeated
      index[j][t] = at;
      weight[j][t] = w;
      total += w;
    }
    for (int64_t t = 0; t < count; ++t) weight[j][t] /= total;
  }
  return taps;
}

// Resizes the last dimension of x, a band of output samples at a time so memory stays bounded.
torch::Tensor resize_last(const torch::Tensor& x, int64_t out) {
  const Taps taps = taps_for(x.size(-1), out);
  const int64_t count = taps.index.size(1), rows = x.numel() / std::max<int64_t>(1, x.size(-1));
  const int64_t band = std::max<int64_t>(1, (int64_t{1} << 24) / std::max<int64_t>(1, count * rows));
  std::vector<torch::Tensor> parts;
  for (int64_t start = 0; start < out; start += band) {
    const int64_t stop = std::min(out, start + band);
    const torch::Tensor index = taps.index.slice(0, start, stop);
    std::vector<int64_t> shape = x.sizes().vec();
    shape.back() = stop - start;
    shape.push_back(count);
    const torch::Tensor gathered = x.index_select(-1, index.flatten()).view(shape);
    parts.push_back((gathered * taps.weight.slice(0, start, stop)).sum(-1));
  }
  return torch::cat(parts, -1);
}

}  // namespace

torch::Tensor imresize_bicubic(const torch::Tensor& images, int64_t height, int64_t width) {
  if ((images.dim() != 3 && images.dim() != 4) || height < 1 || width < 1) {
    throw std::invalid_argument("imresize_bicubic: expected C x H x W or N x C x H x W images and a positive size");
  }
  const torch::Tensor x = images.to(torch::kFloat64);
  const torch::Tensor across = resize_last(x, width);
  return resize_last(across.transpose(-1, -2), height).transpose(-1, -2).contiguous().to(torch::kFloat32);
}

}  // namespace nfx::training
