// Plugin "flow": normalizing flows with exactly invertible convolutions, trained and sampled in C++.
#include "nodes/flow_nodes.hpp"

#include <nfx/kernels/cpu.hpp>

#include <string>

namespace {

// The plugin's doc, as `nfx plugins` shows it, says which CPU kernel variant this process runs.
const char* plugin_doc() {
  static const std::string doc = "Normalizing flows: train on digits, evaluate bits/dim, sample, encode and decode. "
                                 "CPU kernels: " + nfx::kernels::cpu_variant_summary();
  return doc.c_str();
}

}  // namespace

NFX_PLUGIN("flow", "0.1.0", plugin_doc()) {
  nfx::flow::register_train_node(plugin);
  nfx::flow::register_sample_node(plugin);
  nfx::flow::register_eval_node(plugin);
  nfx::flow::register_encode_node(plugin);
  nfx::flow::register_decode_node(plugin);
}
