// Plugin "sr": super-resolution (docs/sr.md).
#include "nodes/sr_nodes.hpp"

NFX_PLUGIN("sr", "0.1.0", "Super-resolution: bicubic, pre-trained upscalers and Affine-StableSR, tile by tile; training and evaluation") {
  nfx::sr::register_upscale_node(plugin);
  nfx::sr::register_train_node(plugin);
  nfx::sr::register_eval_node(plugin);
}
