// The node types of the mapper plugin, one registration function per file.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::mapper {

void register_train_node(nfx::PluginBuilder& plugin);
void register_map_node(nfx::PluginBuilder& plugin);
void register_eval_node(nfx::PluginBuilder& plugin);

}  // namespace nfx::mapper
