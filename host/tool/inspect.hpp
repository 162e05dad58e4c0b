// `nfx inspect`: a node type's ports and parameters, and what an instance of it reports about itself
// (nfx.describable.v1: the model it loads, its parameter counts); or that for every node of a graph.
#pragma once

#include <nfx/host.hpp>

#include <string>
#include <vector>

namespace nfx::tool {

// Prints the type `type_id`. When the type is describable, also creates one instance with its defaults
// and `params` ("PARAM=VALUE") and prints its facts. Returns the exit code.
int inspect_type(Host& host, const std::string& type_id, const std::vector<std::string>& params);

// Creates every node of the graph (with `overrides`, as `nfx run --set`) and prints what each describable
// one reports. Returns the exit code; throws GraphError or RunError.
int inspect_graph(Host& host, const std::string& graph_file, const std::vector<std::string>& overrides);

}  // namespace nfx::tool
