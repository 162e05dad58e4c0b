#include <nfx/training/metrics.hpp>

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <stdexcept>

namespace nfx::training {

torch::Tensor bits_per_dim(const torch::Tensor& log_prob, int64_t dims) {
  const double d = static_cast<double>(dims);
  return (-log_prob + d * std::log(256.0)) / (d * std::log(2.0));
}

namespace {

// N x C x H x W float64 copies of both, after checking they match.
std::pair<torch::Tensor, torch::Tensor> as_batches(const torch::Tensor& test, const torch::Tensor& reference, const char* what) {
  if (test.sizes() != reference.sizes() || (test.dim() != 3 && test.dim() != 4)) {
    throw std::invalid_argument(std::string(what) + ": the images must have the same C x H x W or N x C x H x W shape");
  }
  auto batch = [](const torch::Tensor& t) { return (t.dim() == 3 ? t.unsqueeze(0) : t).to(torch::kDouble); };
  return {batch(test), batch(reference)};
}

// BT.601 luma in 0..255 units from RGB with white at `peak`, as MATLAB's rgb2ycbcr.
torch::Tensor luma(const torch::Tensor& rgb, double peak) {
  if (rgb.size(1) != 3) throw std::invalid_argument("psnr: luma needs RGB images (3 channels)");
  const torch::Tensor x = rgb / peak;
  return 16.0 + 65.481 * x.select(1, 0) + 128.553 * x.select(1, 1) + 24.966 * x.select(1, 2);
}

torch::Tensor gaussian_window(int64_t size, double sigma) {
  const torch::Tensor x = torch::arange(size, torch::kDouble) - static_cast<double>(size - 1) / 2.0;
  torch::Tensor g = torch::exp(-x * x / (2 * sigma * sigma));
  g = g / g.sum();
  return torch::outer(g, g);
}

void check_labels(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes) {
  if (predicted.dim() != 1 || truth.dim() != 1 || predicted.size(0) != truth.size(0)) {
    throw std::invalid_argument("predictions and truth must be two lists of the same length");
  }
  for (const torch::Tensor& t : {predicted, truth}) {
    if (t.numel() > 0 && (t.min().item<int64_t>() < 0 || t.max().item<int64_t>() >= classes)) {
      throw std::invalid_argument("a class index is outside 0.." + std::to_string(classes - 1));
    }
  }
}

// The two images as batches, on luma and cropped as `options` ask; `peak` becomes the white of the result.
std::pair<torch::Tensor, torch::Tensor> prepared(const torch::Tensor& test, const torch::Tensor& reference,
                                                 const PsnrOptions& options, const char* what, double& peak) {
  auto [a, b] = as_batches(test, reference, what);
  peak = options.peak;
  if (options.luma) {
    a = luma(a, options.peak).unsqueeze(1);
    b = luma(b, options.peak).unsqueeze(1);
    peak = 255.0;
  }
  const int64_t c = options.crop;
  if (2 * c >= a.size(2) || 2 * c >= a.size(3)) throw std::invalid_argument(std::string(what) + ": the crop leaves no pixels");
  a = a.narrow(2, c, a.size(2) - 2 * c).narrow(3, c, a.size(3) - 2 * c);
  b = b.narrow(2, c, b.size(2) - 2 * c).narrow(3, c, b.size(3) - 2 * c);
  return {a, b};
}

}  // namespace

double psnr(const torch::Tensor& test, const torch::Tensor& reference, const PsnrOptions& options) {
  double peak = 0;
  const auto [a, b] = prepared(test, reference, options, "psnr", peak);
  const torch::Tensor mse = (a - b).pow(2).flatten(1).mean(1);
  double sum = 0.0;
  for (int64_t i = 0; i < mse.size(0); ++i) {
    const double m = mse[i].item<double>();
    sum += m == 0.0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(peak * peak / m);
  }
  return sum / static_cast<double>(mse.size(0));
}

double ssim(const torch::Tensor& test, const torch::Tensor& reference, double peak) {
  auto [a, b] = as_batches(test, reference, "ssim");
  constexpr int64_t kWindow = 11;
  if (a.size(2) < kWindow || a.size(3) < kWindow) throw std::invalid_argument("ssim: the images must be at least 11 x 11");
  const int64_t n = a.size(0), c = a.size(1);
  // Every channel on its own: fold channels into the batch, one window for all.
  a = a.reshape({n * c, 1, a.size(2), a.size(3)});
  b = b.reshape({n * c, 1, b.size(2), b.size(3)});
  const torch::Tensor w = gaussian_window(kWindow, 1.5).view({1, 1, kWindow, kWindow});
  auto blur = [&](const torch::Tensor& x) { return torch::conv2d(x, w); };
  const double c1 = std::pow(0.01 * peak, 2), c2 = std::pow(0.03 * peak, 2);
  const torch::Tensor mu_a = blur(a), mu_b = blur(b);
  const torch::Tensor var_a = blur(a * a) - mu_a * mu_a, var_b = blur(b * b) - mu_b * mu_b;
  const torch::Tensor cov = blur(a * b) - mu_a * mu_b;
  const torch::Tensor map = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a * mu_a + mu_b * mu_b + c1) * (var_a + var_b + c2));
  return map.mean().item<double>();
}

double ssim(const torch::Tensor& test, const torch::Tensor& reference, const PsnrOptions& options) {
  double peak = 0;
  const auto [a, b] = prepared(test, reference, options, "ssim", peak);
  return ssim(a, b, peak);
}

torch::Tensor confusion_matrix(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes) {
  check_labels(predicted, truth, classes);
  const torch::Tensor index = truth.to(torch::kLong) * classes + predicted.to(torch::kLong);
  return torch::bincount(index, {}, classes * classes).view({classes, classes});
}

double accuracy(const torch::Tensor& predicted, const torch::Tensor& truth) {
  if (predicted.sizes() != truth.sizes() || truth.numel() == 0) throw std::invalid_argument("accuracy: two non-empty lists of the same length");
  return predicted.eq(truth).to(torch::kDouble).mean().item<double>();
}

double balanced_accuracy(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes) {
  const torch::Tensor m = confusion_matrix(predicted, truth, classes).to(torch::kDouble);
  const torch::Tensor support = m.sum(1), present = support > 0;
  if (!present.any().item<bool>()) throw std::invalid_argument("balanced accuracy: no labels");
  return (m.diagonal().index({present}) / support.index({present})).mean().item<double>();
}

double macro_f1(const torch::Tensor& predicted, const torch::Tensor& truth, int64_t classes) {
  const torch::Tensor m = confusion_matrix(predicted, truth, classes).to(torch::kDouble);
  const torch::Tensor hits = m.diagonal(), support = m.sum(1), called = m.sum(0);
  const torch::Tensor present = (support + called) > 0;
  if (!present.any().item<bool>()) throw std::invalid_argument("macro-F1: no labels");
  // F1 = 2 tp / (2 tp + fp + fn) = 2 tp / (support + called)
  return (2 * hits.index({present}) / (support + called).index({present})).mean().item<double>();
}

}  // namespace nfx::training
