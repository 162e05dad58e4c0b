// Node types built into the host: how an embedding program feeds items in and reads results out.
#pragma once

#include <nfx/nfx.h>

namespace nfx::detail {

// Plugin "host": host.input (a source emitting the values given to Graph::feed) and host.output
// (a sink handing every value to RunOptions::on_output).
const nfx_plugin_descriptor* builtin_plugin();

// True for host.input, known by its function rather than its name.
bool is_graph_input(const nfx_node_type& type);

}  // namespace nfx::detail
