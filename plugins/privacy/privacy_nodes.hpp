// Node registration of the privacy plugin, one function per file.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::privacy {

void register_detect_node(nfx::PluginBuilder& plugin);
void register_scrub_node(nfx::PluginBuilder& plugin);
void register_hold_node(nfx::PluginBuilder& plugin);
void register_sidecar_node(nfx::PluginBuilder& plugin);
void register_evaluate_node(nfx::PluginBuilder& plugin);
void register_truth_nodes(nfx::PluginBuilder& plugin);
void register_train_node(nfx::PluginBuilder& plugin);

}  // namespace nfx::privacy
