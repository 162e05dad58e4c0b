// Plugin "mapper": unsupervised geological mapping of multispectral rasters (docs/mapper.md).
#include "nodes/mapper_nodes.hpp"

NFX_PLUGIN("mapper", "0.1.0", "Geological mapping of multispectral rasters: stacked-autoencoder codes clustered into a "
                              "class map, with PCA and the bands themselves as baselines") {
  nfx::mapper::register_train_node(plugin);
  nfx::mapper::register_map_node(plugin);
  nfx::mapper::register_eval_node(plugin);
}
