#include "descriptor_reader.hpp"

#include <algorithm>
#include <cstring>
#include <set>

namespace nfx::detail {

namespace {

// Far above any real plugin; a count beyond them is a corrupt descriptor, not a big plugin.
constexpr uint32_t kMaxNodeTypes = 4096;
constexpr uint32_t kMaxPorts = 256;
constexpr uint32_t kMaxParams = 1024;
// The element sizes of SDK 1.0 and 1.1, which did not say them (LP64).
constexpr uint32_t kPortSize10 = 32;
constexpr uint32_t kParamSize10 = 72;
static_assert(sizeof(nfx_port_desc) >= kPortSize10 && sizeof(nfx_param_desc) >= kParamSize10);

bool has_field(const nfx_node_type& t, size_t offset, size_t size) { return t.struct_size >= offset + size; }

uint32_t port_stride(const nfx_node_type& t) {
  const bool said = has_field(t, offsetof(nfx_node_type, port_size), sizeof(t.port_size)) && t.port_size != 0;
  return said ? t.port_size : kPortSize10;
}
uint32_t param_stride(const nfx_node_type& t) {
  const bool said = has_field(t, offsetof(nfx_node_type, param_size), sizeof(t.param_size)) && t.param_size != 0;
  return said ? t.param_size : kParamSize10;
}

// Element i of an array of `stride`-byte elements, as this host's struct: the fields it knows, the rest zero.
template <typename T>
T element(const T* array, uint32_t stride, uint32_t i) {
  T value{};
  std::memcpy(&value, reinterpret_cast<const char*>(array) + static_cast<size_t>(stride) * i,
              std::min<size_t>(stride, sizeof(T)));
  return value;
}

template <typename T>
std::vector<T> elements(const T* array, uint32_t stride, uint32_t count) {
  std::vector<T> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) out.push_back(element(array, stride, i));
  return out;
}

bool valid_name(const char* name) {
  if (name == nullptr || *name == '\0') return false;
  for (const char* c = name; *c; ++c) {
    if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_')) return false;
  }
  return true;
}

// One of NFX_RESERVED_NODE_KEYS ("type|in|...").
bool reserved_node_key(const std::string& name) {
  const std::string keys = std::string("|") + NFX_RESERVED_NODE_KEYS + "|";
  return keys.find("|" + name + "|") != std::string::npos;
}

void check_ports(const std::string& where, const char* what, const std::vector<nfx_port_desc>& ports,
                 std::vector<std::string>& problems) {
  std::set<std::string> seen;
  for (size_t i = 0; i < ports.size(); ++i) {
    if (!valid_name(ports[i].name)) {
      problems.push_back(where + ": " + what + " " + std::to_string(i) + " has no valid name ([a-z0-9_]+)");
    } else if (!seen.insert(ports[i].name).second) {
      problems.push_back(where + ": duplicate " + what + " '" + ports[i].name + "'");
    }
    if (ports[i].kind > NFX_KIND_TEXT) {
      problems.push_back(where + ": " + what + " '" + (ports[i].name ? ports[i].name : "?") + "' has unknown kind " +
                         std::to_string(ports[i].kind));
    }
  }
}

void check_params(const std::string& where, const std::vector<nfx_param_desc>& params,
                  std::vector<std::string>& problems) {
  for (size_t p = 0; p < params.size(); ++p) {
    const nfx_param_desc& param = params[p];
    if (!valid_name(param.name)) {
      problems.push_back(where + ": parameter " + std::to_string(p) + " has an invalid name");
    } else if (reserved_node_key(param.name)) {
      problems.push_back(where + ": parameter '" + param.name + "' has a name the host reserves for node keys (" +
                         NFX_RESERVED_NODE_KEYS + "): a graph could never set it; rename it");
    }
    if (param.type < NFX_PARAM_BOOL || param.type > NFX_PARAM_STRING) {
      problems.push_back(where + ": parameter '" + (param.name ? param.name : "?") + "' has unknown type");
    }
  }
}

// Counts, array pointers and element sizes: what must hold before any element is read.
void check_arrays(const std::string& where, const nfx_node_type& t, std::vector<std::string>& problems) {
  auto check = [&](const char* what, uint32_t count, const void* array, uint32_t limit) {
    if (count > limit) {
      problems.push_back(where + ": " + what + " count is " + std::to_string(count) + ", more than the " +
                         std::to_string(limit) + " a node type may have (a corrupt descriptor?)");
    } else if (count > 0 && array == nullptr) {
      problems.push_back(where + ": " + what + " count is " + std::to_string(count) + " but the array is NULL");
    }
  };
  check("input", t.input_count, t.inputs, kMaxPorts);
  check("output", t.output_count, t.outputs, kMaxPorts);
  check("parameter", t.param_count, t.params, kMaxParams);
  if (port_stride(t) < kPortSize10 || param_stride(t) < kParamSize10) {
    problems.push_back(where + ": port_size " + std::to_string(t.port_size) + " / param_size " +
                       std::to_string(t.param_size) + " are smaller than ABI 1.0's " + std::to_string(kPortSize10) +
                       " / " + std::to_string(kParamSize10) + " bytes");
  }
}

}  // namespace

std::vector<std::string> check_descriptor(const nfx_plugin_descriptor& d) {
  std::vector<std::string> problems;
  if (d.struct_size < sizeof(nfx_plugin_descriptor)) {
    problems.push_back("descriptor is " + std::to_string(d.struct_size) + " bytes, ABI 1 needs " +
                       std::to_string(sizeof(nfx_plugin_descriptor)));
    return problems;
  }
  if (!valid_name(d.name)) problems.push_back("plugin name is missing or not [a-z0-9_]+");
  if (d.version == nullptr) problems.push_back("plugin version is missing");
  if (d.node_type_count > 0 && d.node_types == nullptr) problems.push_back("node type table is NULL");
  if (d.node_type_count > kMaxNodeTypes) {
    problems.push_back("node type count is " + std::to_string(d.node_type_count) + ", more than the " +
                       std::to_string(kMaxNodeTypes) + " a plugin may have (a corrupt descriptor?)");
  }
  if (!problems.empty()) return problems;

  const std::string prefix = std::string(d.name) + ".";
  std::set<std::string> ids;
  for (uint32_t i = 0; i < d.node_type_count; ++i) {
    const nfx_node_type* t = d.node_types[i];
    const std::string where = "node type " + std::to_string(i) + (t && t->id ? " '" + std::string(t->id) + "'" : "");
    if (t == nullptr) {
      problems.push_back(where + " is NULL");
      continue;
    }
    // 1.0 and 1.1 node types end at `extension`; port_size and param_size came in 1.2.
    constexpr size_t kNodeTypeSize10 = offsetof(nfx_node_type, port_size);
    if (t->struct_size < kNodeTypeSize10) {
      problems.push_back(where + ": struct is " + std::to_string(t->struct_size) + " bytes, ABI 1 needs " +
                         std::to_string(kNodeTypeSize10));
      continue;
    }
    if (t->id == nullptr || std::string(t->id).rfind(prefix, 0) != 0 || !valid_name(t->id + prefix.size())) {
      problems.push_back(where + ": id must be '" + prefix + "<name>' with <name> in [a-z0-9_]+");
    } else if (!ids.insert(t->id).second) {
      problems.push_back(where + ": the plugin declares '" + t->id + "' twice");
    }
    if (t->create == nullptr || t->process == nullptr || t->destroy == nullptr) {
      problems.push_back(where + ": create, process and destroy are required");
    }
    const size_t before = problems.size();
    check_arrays(where, *t, problems);
    if (problems.size() != before) continue;
    check_ports(where, "input", elements(t->inputs, port_stride(*t), t->input_count), problems);
    check_ports(where, "output", elements(t->outputs, port_stride(*t), t->output_count), problems);
    check_params(where, elements(t->params, param_stride(*t), t->param_count), problems);
  }
  return problems;
}

void copy_node_type(const nfx_node_type& plugin_type, HostNodeType& copy) {
  std::memcpy(&copy.type, &plugin_type, std::min<size_t>(plugin_type.struct_size, sizeof(nfx_node_type)));
  copy.inputs = elements(plugin_type.inputs, port_stride(plugin_type), plugin_type.input_count);
  copy.outputs = elements(plugin_type.outputs, port_stride(plugin_type), plugin_type.output_count);
  copy.params = elements(plugin_type.params, param_stride(plugin_type), plugin_type.param_count);
  copy.type.struct_size = sizeof(nfx_node_type);
  copy.type.inputs = copy.inputs.data();
  copy.type.outputs = copy.outputs.data();
  copy.type.params = copy.params.data();
  copy.type.port_size = sizeof(nfx_port_desc);
  copy.type.param_size = sizeof(nfx_param_desc);
}

}  // namespace nfx::detail
