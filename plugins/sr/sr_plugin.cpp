// Plugin "sr": super-resolution (docs/sr.md).
#include "sr_nodes.hpp"

NFX_PLUGIN("sr", "0.1.0", "Super-resolution: bicubic, pre-trained upscalers and Affine-StableSR, tile by tile; training and evaluation") {
  nfx::sr::add_upscale_node(plugin);
  nfx::sr::add_train_node(plugin);
  nfx::sr::add_eval_node(plugin);
}
