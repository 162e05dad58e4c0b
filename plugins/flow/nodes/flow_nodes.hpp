// Registration of the flow plugin's node types, and what they share.
#pragma once

#include <nfx/nfx.hpp>

#include <torch/torch.h>

namespace nfx::flow {

void register_train_node(nfx::PluginBuilder& plugin);   // flow.train
void register_sample_nodes(nfx::PluginBuilder& plugin); // flow.sample, flow.eval
void register_codec_nodes(nfx::PluginBuilder& plugin);  // flow.encode, flow.decode

// Images in [0, 1) (N x C x H x W) as one uint8 grid image (HWC), `columns` images per row.
nfx::Tensor image_grid(const torch::Tensor& images, int64_t columns);

}  // namespace nfx::flow
