// The plugins a host has loaded and the node types they declare.
#pragma once

#include "descriptor_reader.hpp"

#include <nfx/host.hpp>

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace nfx::detail {

struct NodeTypeEntry {
  const nfx_node_type* type = nullptr;  // the host's copy (HostNodeType), in this host's layout
  std::string plugin;  // plugin name
  std::string path;    // library file, empty for built-ins
};

class PluginRegistry {
 public:
  // Loads one library and registers its node types; returns the reasons it was refused (empty = loaded
  // or already loaded). Nothing of a refused library is registered.
  std::vector<PluginLoadError> load_library(const std::string& path);
  // Registers a descriptor that lives in the host itself.
  void add_builtin(const nfx_plugin_descriptor* descriptor);

  const NodeTypeEntry* find(const std::string& id) const;
  std::vector<PluginInfo> plugins() const;
  std::vector<std::string> node_type_ids() const;

 private:
  std::vector<PluginLoadError> add(const nfx_plugin_descriptor* descriptor, const std::string& path);

  mutable std::mutex mutex_;
  std::set<std::string> loaded_paths_;
  std::vector<PluginInfo> plugins_;
  std::map<std::string, NodeTypeEntry> types_;
  std::deque<HostNodeType> node_types_;  // deque: entries keep their address as plugins are added
};

}  // namespace nfx::detail
