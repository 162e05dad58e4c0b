// Graph::to_dot: the graph as Graphviz source, one box per node, one edge per connected port.
#include "graph_plan.hpp"

#include <sstream>

namespace nfx::detail {

namespace {

std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string to_dot(const GraphPlan& plan) {
  std::ostringstream dot;
  dot << "digraph " << quoted(plan.name) << " {\n"
      << "  rankdir=LR;\n  node [shape=box, style=rounded, fontname=\"Helvetica\"];\n";
  for (const PlannedNode& node : plan.nodes) {
    dot << "  " << quoted(node.id) << " [label=" << quoted(node.id + "\n" + node.type->id) << "];\n";
  }
  for (const PlannedNode& node : plan.nodes) {
    for (uint32_t p = 0; p < node.inputs.size(); ++p) {
      const PortRef& ref = node.inputs[p];
      if (ref.node < 0) continue;
      const PlannedNode& from = plan.nodes[ref.node];
      dot << "  " << quoted(from.id) << " -> " << quoted(node.id) << " [label="
          << quoted(std::string(from.type->outputs[ref.port].name) + " -> " + node.type->inputs[p].name) << "];\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace nfx::detail
