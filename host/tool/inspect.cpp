#include "inspect.hpp"

#include <nfx/nfx.hpp>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace nfx::tool {

namespace {

void print_ports(const char* title, uint32_t count, const nfx_port_desc* ports) {
  std::printf("%s:\n", title);
  if (count == 0) std::printf("  (none)\n");
  for (uint32_t i = 0; i < count; ++i) {
    const nfx_port_desc& p = ports[i];
    std::string type = nfx::kind_name(p.kind);
    if (p.dtypes) type += " " + nfx::dtype_names(p.dtypes);
    if (p.rank >= 0) type += " rank " + std::to_string(p.rank);
    if (p.flags & NFX_PORT_OPTIONAL) type += " (optional)";
    std::printf("  %-12s %-28s %s\n", p.name, type.c_str(), p.doc ? p.doc : "");
  }
}

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

void print_params(uint32_t count, const nfx_param_desc* params) {
  std::printf("parameters:\n");
  if (count == 0) std::printf("  (none)\n");
  int width = 12;
  for (uint32_t i = 0; i < count; ++i) width = std::max(width, static_cast<int>(std::strlen(params[i].name)));
  for (uint32_t i = 0; i < count; ++i) {
    const nfx_param_desc& p = params[i];
    std::string type, value;
    switch (p.type) {
      case NFX_PARAM_BOOL: type = "bool"; value = p.default_int ? "true" : "false"; break;
      case NFX_PARAM_INT: type = "int"; value = std::to_string(p.default_int); break;
      case NFX_PARAM_FLOAT: type = "float"; value = number(p.default_float); break;
      default: type = "string"; value = std::string("\"") + (p.default_string ? p.default_string : "") + "\""; break;
    }
    std::string extra = (p.flags & NFX_PARAM_REQUIRED) ? "required" : "default " + value;
    if (p.min <= p.max) extra += ", range [" + number(p.min) + ", " + number(p.max) + "]";
    if (p.choices) extra += ", one of " + std::string(p.choices);
    std::printf("  %-*s %-7s %s\n  %-*s         %s\n", width, p.name, type.c_str(), p.doc ? p.doc : "", width, "",
                extra.c_str());
  }
}

void print_facts(const NodeDescription& d) {
  size_t width = 0;
  for (const auto& [key, value] : d.facts) width = std::max(width, key.size());
  for (const auto& [key, value] : d.facts) {
    std::printf("  %-*s  %s\n", static_cast<int>(width), key.c_str(), value.c_str());
  }
}

bool describable(const nfx_node_type& t) { return t.extension != nullptr && t.extension(NFX_EXT_DESCRIBABLE) != nullptr; }

// A graph of one node of type `t` (id "node") whose required inputs come from host.input nodes, so the
// host's own parser checks and fills in its parameters.
std::string one_node_graph(const nfx_node_type& t) {
  std::string inputs, node = "[nodes.node]\ntype = \"" + std::string(t.id) + "\"\n";
  for (uint32_t i = 0; i < t.input_count; ++i) {
    const nfx_port_desc& p = t.inputs[i];
    if (p.flags & NFX_PORT_OPTIONAL) continue;
    const std::string kind = p.kind == NFX_KIND_ANY ? "tensor" : nfx::kind_name(p.kind);
    inputs += "[nodes.in_" + std::string(p.name) + "]\ntype = \"host.input\"\nkind = \"" + kind + "\"\n";
    node += "in." + std::string(p.name) + " = \"in_" + p.name + ".value\"\n";
  }
  return inputs + node;
}

}  // namespace

int inspect_type(Host& host, const std::string& type_id, const std::vector<std::string>& params) {
  const nfx_node_type* t = host.node_type(type_id);
  if (t == nullptr) {
    std::fprintf(stderr, "nfx: unknown node type '%s'; `nfx plugins` lists the loaded ones\n", type_id.c_str());
    return 1;
  }
  std::printf("%s\n  %s\n", t->id, t->doc ? t->doc : "");
  std::string flags = (t->flags & NFX_NODE_ORDERED) ? "ordered (one item at a time, in order)"
                      : (t->flags & NFX_NODE_REENTRANT) ? "reentrant (items run concurrently)"
                                                        : "one item at a time";
  if (t->extension && t->extension(NFX_EXT_INVERTIBLE)) flags += ", invertible";
  if (t->extension && t->extension(NFX_EXT_TRAINABLE)) flags += ", trainable";
  if (describable(*t)) flags += ", describable";
  std::printf("  %s%s\n", t->input_count == 0 ? "source, " : "", flags.c_str());
  print_ports("inputs", t->input_count, t->inputs);
  print_ports("outputs", t->output_count, t->outputs);
  print_params(t->param_count, t->params);
  if (!describable(*t)) {
    if (params.empty()) return 0;
    std::fprintf(stderr, "nfx: %s does not describe its instances, so --set has nothing to show\n", t->id);
    return 1;
  }

  std::string missing;  // required parameters --set does not give: the instance cannot be created
  for (uint32_t i = 0; i < t->param_count; ++i) {
    const std::string name = t->params[i].name;
    const bool given = std::any_of(params.begin(), params.end(), [&](const std::string& p) { return p.rfind(name + "=", 0) == 0; });
    if ((t->params[i].flags & NFX_PARAM_REQUIRED) && !given) missing += (missing.empty() ? "" : ", ") + name;
  }
  if (!missing.empty() && params.empty()) {
    std::printf("instance: give its required parameters (%s) with --set PARAM=VALUE to see what it reports\n", missing.c_str());
    return 0;
  }
  std::vector<std::string> overrides;
  for (const std::string& p : params) overrides.push_back("node." + p);
  std::string with = "defaults";
  for (const std::string& p : params) with += ", " + p;
  std::printf("instance (%s):\n", with.c_str());
  try {
    Graph g = host.parse_graph(one_node_graph(*t), "--set", overrides);
    for (const NodeDescription& d : g.describe()) {
      if (d.node == "node") print_facts(d);
    }
    return 0;
  } catch (const GraphError& e) {
    for (const Diagnostic& d : e.diagnostics()) std::fprintf(stderr, "nfx: %s\n", d.message.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nfx: %s\n", e.what());
  }
  std::printf("  (not created; give its parameters with --set PARAM=VALUE)\n");
  return params.empty() ? 0 : 1;  // asked for explicitly: a failure
}

int inspect_graph(Host& host, const std::string& graph_file, const std::vector<std::string>& overrides) {
  Graph g = host.load_graph(graph_file, overrides);
  for (const NodeDescription& d : g.describe()) {
    std::printf("%s (%s)%s\n", d.node.c_str(), d.type.c_str(), d.describable ? "" : ": does not describe itself");
    print_facts(d);
  }
  return 0;
}

}  // namespace nfx::tool
