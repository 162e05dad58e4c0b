// Loading plugin libraries with Boost.DLL and refusing the ones the host cannot use safely.
#include "plugin_registry.hpp"

#include "host_api.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <filesystem>

namespace nfx::detail {

namespace {

// Libraries are never unloaded: LibTorch and CUDA cannot be unloaded safely, and a node's tensors may
// outlive the host that created them. This list is deliberately leaked.
std::vector<boost::dll::shared_library>& resident_libraries() {
  static auto* libraries = new std::vector<boost::dll::shared_library>();
  return *libraries;
}
std::mutex& resident_mutex() {
  static auto* m = new std::mutex();
  return *m;
}

std::string abi_string(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
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

void check_ports(const std::string& where, const char* what, uint32_t count, const nfx_port_desc* ports,
                 std::vector<std::string>& problems) {
  if (count > 0 && ports == nullptr) {
    problems.push_back(where + ": " + what + " count is " + std::to_string(count) + " but the array is NULL");
    return;
  }
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
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
  if (!problems.empty()) return problems;

  const std::string prefix = std::string(d.name) + ".";
  for (uint32_t i = 0; i < d.node_type_count; ++i) {
    const nfx_node_type* t = d.node_types[i];
    const std::string where = "node type " + std::to_string(i) + (t && t->id ? " '" + std::string(t->id) + "'" : "");
    if (t == nullptr) {
      problems.push_back(where + " is NULL");
      continue;
    }
    if (t->struct_size < sizeof(nfx_node_type)) {
      problems.push_back(where + ": struct is " + std::to_string(t->struct_size) + " bytes, ABI 1 needs " +
                         std::to_string(sizeof(nfx_node_type)));
      continue;
    }
    if (t->id == nullptr || std::string(t->id).rfind(prefix, 0) != 0 || !valid_name(t->id + prefix.size())) {
      problems.push_back(where + ": id must be '" + prefix + "<name>' with <name> in [a-z0-9_]+");
    }
    if (t->create == nullptr || t->process == nullptr || t->destroy == nullptr) {
      problems.push_back(where + ": create, process and destroy are required");
    }
    check_ports(where, "input", t->input_count, t->inputs, problems);
    check_ports(where, "output", t->output_count, t->outputs, problems);
    if (t->param_count > 0 && t->params == nullptr) problems.push_back(where + ": parameter array is NULL");
    for (uint32_t p = 0; p < t->param_count && t->params; ++p) {
      const nfx_param_desc& param = t->params[p];
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
  return problems;
}

std::vector<PluginLoadError> PluginRegistry::load_library(const std::string& path) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  const std::string key = ec ? path : canonical.string();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (loaded_paths_.count(key)) return {};
  }

  boost::dll::shared_library library;
  try {
    library.load(key, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    return {{path, "cannot load library: " + std::string(e.what())}};
  }
  if (!library.has(NFX_PLUGIN_ENTRY_SYMBOL)) {
    return {{path, "not an nfx plugin: it does not export '" NFX_PLUGIN_ENTRY_SYMBOL "'"}};
  }
  const nfx_plugin_descriptor* descriptor = library.get<const nfx_plugin_descriptor*()>(NFX_PLUGIN_ENTRY_SYMBOL)();
  if (descriptor == nullptr) return {{path, NFX_PLUGIN_ENTRY_SYMBOL "() returned NULL"}};
  if (descriptor->abi_major != NFX_ABI_MAJOR) {
    return {{path, "built for nfx ABI " + abi_string(descriptor->abi_major, descriptor->abi_minor) +
                       " but this host has ABI " + abi_string(NFX_ABI_MAJOR, NFX_ABI_MINOR) +
                       " (the major versions must match); rebuild the plugin against this SDK"}};
  }
  std::vector<PluginLoadError> errors = add(descriptor, path);
  if (errors.empty()) {
    std::lock_guard<std::mutex> lock(resident_mutex());
    resident_libraries().push_back(std::move(library));
  }
  // A refused library is not kept: nothing of it was registered, so nothing can point into it. It may
  // still not unload (the loader decides), which is harmless.
  std::lock_guard<std::mutex> lock(mutex_);
  if (errors.empty()) loaded_paths_.insert(key);
  return errors;
}

void PluginRegistry::add_builtin(const nfx_plugin_descriptor* descriptor) { add(descriptor, ""); }

std::vector<PluginLoadError> PluginRegistry::add(const nfx_plugin_descriptor* d, const std::string& path) {
  std::vector<PluginLoadError> errors;
  for (const std::string& problem : check_descriptor(*d)) errors.push_back({path, problem});
  if (!errors.empty()) return errors;

  std::lock_guard<std::mutex> lock(mutex_);
  for (uint32_t i = 0; i < d->node_type_count; ++i) {
    auto it = types_.find(d->node_types[i]->id);
    if (it != types_.end()) {
      errors.push_back({path, "node type '" + it->first + "' is already provided by plugin '" + it->second.plugin +
                                  "' (" + (it->second.path.empty() ? "built into the host" : it->second.path) + ")"});
    }
  }
  if (!errors.empty()) return errors;
  for (const PluginInfo& p : plugins_) {
    if (p.name == d->name) {
      errors.push_back({path, "plugin '" + p.name + "' " + d->version + " collides with plugin '" + p.name + "' " +
                                  p.version + " already loaded from " + (p.path.empty() ? "the host" : p.path)});
      return errors;
    }
  }

  if (d->init != nullptr) {
    nfx_status status = d->init(host_api_table());
    if (status != NFX_OK) {
      errors.push_back({path, "init failed with status " + std::to_string(status)});
      return errors;
    }
  }
  PluginInfo info;
  info.path = path;
  info.name = d->name;
  info.version = d->version;
  info.doc = d->doc ? d->doc : "";
  info.abi_major = d->abi_major;
  info.abi_minor = d->abi_minor;
  for (uint32_t i = 0; i < d->node_type_count; ++i) {
    const nfx_node_type* t = d->node_types[i];
    types_[t->id] = NodeTypeEntry{t, info.name, path};
    info.node_types.push_back(t->id);
  }
  plugins_.push_back(std::move(info));
  return errors;
}

const NodeTypeEntry* PluginRegistry::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<PluginInfo> PluginRegistry::plugins() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return plugins_;
}

std::vector<std::string> PluginRegistry::node_type_ids() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, entry] : types_) ids.push_back(id);
  return ids;
}

}  // namespace nfx::detail
