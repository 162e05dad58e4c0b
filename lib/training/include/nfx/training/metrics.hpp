// Figures of merit: bits per dimension for likelihood models, PSNR and SSIM for images, and the
// classification figures that matter when classes are rare (balanced accuracy, macro-F1, the confusion
// matrix), all in float64.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace nfx::training {

// Bits per dimension of 8-bit data from log p(x) (nats, per item) of the data scaled to [0, 1) with uniform
// dequantization: (-log p(x) + D log 256) / (D log 2), D = C * H * W dimensions per item.
torch::Tensor bits_per_dim(const torch::Tensor& log_prob, int64_t dims);

struct PsnrOptions {
  double peak = 1.0;    // the value of white: 1 for [0, 1] images, 255 for 0..255
  int64_t crop = 0;     // pixels left out at every border (super-resolution papers crop the scale factor)
  bool luma = false;    // on BT.601 luma (Y of YCbCr, as MATLAB's rgb2ycbcr) of RGB images, not on RGB
};

// PSNR in dB of `test` against `reference`: C x H x W or N x C x H x W, the same shape; mean squared error
// over all pixels (and channels) of every image, then 10 log10(peak^2 / mse), averaged over the images.
// Identical images give +infinity. Throws std::invalid_argument for other shapes.
double psnr(const torch::Tensor& test, const torch::Tensor& reference, const PsnrOptions& options = {});

// Mean SSIM (Wang et al. 2004: 11 x 11 Gaussian window of sigma 1.5, K1 = 0.01, K2 = 0.03, over the
// window positions inside the image) of `test` against `reference`, shapes as for psnr, averaged over the
// channels and images. The images must be at least 11 x 11.
double ssim(const torch::Tensor& test, const torch::Tensor& reference, double peak = 1.0);
// The same on luma and with a border crop as `options` say (the SR literature's Y-SSIM).
double ssim(const torch::Tensor& test, const torch::Tensor& reference, const PsnrOptions& options);

// Classification: `predicted` and `truth` are int64 class indices of the same length, 0 <= index < classes.
// The confusion matrix counts truth (row) against prediction (column).
torch::Tensor confusion_matrix(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes);
double accuracy(const torch::Tensor& predicted, const torch::Tensor& truth);
// The mean over the classes present in `truth` of each class's recall.
double balanced_accuracy(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes);
// The mean over the classes present in `truth` or `predicted` of each class's F1 (0 where a class was
// never predicted correctly).
double macro_f1(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes);

}  // namespace nfx::training
