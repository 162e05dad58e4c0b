// A graph file as written, before validation: nodes, inputs and parameters with their TOML locations.
#pragma once

#include "graph_plan.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace nfx::detail {

// A TOML value reduced to what parameters can hold.
struct RawValue {
  enum class Type { Bool, Int, Float, String, Other } type = Type::Other;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;         // String: the value (variables expanded)
  std::string type_name;    // "integer", "array", ... for messages
  std::string source_text;  // non-empty when the value was typed from text (--set, or a whole "${var}"):
                            // a string parameter takes this text
};

struct RawParam {
  std::string name;
  RawValue value;
  SourceLocation location;
};

struct RawInput {
  std::string port;
  std::string from;  // "node.port"
  SourceLocation location;
};

struct RawNode {
  std::string id;
  SourceLocation location;
  std::string type;
  SourceLocation type_location;
  std::vector<RawInput> inputs;
  std::vector<RawParam> params;
  bool invert = false;  // run the type's nfx.invertible.v1 inverse instead of process
  SourceLocation invert_location;
  std::string state;  // file for the type's nfx.trainable.v1 state: loaded at creation, saved after the run
  SourceLocation state_location;
  bool skip_errors = false;  // on_error = "skip": an item this node fails on is dropped, the run goes on
};

struct RawRequirement {
  std::string plugin;
  std::string min_version;
  SourceLocation location;
};

struct GraphSource {
  std::string file;
  std::string name;
  std::string description;
  int threads = 0;  // [graph] threads; 0 = not set
  uint64_t max_tensor_bytes = 0;  // [graph] max_tensor_bytes; 0 = not set
  std::vector<RawNode> nodes;  // file order
  std::vector<RawRequirement> requires_plugins;
};

// "1 MiB" for whole mebibytes, else "N bytes": how limits are named in errors.
inline std::string byte_size_text(uint64_t bytes) {
  return bytes % (uint64_t{1} << 20) == 0 ? std::to_string(bytes >> 20) + " MiB" : std::to_string(bytes) + " bytes";
}

// Parses TOML text into a GraphSource, applying --set overrides and expanding ${variables} (no string
// longer than max_string_bytes). Appends every problem to diagnostics (parsing goes on after an error
// wherever it can).
GraphSource parse_graph_source(const std::string& text, const std::string& file,
                               const std::vector<std::string>& overrides, std::vector<Diagnostic>& diagnostics,
                               uint64_t max_string_bytes = GraphLimits{}.string_bytes);

class PluginRegistry;

// Checks a GraphSource against the loaded node types and orders it for running. Appends every problem.
GraphPlan validate_graph(const GraphSource& source, const PluginRegistry& registry,
                         std::vector<Diagnostic>& diagnostics);

}  // namespace nfx::detail
