// A complete model plugin on nfx::training, in the shape of nfx's own (docs/architecture.md): model/ holds
// the network and its training objective, nodes/ one node type per file, and this file registers them.
// denoise.train trains the denoiser on the images an io source sends it, denoise.apply runs a checkpoint
// on images tile by tile, denoise.add_noise makes noisy test images.
#include "nodes/denoise_nodes.hpp"

NFX_PLUGIN("denoise", "1.0.0", "Example model plugin: a small residual denoiser on nfx::training") {
  denoise::register_train_node(plugin);
  denoise::register_add_noise_node(plugin);
  denoise::register_apply_node(plugin);
}
