// GraphSource + loaded node types -> GraphPlan, reporting every problem with its file:line:col.
#include "builtin_nodes.hpp"
#include "graph_source.hpp"
#include "plugin_call.hpp"
#include "plugin_registry.hpp"

#include <nfx/nfx.hpp>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

namespace nfx::detail {

namespace {

void report(std::vector<Diagnostic>& out, const SourceLocation& at, std::string message) {
  out.push_back(Diagnostic{at.file, at.line, at.column, std::move(message)});
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// " (did you mean 'x'?)" for the closest candidate within a few edits, else "".
std::string suggestion(const std::string& wrong, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = std::max<size_t>(2, wrong.size() / 3) + 1;
  for (const std::string& c : candidates) {
    size_t d = edit_distance(wrong, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best.empty() ? "" : " (did you mean '" + best + "'?)";
}

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& i : items) s += (s.empty() ? "" : ", ") + i;
  return s.empty() ? "none" : s;
}

std::vector<std::string> port_names(uint32_t count, const nfx_port_desc* ports) {
  std::vector<std::string> names;
  for (uint32_t i = 0; i < count; ++i) names.push_back(ports[i].name);
  return names;
}

int port_index(uint32_t count, const nfx_port_desc* ports, const std::string& name) {
  for (uint32_t i = 0; i < count; ++i) {
    if (name == ports[i].name) return static_cast<int>(i);
  }
  return -1;
}

std::string format_number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Checks one parameter value against its descriptor; returns the checked value or reports.
bool check_param(const std::string& node_id, const nfx_param_desc& desc, const RawParam& raw, ParamValue& out,
                 std::vector<Diagnostic>& diagnostics) {
  const std::string what = "parameter '" + raw.name + "' of node '" + node_id + "'";
  const RawValue& v = raw.value;
  out.type = desc.type;
  const bool ranged = desc.min <= desc.max;
  switch (desc.type) {
    case NFX_PARAM_BOOL:
      if (v.type != RawValue::Type::Bool) {
        report(diagnostics, raw.location, what + " must be true or false, got " + v.type_name);
        return false;
      }
      out.integer = v.boolean ? 1 : 0;
      return true;
    case NFX_PARAM_INT:
      if (v.type != RawValue::Type::Int) {
        report(diagnostics, raw.location, what + " must be an integer, got " + v.type_name);
        return false;
      }
      out.integer = v.integer;
      if (ranged && (static_cast<double>(v.integer) < desc.min || static_cast<double>(v.integer) > desc.max)) {
        report(diagnostics, raw.location, what + " is " + std::to_string(v.integer) + ", outside its range [" +
                                              format_number(desc.min) + ", " + format_number(desc.max) + "]");
        return false;
      }
      return true;
    case NFX_PARAM_FLOAT:
      if (v.type != RawValue::Type::Float && v.type != RawValue::Type::Int) {
        report(diagnostics, raw.location, what + " must be a number, got " + v.type_name);
        return false;
      }
      out.real = v.type == RawValue::Type::Int ? static_cast<double>(v.integer) : v.real;
      if (!std::isfinite(out.real) || (ranged && (out.real < desc.min || out.real > desc.max))) {
        report(diagnostics, raw.location, what + " is " + format_number(out.real) + ", outside its range [" +
                                              format_number(desc.min) + ", " + format_number(desc.max) + "]");
        return false;
      }
      return true;
    case NFX_PARAM_STRING: {
      if (v.type == RawValue::Type::String) {
        out.text = v.text;
      } else if (!v.source_text.empty()) {
        out.text = v.source_text;  // --set name=123 for a string parameter means the text "123"
      } else {
        report(diagnostics, raw.location, what + " must be a string, got " + v.type_name);
        return false;
      }
      if (desc.choices != nullptr) {
        std::vector<std::string> choices;
        std::stringstream s(desc.choices);
        for (std::string c; std::getline(s, c, '|');) choices.push_back(c);
        if (std::find(choices.begin(), choices.end(), out.text) == choices.end()) {
          report(diagnostics, raw.location, what + " is \"" + out.text + "\", expected one of: " + join(choices) +
                                                suggestion(out.text, choices));
          return false;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

ParamValue default_value(const nfx_param_desc& desc) {
  ParamValue v;
  v.type = desc.type;
  v.integer = desc.default_int;
  v.real = desc.default_float;
  v.text = desc.default_string ? desc.default_string : "";
  return v;
}

// "1.2.3" >= "1.2"? Missing parts count as 0; non-numeric parts compare as 0.
bool version_at_least(const std::string& have, const std::string& want) {
  auto parts = [](const std::string& v) {
    std::vector<long> p;
    std::stringstream s(v);
    for (std::string x; std::getline(s, x, '.');) p.push_back(std::strtol(x.c_str(), nullptr, 10));
    return p;
  };
  std::vector<long> h = parts(have), w = parts(want);
  size_t n = std::max(h.size(), w.size());
  h.resize(n, 0);
  w.resize(n, 0);
  return h >= w;
}

// Whether `start` reads, directly or through other nodes, from itself.
bool on_a_cycle(int start, const std::vector<std::vector<int>>& predecessors) {
  std::vector<bool> seen(predecessors.size(), false);
  std::vector<int> stack(predecessors[start].begin(), predecessors[start].end());
  while (!stack.empty()) {
    const int i = stack.back();
    stack.pop_back();
    if (i == start) return true;
    if (seen[i]) continue;
    seen[i] = true;
    stack.insert(stack.end(), predecessors[i].begin(), predecessors[i].end());
  }
  return false;
}

// Kahn's algorithm over the node-level edges; returns the order, or the nodes on cycles (not the ones
// that are left only because they read from a cycle).
std::vector<int> topological_order(const std::vector<std::vector<int>>& predecessors, std::vector<int>& in_cycle) {
  const int n = static_cast<int>(predecessors.size());
  std::vector<int> remaining(n);
  std::vector<std::vector<int>> successors(n);
  for (int i = 0; i < n; ++i) {
    remaining[i] = static_cast<int>(predecessors[i].size());
    for (int p : predecessors[i]) successors[p].push_back(i);
  }
  std::vector<int> order;
  std::vector<int> ready;
  for (int i = n - 1; i >= 0; --i) {
    if (remaining[i] == 0) ready.push_back(i);
  }
  while (!ready.empty()) {
    int i = ready.back();
    ready.pop_back();
    order.push_back(i);
    for (int s : successors[i]) {
      if (--remaining[s] == 0) ready.push_back(s);
    }
  }
  for (int i = 0; i < n; ++i) {
    if (remaining[i] > 0 && on_a_cycle(i, predecessors)) in_cycle.push_back(i);
  }
  return order;
}

// invert = true: the node runs its inverse, so the plan sees its type with inputs and outputs swapped.
// state = "file": the node's learned state is loaded from and saved to that file.
void use_extensions(const RawNode& raw, PlannedNode& node, std::vector<Diagnostic>& out) {
  const nfx_node_type* t = node.type;
  if (raw.invert) {
    node.invertible = find_extension<nfx_invertible_v1>(*t, NFX_EXT_INVERTIBLE);
    if (node.invertible == nullptr) {
      report(out, raw.invert_location, "node '" + raw.id + "': invert = true, but " + t->id +
                                           " is not invertible (it has no " NFX_EXT_INVERTIBLE " extension)");
    } else {
      auto inverted = std::make_shared<nfx_node_type>(*t);
      std::swap(inverted->input_count, inverted->output_count);
      std::swap(inverted->inputs, inverted->outputs);
      node.inverted_type = inverted;
      node.type = inverted.get();
    }
  }
  if (!raw.state.empty()) {
    node.trainable = find_extension<nfx_trainable_v1>(*t, NFX_EXT_TRAINABLE);
    if (node.trainable == nullptr) {
      report(out, raw.state_location, "node '" + raw.id + "': state = \"" + raw.state + "\", but " + t->id +
                                          " has no learned state (no " NFX_EXT_TRAINABLE " extension)");
    }
    node.state_file = raw.state;
  }
}

// The passes of validate_graph over one graph. Each reports what it finds and goes on, so one run shows every
// error; a node whose type is unknown is left out of the later passes (its error is already reported).
class Validator {
 public:
  Validator(const GraphSource& source, const PluginRegistry& registry, std::vector<Diagnostic>& out)
      : source_(source), registry_(registry), out_(out) {
    plan_.file = source.file;
    plan_.name = source.name;
    plan_.description = source.description;
    plan_.threads = source.threads;
    plan_.max_tensor_bytes = source.max_tensor_bytes;
  }

  GraphPlan run() {
    check_required_plugins();
    for (const RawNode& raw : source_.nodes) plan_node(raw);
    predecessors_.assign(plan_.nodes.size(), {});
    for (size_t i = 0; i < plan_.nodes.size(); ++i) {
      if (usable_[i]) connect_inputs(static_cast<int>(i));
    }
    std::vector<int> in_cycle;
    const std::vector<int> order = topological_order(predecessors_, in_cycle);
    if (!in_cycle.empty()) {
      report_cycle(in_cycle);
      return std::move(plan_);
    }
    // In topological order, so an output that has its input's kind knows that kind when it is read.
    for (int i : order) {
      if (usable_[i]) check_port_kinds(i);
    }
    if (out_.empty()) put_in_order(order);
    return std::move(plan_);
  }

 private:
  // [graph] requires: each plugin loaded, at least at its version.
  void check_required_plugins() {
    const auto plugins = registry_.plugins();
    for (const RawRequirement& r : source_.requires_plugins) {
      auto it = std::find_if(plugins.begin(), plugins.end(), [&](const PluginInfo& p) { return p.name == r.plugin; });
      if (it == plugins.end()) {
        report(out_, r.location, "graph requires plugin '" + r.plugin + "' " + r.min_version +
                                     " but it is not loaded (check --plugin-path and NFX_PLUGIN_PATH)");
      } else if (!version_at_least(it->version, r.min_version)) {
        report(out_, r.location, "graph requires plugin '" + r.plugin + "' version " + r.min_version +
                                     " or newer, but the loaded one (" + it->path + ") is version " + it->version);
      }
    }
  }

  // Pass 1: the node's type, its extensions and its parameters.
  void plan_node(const RawNode& raw) {
    PlannedNode node;
    node.id = raw.id;
    node.location = raw.location;
    node.skip_errors = raw.skip_errors;
    index_of_[raw.id] = static_cast<int>(plan_.nodes.size());
    const NodeTypeEntry* entry = raw.type.empty() ? nullptr : registry_.find(raw.type);
    if (entry == nullptr) {
      if (!raw.type.empty()) {
        report(out_, raw.type_location, "node '" + raw.id + "': unknown node type '" + raw.type + "'" +
                                            suggestion(raw.type, registry_.node_type_ids()) +
                                            "; `nfx plugins` lists the types loaded");
      }
      plan_.nodes.push_back(std::move(node));
      usable_.push_back(false);
      return;
    }
    if (const std::vector<std::string> others = registry_.shadowed(entry->plugin); !others.empty()) {
      report(out_, raw.type_location, "node '" + raw.id + "': node type '" + raw.type + "' is ambiguous: plugin '" +
                                          entry->plugin + "' was found more than once on the plugin path (" +
                                          (entry->path.empty() ? "the host" : entry->path) + ", loaded first; also " +
                                          join(others) + "); remove all but one from the plugin path");
    }
    node.type = entry->type;
    if (raw.invert || !raw.state.empty()) use_extensions(raw, node, out_);
    check_params(raw, node);
    node.inputs.assign(node.type->input_count, PortRef{});
    plan_.nodes.push_back(std::move(node));
    usable_.push_back(true);
  }

  // Every parameter the graph sets is known and valid; every required one is set; the rest get defaults.
  void check_params(const RawNode& raw, PlannedNode& node) {
    const nfx_node_type* t = node.type;
    std::vector<std::string> param_names;
    for (uint32_t p = 0; p < t->param_count; ++p) param_names.push_back(t->params[p].name);
    for (const RawParam& raw_param : raw.params) {
      auto it = std::find(param_names.begin(), param_names.end(), raw_param.name);
      if (it == param_names.end()) {
        report(out_, raw_param.location, "node '" + raw.id + "': unknown parameter '" + raw_param.name + "' for " +
                                             t->id + suggestion(raw_param.name, param_names) +
                                             " (parameters: " + join(param_names) + ")");
        continue;
      }
      ParamValue value;
      if (check_param(raw.id, t->params[it - param_names.begin()], raw_param, value, out_)) {
        node.params[raw_param.name] = value;
        node.param_locations[raw_param.name] = raw_param.location;
      }
    }
    for (uint32_t p = 0; p < t->param_count; ++p) {
      const nfx_param_desc& desc = t->params[p];
      const bool given = std::any_of(raw.params.begin(), raw.params.end(),
                                     [&](const RawParam& rp) { return rp.name == desc.name; });
      if (given) continue;
      if (desc.flags & NFX_PARAM_REQUIRED) {
        report(out_, raw.location, "node '" + raw.id + "': missing required parameter '" + desc.name + "' (" +
                                       (desc.doc ? desc.doc : "") + ")");
      } else {
        node.params[desc.name] = default_value(desc);
      }
    }
  }

  // Pass 2: node i's edges: each in.PORT names a port of the type and an output of another node; every
  // required input is connected.
  void connect_inputs(int i) {
    const RawNode& raw = source_.nodes[i];
    PlannedNode& node = plan_.nodes[i];
    const nfx_node_type* t = node.type;
    for (const RawInput& in : raw.inputs) {
      const std::string where = "node '" + raw.id + "' input '" + in.port + "'";
      int port = port_index(t->input_count, t->inputs, in.port);
      if (port < 0) {
        std::vector<std::string> names = port_names(t->input_count, t->inputs);
        report(out_, in.location, "node '" + raw.id + "': " + t->id + " has no input '" + in.port + "'" +
                                      suggestion(in.port, names) + " (inputs: " + join(names) + ")");
        continue;
      }
      const size_t dot = in.from.rfind('.');
      if (dot == std::string::npos || dot == 0 || dot + 1 == in.from.size()) {
        report(out_, in.location, where + ": expected \"node.port\", got \"" + in.from + "\"");
        continue;
      }
      const std::string from_node = in.from.substr(0, dot), from_port = in.from.substr(dot + 1);
      auto it = index_of_.find(from_node);
      if (it == index_of_.end()) {
        std::vector<std::string> ids;
        for (const PlannedNode& p : plan_.nodes) ids.push_back(p.id);
        report(out_, in.location, where + ": no node '" + from_node + "' in the graph" + suggestion(from_node, ids));
        continue;
      }
      const PlannedNode& producer = plan_.nodes[it->second];
      if (!usable_[it->second]) continue;  // its unknown type is already reported
      int out_port = port_index(producer.type->output_count, producer.type->outputs, from_port);
      if (out_port < 0) {
        std::vector<std::string> names = port_names(producer.type->output_count, producer.type->outputs);
        report(out_, in.location, where + ": node '" + from_node + "' (" + producer.type->id + ") has no output '" +
                                      from_port + "'" + suggestion(from_port, names) + " (outputs: " + join(names) + ")");
        continue;
      }
      if (it->second == i) {
        report(out_, in.location, where + ": a node cannot read its own output");
        continue;
      }
      node.inputs[port] = PortRef{it->second, out_port};
      std::vector<int>& before = predecessors_[i];
      if (std::find(before.begin(), before.end(), it->second) == before.end()) before.push_back(it->second);
    }
    for (uint32_t p = 0; p < t->input_count; ++p) {
      const bool written = std::any_of(raw.inputs.begin(), raw.inputs.end(),
                                       [&](const RawInput& in) { return in.port == t->inputs[p].name; });
      if (!written && !(t->inputs[p].flags & NFX_PORT_OPTIONAL)) {
        report(out_, raw.location, "node '" + raw.id + "': required input '" + t->inputs[p].name +
                                       "' is not connected (add in." + t->inputs[p].name + " = \"node.port\")");
      }
    }
  }

  void report_cycle(const std::vector<int>& in_cycle) {
    std::string names;
    for (int c : in_cycle) names += (names.empty() ? "" : ", ") + plan_.nodes[c].id;
    report(out_, plan_.nodes[in_cycle.front()].location, "cycle: nodes " + names + " read from each other");
  }

  // Pass 3: node i's output kinds, then whether each input takes the kind, dtype and rank its producer gives.
  void check_port_kinds(int i) {
    PlannedNode& node = plan_.nodes[i];
    const nfx_node_type* t = node.type;
    for (uint32_t p = 0; p < t->output_count; ++p) {
      nfx_port_kind kind = t->outputs[p].kind;
      if (kind == NFX_KIND_ANY && t->input_count > 0 && node.inputs[0].node >= 0) {
        const PortRef& first = node.inputs[0];
        kind = plan_.nodes[first.node].output_kinds.empty() ? NFX_KIND_ANY
                                                              : plan_.nodes[first.node].output_kinds[first.port];
      }
      node.output_kinds.push_back(kind);
    }
    if (is_graph_input(*t)) {
      static const std::map<std::string, nfx_port_kind> kinds{{"image", NFX_KIND_IMAGE}, {"tensor", NFX_KIND_TENSOR},
          {"boxes", NFX_KIND_BOXES}, {"mask", NFX_KIND_MASK}, {"scalar", NFX_KIND_SCALAR}, {"text", NFX_KIND_TEXT}};
      auto k = node.params.find("kind");
      if (k != node.params.end() && kinds.count(k->second.text)) node.output_kinds[0] = kinds.at(k->second.text);
    }
    for (uint32_t p = 0; p < t->input_count; ++p) {
      const PortRef& ref = node.inputs[p];
      if (ref.node < 0 || !usable_[ref.node]) continue;
      const PlannedNode& producer = plan_.nodes[ref.node];
      const nfx_port_desc& want = t->inputs[p];
      const nfx_port_desc& give = producer.type->outputs[ref.port];
      const nfx_port_kind give_kind = producer.output_kinds[ref.port];
      const std::string consumer_port = node.id + "." + want.name;
      const std::string producer_port = producer.id + "." + give.name;
      const SourceLocation& at = input_location(i, want.name);
      if (want.kind != NFX_KIND_ANY && give_kind != NFX_KIND_ANY && want.kind != give_kind) {
        report(out_, at, "port kind mismatch: " + consumer_port + " takes " + kind_name(want.kind) + " but " +
                             producer_port + " gives " + kind_name(give_kind));
        continue;
      }
      if (want.kind == give_kind && want.dtypes && give.dtypes && !(want.dtypes & give.dtypes)) {
        report(out_, at, "dtype mismatch: " + consumer_port + " takes " + dtype_names(want.dtypes) + " but " +
                             producer_port + " gives " + dtype_names(give.dtypes));
        continue;
      }
      if (want.kind == give_kind && want.rank >= 0 && give.rank >= 0 && want.rank != give.rank) {
        report(out_, at, "rank mismatch: " + consumer_port + " takes rank " + std::to_string(want.rank) + " but " +
                             producer_port + " gives rank " + std::to_string(give.rank));
      }
    }
  }

  // Where node i's in.PORT is written, else the node's table.
  const SourceLocation& input_location(int i, const std::string& port) const {
    for (const RawInput& in : source_.nodes[i].inputs) {
      if (in.port == port) return in.location;
    }
    return plan_.nodes[i].location;
  }

  // The plan's nodes in topological order, their inputs and successors renumbered to match.
  void put_in_order(const std::vector<int>& order) {
    const int n = static_cast<int>(plan_.nodes.size());
    std::vector<int> new_index(n);
    for (int k = 0; k < n; ++k) new_index[order[k]] = k;
    std::vector<PlannedNode> ordered(n);
    for (int k = 0; k < n; ++k) {
      PlannedNode node = std::move(plan_.nodes[order[k]]);
      for (PortRef& ref : node.inputs) {
        if (ref.node >= 0) ref.node = new_index[ref.node];
      }
      for (int p : predecessors_[order[k]]) ordered[new_index[p]].successors.push_back(k);
      node.predecessor_count = static_cast<int>(predecessors_[order[k]].size());
      node.successors.clear();  // filled as the nodes after this one are placed
      ordered[k] = std::move(node);
    }
    plan_.nodes = std::move(ordered);
  }

  const GraphSource& source_;
  const PluginRegistry& registry_;
  std::vector<Diagnostic>& out_;
  GraphPlan plan_;
  std::map<std::string, int> index_of_;
  std::vector<bool> usable_;  // the node's type is known
  std::vector<std::vector<int>> predecessors_;
};

}  // namespace

GraphPlan validate_graph(const GraphSource& source, const PluginRegistry& registry, std::vector<Diagnostic>& out) {
  return Validator(source, registry, out).run();
}

}  // namespace nfx::detail
