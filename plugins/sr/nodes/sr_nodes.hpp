// The node types of the sr plugin, one registration function per file.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::sr {

void register_upscale_node(nfx::PluginBuilder& plugin);
void register_train_node(nfx::PluginBuilder& plugin);
void register_eval_node(nfx::PluginBuilder& plugin);

}  // namespace nfx::sr
