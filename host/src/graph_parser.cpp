// TOML graph file -> GraphSource: structure, --set overrides and ${variable} expansion.
#include "graph_source.hpp"

#include <nfx/data_dir.hpp>

#include <toml++/toml.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <sstream>

namespace nfx::detail {

namespace {

constexpr const char* kCommandLine = "<command line>";

SourceLocation location_of(const toml::node& node, const std::string& file) {
  const toml::source_region& r = node.source();
  return SourceLocation{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

SourceLocation location_of(const toml::key& key, const std::string& file) {
  const toml::source_region& r = key.source();
  return SourceLocation{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
}

void report(std::vector<Diagnostic>& out, const SourceLocation& at, std::string message) {
  out.push_back(Diagnostic{at.file, at.line, at.column, std::move(message)});
}

std::string type_name_of(const toml::node& node) {
  std::ostringstream s;
  s << node.type();
  return s.str();
}

class Expander {
 public:
  // A graph's strings are paths and names; past GraphLimits::string_bytes, variables that nest each other
  // have run away (40 doubling variables would reach 2^40 bytes).
  uint64_t max_bytes = GraphLimits{}.string_bytes;

  std::map<std::string, std::string> variables;

  // Replaces ${name} and ${env.NAME}; reports unknown names at `at`.
  std::string expand(const std::string& text, const SourceLocation& at, std::vector<Diagnostic>& out) const {
    std::string result;
    size_t pos = 0;
    while (true) {
      size_t start = text.find("${", pos);
      if (start == std::string::npos) break;
      size_t end = text.find('}', start);
      if (end == std::string::npos) {
        report(out, at, "unterminated '${' in \"" + text + "\"");
        return text;
      }
      result += text.substr(pos, start - pos);
      const std::string name = text.substr(start + 2, end - start - 2);
      if (name.rfind("env.", 0) == 0) {
        const char* value = std::getenv(name.c_str() + 4);
        if (value == nullptr) report(out, at, "environment variable '" + name.substr(4) + "' is not set");
        result += value ? value : "";
      } else if (auto it = variables.find(name); it != variables.end()) {
        if (result.size() + it->second.size() > max_bytes) {
          report(out, at, "expanding \"" + text.substr(0, 80) + (text.size() > 80 ? "..." : "") + "\" gives more than " +
                              byte_size_text(max_bytes) + " of text (variables that repeat each other? the "
                              "limit is GraphLimits::string_bytes, nfx --max-string-bytes)");
          return "";
        }
        result += it->second;
      } else {
        std::string known;
        for (const auto& [k, v] : variables) known += (known.empty() ? "" : ", ") + k;
        report(out, at, "unknown variable '${" + name + "}' (defined: " + known +
                            "; add it under [graph.variables] or pass --set " + name + "=VALUE)");
      }
      pos = end + 1;
    }
    return result + text.substr(pos);
  }
};

// "${name}" and nothing else: its value keeps the variable's type (minutes = "${minutes}" is a number).
bool is_single_variable(const std::string& text) {
  return text.size() > 3 && text.rfind("${", 0) == 0 && text.find('}') == text.size() - 1 &&
         text.rfind("${env.", 0) != 0;
}

RawValue to_raw(const toml::node& node, const Expander& expander, const SourceLocation& at,
                std::vector<Diagnostic>& out);

// A string that reads as a TOML number or boolean becomes one; its text stays for string parameters.
RawValue typed(const RawValue& string_value, const Expander& expander, const SourceLocation& at,
               std::vector<Diagnostic>& out) {
  try {
    const toml::table t = toml::parse("v = " + string_value.text);
    const toml::node& n = *t.get("v");
    if (!n.is_number() && !n.is_boolean()) return string_value;
    RawValue v = to_raw(n, expander, at, out);
    v.source_text = string_value.text;
    return v;
  } catch (const toml::parse_error&) {
    return string_value;
  }
}

RawValue to_raw(const toml::node& node, const Expander& expander, const SourceLocation& at,
                std::vector<Diagnostic>& out) {
  RawValue v;
  v.type_name = type_name_of(node);
  if (auto b = node.as_boolean()) {
    v.type = RawValue::Type::Bool;
    v.boolean = b->get();
  } else if (auto i = node.as_integer()) {
    v.type = RawValue::Type::Int;
    v.integer = i->get();
  } else if (auto f = node.as_floating_point()) {
    v.type = RawValue::Type::Float;
    v.real = f->get();
  } else if (auto s = node.as_string()) {
    v.type = RawValue::Type::String;
    v.text = expander.expand(s->get(), at, out);
    if (is_single_variable(s->get())) v = typed(v, expander, at, out);
  }
  return v;
}

// "--set" value text -> a TOML value where it parses as one (256, 0.5, true, "quoted"), else the text.
RawValue parse_override_value(const std::string& text, const Expander& expander, const SourceLocation& at,
                              std::vector<Diagnostic>& out) {
  RawValue v;
  try {
    toml::table t = toml::parse("v = " + text);
    v = to_raw(*t.get("v"), expander, at, out);
  } catch (const toml::parse_error&) {
    v.type = RawValue::Type::String;
    v.type_name = "string";
    v.text = expander.expand(text, at, out);
  }
  v.source_text = text;
  return v;
}

struct Override {
  std::string node;  // empty: a graph variable
  std::string key;
  std::string value;
  SourceLocation location;
};

// --set NAME=VALUE for a NAME the graph does not declare: name the variables it has and, when nodes have
// a parameter of that name, the NODE.PARAM form that sets it.
void report_unknown_variable(const Override& o, const Expander& expander, const toml::table* nodes,
                             std::vector<Diagnostic>& out) {
  std::string known, nodes_with_it;
  for (const auto& [name, value] : expander.variables) known += (known.empty() ? "" : ", ") + name;
  if (nodes != nullptr) {
    for (auto&& [id, node] : *nodes) {
      const toml::table* t = node.as_table();
      if (t != nullptr && t->contains(o.key)) {
        nodes_with_it += (nodes_with_it.empty() ? "" : " or ") + ("--set " + std::string(id.str()) + "." + o.key + "=" + o.value);
      }
    }
  }
  report(out, o.location, "--set " + o.key + "=" + o.value + ": the graph has no variable '" + o.key +
                              "' (its variables: " + known + ")" +
                              (nodes_with_it.empty() ? "; set a node's parameter with --set NODE.PARAM=VALUE"
                                                     : "; did you mean " + nodes_with_it + "?"));
}

std::vector<Override> split_overrides(const std::vector<std::string>& overrides, std::vector<Diagnostic>& out) {
  std::vector<Override> result;
  for (const std::string& o : overrides) {
    SourceLocation at{kCommandLine, 0, 0};
    at.file = "--set " + o;
    size_t eq = o.find('=');
    if (eq == std::string::npos || eq == 0) {
      report(out, at, "expected NODE.PARAM=VALUE or VARIABLE=VALUE");
      continue;
    }
    std::string key = o.substr(0, eq);
    Override ov;
    ov.value = o.substr(eq + 1);
    ov.location = at;
    size_t dot = key.find('.');
    if (dot == std::string::npos) {
      ov.key = key;
    } else {
      ov.node = key.substr(0, dot);
      ov.key = key.substr(dot + 1);
    }
    if (ov.key.empty() || (dot != std::string::npos && ov.node.empty())) {
      report(out, at, "expected NODE.PARAM=VALUE or VARIABLE=VALUE");
      continue;
    }
    result.push_back(std::move(ov));
  }
  return result;
}

void parse_graph_table(const toml::table& graph, const std::string& file, GraphSource& source, Expander& expander,
                       std::vector<Diagnostic>& out) {
  for (auto&& [key, value] : graph) {
    const std::string k(key.str());
    const SourceLocation at = location_of(key, file);
    if (k == "name" || k == "description") {
      if (!value.is_string()) {
        report(out, location_of(value, file), "graph." + k + " must be a string");
        continue;
      }
      (k == "name" ? source.name : source.description) = *value.value<std::string>();
    } else if (k == "threads") {
      const auto threads = value.value<int64_t>();
      if (!value.is_integer() || !threads || *threads < 1 || *threads > 4096) {
        report(out, location_of(value, file), "graph.threads must be a whole number from 1 to 4096");
        continue;
      }
      source.threads = static_cast<int>(*threads);
    } else if (k == "max_tensor_bytes") {
      const auto bytes = value.value<int64_t>();
      if (!value.is_integer() || !bytes || *bytes < 1) {
        report(out, location_of(value, file), "graph.max_tensor_bytes must be a whole number of bytes, at least 1");
        continue;
      }
      source.max_tensor_bytes = static_cast<uint64_t>(*bytes);
    } else if (k == "variables") {
      const toml::table* vars = value.as_table();
      if (vars == nullptr) {
        report(out, at, "graph.variables must be a table of strings");
        continue;
      }
      for (auto&& [vk, vv] : *vars) {
        if (!vv.is_string() && !vv.is_integer() && !vv.is_floating_point() && !vv.is_boolean()) {
          report(out, location_of(vv, file), "variable '" + std::string(vk.str()) + "' must be a string or a number");
          continue;
        }
        std::string text;
        if (auto str = vv.as_string()) text = str->get();
        else if (auto i = vv.as_integer()) text = std::to_string(i->get());
        else if (auto f = vv.as_floating_point()) { std::ostringstream s; s << f->get(); text = s.str(); }
        else text = vv.as_boolean()->get() ? "true" : "false";
        expander.variables[std::string(vk.str())] = expander.expand(text, location_of(vv, file), out);
      }
    } else if (k == "requires") {
      const toml::table* reqs = value.as_table();
      if (reqs == nullptr) {
        report(out, at, "graph.requires must be a table: plugin = \"minimum version\"");
        continue;
      }
      for (auto&& [rk, rv] : *reqs) {
        if (!rv.is_string()) {
          report(out, location_of(rv, file), "graph.requires." + std::string(rk.str()) + " must be a version string");
          continue;
        }
        source.requires_plugins.push_back({std::string(rk.str()), *rv.value<std::string>(), location_of(rv, file)});
      }
    } else {
      report(out, at, "unknown key 'graph." + k + "' (expected name, description, threads, max_tensor_bytes, variables, requires)");
    }
  }
}

// The node keys that are not parameters but ask the host to use an extension: invert = true runs the
// inverse (nfx.invertible.v1), state = "file" keeps the node's learned state (nfx.trainable.v1).
void set_extension_key(RawNode& node, const std::string& name, const RawValue& value, const SourceLocation& at,
                       std::vector<Diagnostic>& out) {
  if (name == "invert") {
    if (value.type != RawValue::Type::Bool) {
      report(out, at, "node '" + node.id + "': 'invert' must be true or false, got " + value.type_name);
      return;
    }
    node.invert = value.boolean;
    node.invert_location = at;
    return;
  }
  const bool is_text = value.type == RawValue::Type::String || !value.source_text.empty();
  if (!is_text) {
    report(out, at, "node '" + node.id + "': 'state' must be a file path string, got " + value.type_name);
    return;
  }
  node.state = value.type == RawValue::Type::String ? value.text : value.source_text;
  node.state_location = at;
}

// on_error = "stop" (the default: the first error ends the run) or "skip" (the item is dropped with a
// logged error and the other items go on).
void set_on_error(RawNode& node, const RawValue& value, const SourceLocation& at, std::vector<Diagnostic>& out) {
  const std::string text = value.type == RawValue::Type::String ? value.text : value.source_text;
  if (text != "stop" && text != "skip") {
    report(out, at, "node '" + node.id + "': 'on_error' must be \"stop\" or \"skip\"");
    return;
  }
  node.skip_errors = text == "skip";
}

RawNode parse_node(const toml::key& key, const toml::table& table, const std::string& file,
                   const Expander& expander, std::vector<Diagnostic>& out) {
  RawNode node;
  node.id = std::string(key.str());
  node.location = location_of(key, file);
  bool has_type = false;
  for (auto&& [k, value] : table) {
    const std::string name(k.str());
    const SourceLocation at = location_of(value, file);
    if (name == "type") {
      has_type = true;
      if (!value.is_string()) {
        report(out, at, "node '" + node.id + "': 'type' must be a string such as \"io.read_images\"");
        continue;
      }
      node.type = *value.value<std::string>();
      node.type_location = at;
    } else if (name == "in") {
      const toml::table* inputs = value.as_table();
      if (inputs == nullptr) {
        report(out, at, "node '" + node.id + "': 'in' must be a table of port = \"node.port\"");
        continue;
      }
      for (auto&& [port, from] : *inputs) {
        const SourceLocation from_at = location_of(from, file);
        if (!from.is_string()) {
          report(out, from_at, "node '" + node.id + "' input '" + std::string(port.str()) +
                                   "': expected a string \"node.port\", got " + type_name_of(from));
          continue;
        }
        node.inputs.push_back({std::string(port.str()), *from.value<std::string>(), from_at});
      }
    } else if (name == "invert" || name == "state") {
      set_extension_key(node, name, to_raw(value, expander, at, out), at, out);
    } else if (name == "on_error") {
      set_on_error(node, to_raw(value, expander, at, out), at, out);
    } else {
      node.params.push_back({name, to_raw(value, expander, at, out), at});
    }
  }
  if (!has_type) report(out, node.location, "node '" + node.id + "': missing 'type'");
  return node;
}

// ${graph_dir}: the folder of the graph file, so that a graph names the files beside it whatever folder nfx
// runs in; the current folder for a graph given as text.
std::string graph_folder(const std::string& file) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) return std::filesystem::current_path(ec).string();
  return std::filesystem::absolute(file, ec).parent_path().string();
}

}  // namespace

GraphSource parse_graph_source(const std::string& text, const std::string& file,
                               const std::vector<std::string>& overrides, std::vector<Diagnostic>& out,
                               uint64_t max_string_bytes) {
  GraphSource source;
  source.file = file;
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const toml::source_region& r = e.source();
    out.push_back(Diagnostic{file, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column),
                             "TOML syntax error: " + std::string(e.description())});
    return source;
  }

  std::vector<Override> parsed_overrides = split_overrides(overrides, out);
  Expander expander;
  expander.max_bytes = max_string_bytes;
  expander.variables["data"] = nfx::default_data_dir();
  expander.variables["graph_dir"] = graph_folder(file);

  for (auto&& [key, value] : root) {
    const std::string k(key.str());
    if (k == "graph") {
      if (const toml::table* g = value.as_table()) parse_graph_table(*g, file, source, expander, out);
      else report(out, location_of(key, file), "'graph' must be a table");
    } else if (k != "nodes") {
      report(out, location_of(key, file), "unknown top-level key '" + k + "' (expected [graph] and [nodes.*])");
    }
  }
  // Variables given on the command line win over the file's defaults, and are known before any
  // node string is expanded.
  const toml::node* nodes_node = root.get("nodes");
  const toml::table* nodes = nodes_node ? nodes_node->as_table() : nullptr;
  for (const Override& o : parsed_overrides) {
    if (!o.node.empty()) continue;
    // A variable is set if the file declares it or uses it as ${name}; any other name is a typo, which
    // must not run the graph on its defaults.
    if (expander.variables.count(o.key) == 0 && text.find("${" + o.key + "}") == std::string::npos) {
      report_unknown_variable(o, expander, nodes, out);
      continue;
    }
    expander.variables[o.key] = expander.expand(o.value, o.location, out);
  }

  if (nodes == nullptr) {
    report(out, nodes_node ? location_of(*nodes_node, file) : SourceLocation{file, 1, 1},
           "the graph has no nodes: add tables [nodes.<id>] with a 'type'");
    return source;
  }
  for (auto&& [key, value] : *nodes) {
    const toml::table* table = value.as_table();
    if (table == nullptr) {
      report(out, location_of(key, file), "'nodes." + std::string(key.str()) + "' must be a table");
      continue;
    }
    source.nodes.push_back(parse_node(key, *table, file, expander, out));
  }
  // toml::table is ordered by key; report and run in the order the file was written.
  std::stable_sort(source.nodes.begin(), source.nodes.end(), [](const RawNode& a, const RawNode& b) {
    return std::make_pair(a.location.line, a.location.column) < std::make_pair(b.location.line, b.location.column);
  });

  for (const Override& o : parsed_overrides) {
    if (o.node.empty()) continue;
    auto it = std::find_if(source.nodes.begin(), source.nodes.end(), [&](const RawNode& n) { return n.id == o.node; });
    if (it == source.nodes.end()) {
      report(out, o.location, "no node '" + o.node + "' in " + file);
      continue;
    }
    if (o.key == "type" || o.key == "in" || o.key.rfind("in.", 0) == 0) {
      report(out, o.location, "--set changes parameters only, not 'type' or inputs");
      continue;
    }
    RawValue value = parse_override_value(o.value, expander, o.location, out);
    if (o.key == "invert" || o.key == "state") {
      set_extension_key(*it, o.key, value, o.location, out);
      continue;
    }
    if (o.key == "on_error") {
      set_on_error(*it, value, o.location, out);
      continue;
    }
    auto param = std::find_if(it->params.begin(), it->params.end(), [&](const RawParam& p) { return p.name == o.key; });
    if (param != it->params.end()) {
      param->value = value;
      param->location = o.location;
    } else {
      it->params.push_back({o.key, value, o.location});
    }
  }
  return source;
}

}  // namespace nfx::detail
