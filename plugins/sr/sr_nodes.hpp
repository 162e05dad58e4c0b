// The node types of the sr plugin, one registration function per file.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::sr {

void add_upscale_node(nfx::PluginBuilder& plugin);
void add_train_node(nfx::PluginBuilder& plugin);
void add_eval_node(nfx::PluginBuilder& plugin);

}  // namespace nfx::sr
