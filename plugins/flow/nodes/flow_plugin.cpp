// Plugin "flow": normalizing flows with exactly invertible convolutions, trained and sampled in C++.
#include "flow_nodes.hpp"

NFX_PLUGIN("flow", "0.1.0", "Normalizing flows: train on digits, evaluate bits/dim, sample, encode and decode") {
  nfx::flow::register_train_node(plugin);
  nfx::flow::register_sample_nodes(plugin);
  nfx::flow::register_codec_nodes(plugin);
}
