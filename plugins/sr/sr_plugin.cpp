// Plugin "sr": super-resolution (docs/sr.md).
#include "sr_nodes.hpp"

NFX_PLUGIN("sr", "0.1.0", "Super-resolution: bicubic and pre-trained upscalers, tile by tile") {
  nfx::sr::add_upscale_node(plugin);
}
