// Host and Graph: the C++ embedding API, wiring the registry, the graph loader and the scheduler.
#include "builtin_nodes.hpp"
#include "graph_source.hpp"
#include "plugin_registry.hpp"
#include "scheduler.hpp"

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/runtime_symbol_info.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <sstream>

namespace nfx {

namespace fs = std::filesystem;

struct HostState {
  HostOptions options;
  detail::PluginRegistry registry;
  std::atomic<bool> cancel{false};
  std::mutex mutex;  // guards options.plugin_paths
};

struct GraphState {
  std::shared_ptr<HostState> host;
  detail::GraphPlan plan;
  std::map<std::string, std::deque<Value>> feeds;
  std::mutex run_mutex;  // one run at a time
  bool left_behind = false;  // a run left an item running past its grace period: it still reads this state
};

namespace {

void default_log(nfx_log_level level, const std::string& source, const std::string& message) {
  if (level < NFX_LOG_WARNING) return;
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  std::cerr << "nfx: " << (level >= NFX_LOG_ERROR ? "error: " : "warning: ")
            << (source.empty() ? "" : "[" + source + "] ") << message << "\n";
}

// <libdir>/nfx/plugins next to the libnfx_host that holds this code (build tree and install tree alike).
std::string install_plugin_dir() {
  std::error_code ec;
  fs::path library = boost::dll::this_line_location(ec);
  if (ec) return "";
  return (library.parent_path() / "nfx" / "plugins").string();
}

std::vector<std::string> plugin_files(const std::string& directory) {
  std::vector<std::string> files;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(directory, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("nfx_", 0) == 0 && entry.path().extension() == ".so" && entry.is_regular_file(ec)) {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

std::vector<std::string> plugin_search_path(const HostOptions& options) {
  std::vector<std::string> dirs = options.plugin_paths;
  if (options.use_env_path) {
    if (const char* env = std::getenv("NFX_PLUGIN_PATH")) {
      std::stringstream s(env);
      for (std::string dir; std::getline(s, dir, ':');) {
        if (!dir.empty()) dirs.push_back(dir);
      }
    }
  }
  if (options.use_install_dir) {
    std::string dir = install_plugin_dir();
    if (!dir.empty()) dirs.push_back(dir);
  }
  return dirs;
}

// ---- Host ------------------------------------------------------------------------------------------

Host::Host(HostOptions options) : state_(std::make_shared<HostState>()) {
  if (!options.log) options.log = &default_log;
  state_->options = std::move(options);
  state_->registry.add_builtin(detail::builtin_plugin());
  const HostOptions& o = state_->options;
  if (o.scan_plugins) {
    detail::ScanSettings scan;
    scan.scanner = detail::default_scanner_path();
    scan.cache_file = o.scan_cache == "none" ? "" : o.scan_cache.empty() ? detail::default_scan_cache_file() : o.scan_cache;
    scan.timeout_seconds = o.scan_timeout_seconds;
    if (scan.scanner.empty()) {
      o.log(NFX_LOG_WARNING, "", "nfx-plugin-scanner was not found next to libnfx_host (nor set in NFX_PLUGIN_SCANNER): "
                                 "plugins are loaded without being tried in a child process first");
    } else {
      state_->registry.set_scanner(std::make_unique<detail::PluginScanner>(scan), o.log);
    }
  }
}

Host::~Host() = default;

void Host::add_plugin_path(const std::string& directory) {
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->options.plugin_paths.push_back(directory);
}

std::vector<PluginLoadError> Host::load_plugins() {
  HostOptions options;
  {
    std::lock_guard<std::mutex> lock(state_->mutex);
    options = state_->options;
  }
  std::vector<PluginLoadError> errors;
  for (const std::string& dir : plugin_search_path(options)) {
    for (const std::string& file : plugin_files(dir)) {
      for (PluginLoadError& e : state_->registry.load_library(file)) errors.push_back(std::move(e));
    }
  }
  return errors;
}

std::vector<PluginLoadError> Host::load_plugin(const std::string& path) {
  if (!fs::exists(path)) return {{path, "no such file"}};
  return state_->registry.load_library(path);
}

std::vector<PluginInfo> Host::plugins() const { return state_->registry.plugins(); }

const nfx_node_type* Host::node_type(const std::string& id) const {
  const detail::NodeTypeEntry* entry = state_->registry.find(id);
  return entry ? entry->type : nullptr;
}

std::vector<std::string> Host::node_type_ids() const { return state_->registry.node_type_ids(); }

Graph Host::load_graph(const std::string& path, const std::vector<std::string>& overrides) {
  // Graphs are a few kilobytes; reading stops past the limit, so /dev/zero or a video given by mistake
  // costs nothing.
  const uint64_t limit = state_->options.graph_limits.file_bytes;
  const auto max_bytes = static_cast<std::streamsize>(std::min<uint64_t>(limit, uint64_t{1} << 40));
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    throw GraphError({Diagnostic{path, 0, 0, "is a folder, not a graph file (give the .toml file inside it)"}});
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw GraphError({Diagnostic{path, 0, 0, "cannot open the graph file"}});
  std::string text;
  char buffer[65536];
  while (in && static_cast<std::streamsize>(text.size()) <= max_bytes) {
    in.read(buffer, sizeof buffer);
    text.append(buffer, static_cast<size_t>(in.gcount()));
  }
  if (static_cast<std::streamsize>(text.size()) > max_bytes) {
    throw GraphError({Diagnostic{path, 0, 0, "is larger than " + detail::byte_size_text(limit) + ": not a graph file? (the limit is "
                                                 "GraphLimits::file_bytes, nfx --max-graph-bytes)"}});
  }
  return parse_graph(text, path, overrides);
}

Graph Host::parse_graph(const std::string& toml_text, const std::string& source_name,
                        const std::vector<std::string>& overrides) {
  std::vector<Diagnostic> diagnostics;
  detail::GraphSource source = detail::parse_graph_source(toml_text, source_name, overrides, diagnostics,
                                                          state_->options.graph_limits.string_bytes);
  detail::GraphPlan plan;
  if (!source.nodes.empty()) plan = detail::validate_graph(source, state_->registry, diagnostics);
  if (!diagnostics.empty()) {
    // File order; command-line problems (line 0) first.
    std::stable_sort(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
      return std::make_pair(a.line, a.column) < std::make_pair(b.line, b.column);
    });
    throw GraphError(std::move(diagnostics));
  }
  auto state = std::make_unique<GraphState>();
  state->host = state_;
  state->plan = std::move(plan);
  if (state->plan.name.empty()) state->plan.name = fs::path(source_name).stem().string();
  return Graph(std::move(state));
}

void Host::cancel() { state_->cancel.store(true); }
void Host::reset_cancel() { state_->cancel.store(false); }
std::atomic<bool>& Host::cancel_flag() { return state_->cancel; }

// ---- Graph -----------------------------------------------------------------------------------------

namespace {

// Keeps what a run that left items running still uses (its RunState, its graph's state) for the life of
// the process: never freed, not even at exit, and reachable, so LeakSanitizer does not report it.
void keep_forever(std::shared_ptr<void> state) {
  static std::mutex mutex;
  static auto* kept = new std::vector<std::shared_ptr<void>>();
  std::lock_guard<std::mutex> lock(mutex);
  kept->push_back(std::move(state));
}

// A graph's state is freed with the graph, unless an item of one of its runs still runs.
void dispose(std::unique_ptr<GraphState>& state) {
  if (state && state->left_behind) keep_forever(std::shared_ptr<GraphState>(state.release()));
  state.reset();
}

}  // namespace

Graph::Graph(std::unique_ptr<GraphState> state) : state_(std::move(state)) {}
Graph::Graph(Graph&&) noexcept = default;
Graph& Graph::operator=(Graph&& other) noexcept {
  if (this != &other) {
    dispose(state_);
    state_ = std::move(other.state_);
  }
  return *this;
}
Graph::~Graph() { dispose(state_); }

const std::string& Graph::name() const { return state_->plan.name; }
const std::string& Graph::description() const { return state_->plan.description; }

std::vector<std::string> Graph::node_ids() const {
  std::vector<std::string> ids;
  for (const detail::PlannedNode& n : state_->plan.nodes) ids.push_back(n.id);
  return ids;
}

void Graph::feed(const std::string& node_id, Value value) {
  auto it = std::find_if(state_->plan.nodes.begin(), state_->plan.nodes.end(),
                         [&](const detail::PlannedNode& n) { return n.id == node_id; });
  if (it == state_->plan.nodes.end() || !detail::is_graph_input(*it->type)) {
    throw std::invalid_argument("feed: '" + node_id + "' is not a host.input node of graph '" + name() + "'");
  }
  std::lock_guard<std::mutex> lock(state_->run_mutex);
  state_->feeds[node_id].push_back(std::move(value));
}

std::string Graph::to_dot() const { return detail::to_dot(state_->plan); }

namespace {

// Runs `use` on a RunState of the graph, one at a time per graph.
template <typename Use>
auto with_run_state(GraphState& state, const RunOptions& options, Use use) {
  std::lock_guard<std::mutex> lock(state.run_mutex);
  if (state.left_behind) {
    throw RunError("graph '" + state.plan.name + "' cannot run again: an item of an earlier run was still running when its "
                   "stop grace period ended", NFX_ERR_CANCELLED, "", -1, "");
  }
  detail::RunEnvironment env;
  env.log = state.host->options.log;
  env.cancel = &state.host->cancel;
  env.feeds = &state.feeds;
  auto run = std::make_shared<detail::RunState>(state.plan, env, options);
  try {
    return use(*run);
  } catch (const RunError&) {
    if (run->left_behind()) {
      state.left_behind = true;
      keep_forever(run);
    }
    throw;
  }
}

}  // namespace

RunStats Graph::run(const RunOptions& options) {
  return with_run_state(*state_, options, [](detail::RunState& run) { return run.run(); });
}

std::vector<NodeDescription> Graph::describe(const RunOptions& options) {
  return with_run_state(*state_, options, [](detail::RunState& run) { return run.describe(); });
}

}  // namespace nfx
