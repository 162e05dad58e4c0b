// Differentiable augmentation for a GAN trained on few items (DiffAugment, Zhao et al. 2020): the critic
// sees real and generated items only through the same random changes, and the generator's gradient flows
// back through them, so the critic cannot learn the ~100 real items of a rare class by heart and the
// generator is not pushed to make the changes themselves. The policy of the paper: colour (brightness
// +-0.5, saturation x0..2 on colour images, contrast x0.5..1.5), translation by up to 1/8 of the size with
// zeros shifted in, and cutout of one square of half the size.
//
// Images are N x C x H x W floats in [0, 1]; every item gets its own draw from `generator`.
#pragma once

#include <torch/types.h>

namespace nfx::assess {

torch::Tensor augment_colour(const torch::Tensor& images, torch::Generator& generator);
// Each item shifted by whole pixels (dy, dx), each in -max_shift .. max_shift.
torch::Tensor augment_translation(const torch::Tensor& images, int64_t max_shift, torch::Generator& generator);
// Each item with one side x side square set to 0, its centre anywhere in the image (clipped at the edges).
torch::Tensor augment_cutout(const torch::Tensor& images, int64_t side, torch::Generator& generator);

// The three in a row, translation by size / 8 and cutout of size / 2.
torch::Tensor differentiable_augmentation(const torch::Tensor& images, torch::Generator& generator);

}  // namespace nfx::assess
