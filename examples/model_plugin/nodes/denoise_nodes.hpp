// The denoise plugin's node types, one per file, and what they share.
#pragma once

#include <nfx/nfx.hpp>

#include <torch/types.h>

namespace denoise {

void register_train_node(nfx::PluginBuilder& plugin);      // denoise.train
void register_add_noise_node(nfx::PluginBuilder& plugin);  // denoise.add_noise
void register_apply_node(nfx::PluginBuilder& plugin);      // denoise.apply

// A C x H x W float image in [0, 1] as a host image (HWC uint8, rounded).
inline nfx::Tensor to_image(const torch::Tensor& image) {
  nfx::Tensor out(nfx::dtype_u8(), {image.size(1), image.size(2), image.size(0)});
  torch::from_blob(out.data<uint8_t>(), {image.size(1), image.size(2), image.size(0)}, torch::kUInt8)
      .copy_(image.mul(255.0).round().clamp(0, 255).permute({1, 2, 0}));
  return out;
}

}  // namespace denoise
