// Loading plugin libraries with Boost.DLL and refusing the ones the host cannot use safely.
#include "plugin_registry.hpp"

#include "host_api.hpp"
#include "plugin_call.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/shared_library.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>

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

bool same_contents(const std::string& a, const std::string& b) {
  std::error_code ec_a, ec_b;
  if (std::filesystem::file_size(a, ec_a) != std::filesystem::file_size(b, ec_b) || ec_a || ec_b) return false;
  std::ifstream in_a(a, std::ios::binary), in_b(b, std::ios::binary);
  return std::equal(std::istreambuf_iterator<char>(in_a), std::istreambuf_iterator<char>(),
                    std::istreambuf_iterator<char>(in_b), std::istreambuf_iterator<char>());
}

std::string abi_string(uint32_t major, uint32_t minor) {
  return std::to_string(major) + "." + std::to_string(minor);
}

}  // namespace

void PluginRegistry::set_scanner(std::unique_ptr<PluginScanner> scanner, LogFn log) {
  scanner_ = std::move(scanner);
  log_ = std::move(log);
}

std::vector<PluginLoadError> PluginRegistry::load_library(const std::string& path) {
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(path, ec);
  const std::string key = ec ? path : canonical.string();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (loaded_paths_.count(key)) return {};
  }
  if (scanner_ != nullptr) {
    const ScanVerdict verdict = scanner_->scan(key);
    if (verdict.spawned && log_) {
      log_(NFX_LOG_DEBUG, "", "tried " + key + " in nfx-plugin-scanner: " + (verdict.refusals.empty() ? "usable" : "refused"));
    }
    std::vector<PluginLoadError> refusals;
    for (const std::string& r : verdict.refusals) refusals.push_back({path, r});
    if (!refusals.empty()) return refusals;
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
  const nfx_plugin_descriptor* descriptor = nullptr;
  try {
    descriptor = library.get<const nfx_plugin_descriptor*()>(NFX_PLUGIN_ENTRY_SYMBOL)();
  } catch (...) {
    return {{path, NFX_PLUGIN_ENTRY_SYMBOL "(): " + escaped_exception_message()}};
  }
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
  const PluginInfo* same_name = nullptr;
  for (const PluginInfo& p : plugins_) {
    if (p.name == d->name) same_name = &p;
  }
  if (same_name != nullptr && !same_name->path.empty() && same_contents(same_name->path, path)) {
    return errors;  // a copy of a loaded library, found again elsewhere on the path: nothing to say
  }
  for (uint32_t i = 0; i < d->node_type_count; ++i) {
    auto it = types_.find(d->node_types[i]->id);
    if (it != types_.end()) {
      errors.push_back({path, "node type '" + it->first + "' is already provided by plugin '" + it->second.plugin +
                                  "' (" + (it->second.path.empty() ? "built into the host" : it->second.path) + ")"});
    }
  }
  if (same_name != nullptr) {
    errors.push_back({path, "plugin '" + same_name->name + "' " + d->version + " collides with plugin '" +
                                same_name->name + "' " + same_name->version + " already loaded from " +
                                (same_name->path.empty() ? "the host" : same_name->path) +
                                "; graphs that use it are refused until only one is on the plugin path"});
    shadowed_[same_name->name].push_back(path + " (" + d->version + ")");
  }
  if (!errors.empty()) return errors;

  if (d->init != nullptr) {
    nfx_status status = NFX_ERR_INTERNAL;
    std::string escaped;
    try {
      status = d->init(host_api_table());
    } catch (...) {
      escaped = ": " + escaped_exception_message();
    }
    if (status != NFX_OK) {
      errors.push_back({path, "init failed with status " + std::to_string(status) + escaped});
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
    HostNodeType& copy = node_types_.emplace_back();
    copy_node_type(*d->node_types[i], copy);
    types_[copy.type.id] = NodeTypeEntry{&copy.type, info.name, path};
    info.node_types.push_back(copy.type.id);
  }
  plugins_.push_back(std::move(info));
  return errors;
}

const NodeTypeEntry* PluginRegistry::find(const std::string& id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = types_.find(id);
  return it == types_.end() ? nullptr : &it->second;
}

std::vector<std::string> PluginRegistry::shadowed(const std::string& name) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = shadowed_.find(name);
  return it == shadowed_.end() ? std::vector<std::string>{} : it->second;
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
