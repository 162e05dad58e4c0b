// A graph after parsing and validation: what the scheduler runs.
#pragma once

#include <nfx/host.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace nfx::detail {

struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

// A parameter value, already checked against its nfx_param_desc.
struct ParamValue {
  nfx_param_type type = NFX_PARAM_STRING;
  int64_t integer = 0;  // BOOL and INT
  double real = 0;      // FLOAT
  std::string text;     // STRING
};

struct PortRef {
  int node = -1;  // index into GraphPlan::nodes; -1 = not connected
  int port = -1;
};

struct PlannedNode {
  std::string id;
  // The node's type; for an inverted node (invert = true) a copy with inputs and outputs swapped, kept
  // alive by inverted_type, whose items go to invertible->inverse instead of process.
  const nfx_node_type* type = nullptr;
  std::shared_ptr<const nfx_node_type> inverted_type;
  const nfx_invertible_v1* invertible = nullptr;
  // state = "file": the type's trainable extension and the file it loads from and saves to.
  const nfx_trainable_v1* trainable = nullptr;
  std::string state_file;
  bool skip_errors = false;  // on_error = "skip"
  SourceLocation location;
  std::map<std::string, ParamValue> params;  // every parameter of the type, defaults filled in
  std::map<std::string, SourceLocation> param_locations;  // the parameters written in the file
  std::vector<PortRef> inputs;               // one per input port of the type
  std::vector<nfx_port_kind> output_kinds;   // resolved (NFX_KIND_ANY replaced where known)
  std::vector<int> successors;               // distinct nodes reading any output of this one
  int predecessor_count = 0;                 // distinct nodes this one reads from
};

// Runs one item through a node: its inverse when the graph inverted it, else process.
nfx_status process_item(const PlannedNode& node, void* instance, nfx_context* ctx);

struct GraphPlan {
  std::string file;
  std::string name;
  std::string description;
  int threads = 0;  // [graph] threads; 0 = not set
  uint64_t max_tensor_bytes = 0;  // [graph] max_tensor_bytes; 0 = not set
  std::vector<PlannedNode> nodes;  // topological order: every node after the nodes it reads from
};

// Graphviz source of a plan.
std::string to_dot(const GraphPlan& plan);

}  // namespace nfx::detail
