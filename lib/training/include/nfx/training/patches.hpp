// Training patches: random crops of images, aligned crops of (degraded, clean) pairs, and the eight flips
// and rotations of a square.
#pragma once

#include <torch/types.h>

#include <functional>
#include <vector>

namespace nfx::training {

// `count` random size x size crops (C x H x W images, any dtype; each at least size x size), from images
// and positions drawn from `generator`: count x C x size x size.
torch::Tensor random_patches(const std::vector<torch::Tensor>& images, int64_t count, int64_t size,
                             torch::Generator& generator);

// A degraded image and the clean one it came from; the clean image is `scale` times larger in both
// dimensions (1 for restoration, the upscaling factor for super-resolution).
struct ImagePair {
  torch::Tensor degraded, clean;  // C x h x w and C x (scale h) x (scale w)
};

// The degradation of one clean C x H x W image, drawn from `generator` (noise, blur, downscaling ...).
using Degradation = std::function<torch::Tensor(const torch::Tensor& clean, torch::Generator& generator)>;

// Each image with its degraded copy; throws std::invalid_argument if a degraded image is not the clean one's
// size divided by `scale`.
std::vector<ImagePair> degrade_all(const std::vector<torch::Tensor>& clean, const Degradation& degrade, int64_t scale,
                                   torch::Generator& generator);

struct PatchBatch {
  torch::Tensor degraded, clean;  // count x C x size x size and count x C x (scale size) x (scale size)
};

// `count` aligned crops: a size x size crop of a degraded image and the crop of its clean image that covers
// the same area, each pair with the same one of the eight flips and rotations when `augment`.
PatchBatch paired_patches(const std::vector<ImagePair>& pairs, int64_t count, int64_t size, int64_t scale,
                          torch::Generator& generator, bool augment = true);

// One of the eight symmetries of the square on the last two dimensions: `index` 0..7; bit 0 flips
// horizontally, bit 1 flips vertically, bit 2 transposes (which swaps the sides of a non-square image).
torch::Tensor dihedral(const torch::Tensor& image, int index);

}  // namespace nfx::training
