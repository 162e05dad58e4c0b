#include "model/differentiable_augmentation.hpp"

#include <torch/torch.h>

namespace nfx::assess {

namespace {

// One uniform draw in [low, high) per item, shaped N x 1 x 1 x 1 to scale whole items.
torch::Tensor per_item(const torch::Tensor& images, double low, double high, torch::Generator& generator) {
  return torch::rand({images.size(0), 1, 1, 1}, generator, images.options()) * (high - low) + low;
}

// One integer draw in [low, high] per item.
torch::Tensor per_item_integer(const torch::Tensor& images, int64_t low, int64_t high, torch::Generator& generator) {
  return torch::randint(low, high + 1, {images.size(0)}, generator, torch::kInt64);
}

}  // namespace

torch::Tensor augment_colour(const torch::Tensor& images, torch::Generator& generator) {
  torch::Tensor x = images + per_item(images, -0.5, 0.5, generator);
  if (x.size(1) > 1) {
    const torch::Tensor grey = x.mean(1, /*keepdim=*/true);
    x = (x - grey) * per_item(images, 0.0, 2.0, generator) + grey;
  }
  const torch::Tensor mean = x.mean({1, 2, 3}, /*keepdim=*/true);
  return (x - mean) * per_item(images, 0.5, 1.5, generator) + mean;
}

torch::Tensor augment_translation(const torch::Tensor& images, int64_t max_shift, torch::Generator& generator) {
  if (max_shift <= 0) return images;
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const torch::Tensor dy = per_item_integer(images, -max_shift, max_shift, generator);
  const torch::Tensor dx = per_item_integer(images, -max_shift, max_shift, generator);
  // Output pixel (i, j) of an item reads padded pixel (i + max_shift - dy, j + max_shift - dx): the content
  // moves by (dy, dx) and zeros come in behind it.
  const torch::Tensor padded = torch::constant_pad_nd(images, {max_shift, max_shift, max_shift, max_shift}, 0.0);
  const torch::Tensor rows = (torch::arange(h, torch::kInt64).view({1, h}) + max_shift - dy.view({n, 1}));
  const torch::Tensor cols = (torch::arange(w, torch::kInt64).view({1, w}) + max_shift - dx.view({n, 1}));
  const torch::Tensor picked_rows = padded.gather(2, rows.view({n, 1, h, 1}).expand({n, c, h, w + 2 * max_shift}));
  return picked_rows.gather(3, cols.view({n, 1, 1, w}).expand({n, c, h, w}));
}

torch::Tensor augment_cutout(const torch::Tensor& images, int64_t side, torch::Generator& generator) {
  if (side <= 0) return images;
  const int64_t n = images.size(0), h = images.size(2), w = images.size(3);
  const torch::Tensor top = per_item_integer(images, 0, h - 1, generator).view({n, 1}) - side / 2;
  const torch::Tensor left = per_item_integer(images, 0, w - 1, generator).view({n, 1}) - side / 2;
  const torch::Tensor r = torch::arange(h, torch::kInt64).view({1, h}), k = torch::arange(w, torch::kInt64).view({1, w});
  const torch::Tensor in_rows = (r >= top) & (r < top + side), in_cols = (k >= left) & (k < left + side);
  const torch::Tensor cut = in_rows.view({n, 1, h, 1}) & in_cols.view({n, 1, 1, w});
  return images * cut.logical_not().to(images.scalar_type());
}

torch::Tensor differentiable_augmentation(const torch::Tensor& images, torch::Generator& generator) {
  const int64_t size = std::min(images.size(2), images.size(3));
  return augment_cutout(augment_translation(augment_colour(images, generator), size / 8, generator), size / 2, generator);
}

}  // namespace nfx::assess
