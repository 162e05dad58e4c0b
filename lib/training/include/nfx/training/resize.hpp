// Bicubic resizing as MATLAB's imresize does it, the degradation and the baseline of the super-resolution
// literature: the cubic kernel with a = -0.5, widened by the factor when shrinking (antialiasing), weights
// normalised to sum to one, borders mirrored (MATLAB's 'symmetric'). Computed in float64.
#pragma once

#include <torch/types.h>

namespace nfx::training {

// `images` (C x H x W or N x C x H x W, any floating or uint8 dtype) resized to height x width; returns
// float32 in the input's value range, not rounded. Throws std::invalid_argument for other shapes or sizes.
torch::Tensor imresize_bicubic(const torch::Tensor& images, int64_t height, int64_t width);

}  // namespace nfx::training
