// The plugins a host has loaded and the node types they declare.
#pragma once

#include "descriptor_reader.hpp"
#include "plugin_scan.hpp"

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
  // Libraries are tried by `scanner` before they are loaded here (none set: loaded directly, as the
  // scanner itself does). `log` hears which libraries were tried.
  void set_scanner(std::unique_ptr<PluginScanner> scanner, LogFn log);

  // Loads one library and registers its node types; returns the reasons it was refused (empty = loaded
  // or already loaded). Nothing of a refused library is registered.
  std::vector<PluginLoadError> load_library(const std::string& path);
  // Registers a descriptor that lives in the host itself.
  void add_builtin(const nfx_plugin_descriptor* descriptor);

  const NodeTypeEntry* find(const std::string& id) const;
  std::vector<PluginInfo> plugins() const;
  // The libraries refused because they declare the loaded plugin `name` too ("path (version)"), other
  // than byte-identical copies: a graph that uses that plugin is ambiguous.
  std::vector<std::string> shadowed(const std::string& name) const;
  std::vector<std::string> node_type_ids() const;

 private:
  std::vector<PluginLoadError> add(const nfx_plugin_descriptor* descriptor, const std::string& path);

  std::unique_ptr<PluginScanner> scanner_;
  LogFn log_;
  mutable std::mutex mutex_;
  std::set<std::string> loaded_paths_;
  std::vector<PluginInfo> plugins_;
  std::map<std::string, std::vector<std::string>> shadowed_;
  std::map<std::string, NodeTypeEntry> types_;
  std::deque<HostNodeType> node_types_;  // deque: entries keep their address as plugins are added
};

}  // namespace nfx::detail
