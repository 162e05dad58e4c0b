// The node types of the assess plugin, one registration function per file.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::assess {

void register_train_node(nfx::PluginBuilder& plugin);
void register_classify_node(nfx::PluginBuilder& plugin);
void register_eval_node(nfx::PluginBuilder& plugin);
void register_sample_data_node(nfx::PluginBuilder& plugin);

}  // namespace nfx::assess
