// Reading a plugin's descriptor: checking its shape before anything of it is used, and copying its node
// types into this host's layout, whatever minor version of the SDK the plugin was built with.
#pragma once

#include <nfx/nfx.h>

#include <string>
#include <vector>

namespace nfx::detail {

// Checks a descriptor's shape before anything of it is used: sizes, counts, names, function pointers.
// Returns a problem per line; empty when the descriptor is usable.
std::vector<std::string> check_descriptor(const nfx_plugin_descriptor& descriptor);

// A node type as this host reads it. The plugin's arrays may hold elements of an older or newer size
// (nfx_node_type.port_size / param_size); the copy holds them as this host's structs, so code past
// loading indexes plain arrays. Fields the plugin's SDK did not have are zero.
struct HostNodeType {
  nfx_node_type type{};
  std::vector<nfx_port_desc> inputs;
  std::vector<nfx_port_desc> outputs;
  std::vector<nfx_param_desc> params;

  HostNodeType() = default;
  HostNodeType(const HostNodeType&) = delete;  // type points into the vectors
  HostNodeType& operator=(const HostNodeType&) = delete;
};

// Copies a node type that check_descriptor accepted.
void copy_node_type(const nfx_node_type& plugin_type, HostNodeType& copy);

}  // namespace nfx::detail
