// C++ embedding API of libnfx_host: load plugins, load / validate / run TOML graphs, feed inputs from the
// calling program and read outputs back, cancel. See docs/user-guide.md ("Embedding").
//
// Threading: a Host may be shared by threads; Host::cancel() may be called from any thread (also from a
// signal handler through cancel_flag()). A Graph runs one run at a time.
#ifndef NFX_HOST_HPP
#define NFX_HOST_HPP

#include <nfx/nfx.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace nfx {

// One problem found in a graph, at a place in its TOML file (line and column are 1-based; 0 = unknown).
struct Diagnostic {
  std::string file;
  int line = 0;
  int column = 0;
  std::string message;
  std::string str() const;  // "file:line:col: message"
};

// A graph that failed to load: every problem found, in file order.
class GraphError : public std::runtime_error {
 public:
  explicit GraphError(std::vector<Diagnostic> diagnostics);
  const std::vector<Diagnostic>& diagnostics() const { return diagnostics_; }

 private:
  std::vector<Diagnostic> diagnostics_;
};

// A run that stopped on a node error or on cancellation.
class RunError : public std::runtime_error {
 public:
  RunError(const std::string& message, nfx_status status, std::string node, int64_t item, std::string item_name);
  nfx_status status() const { return status_; }
  const std::string& node() const { return node_; }
  int64_t item() const { return item_; }
  const std::string& item_name() const { return item_name_; }

 private:
  nfx_status status_;
  std::string node_;
  int64_t item_;
  std::string item_name_;
};

// A value flowing along an edge: a tensor-like kind (shared, zero-copy), a scalar or a text.
class Value {
 public:
  Value() = default;
  // Takes ownership of a DLPack tensor; its deleter runs when the last copy of this Value goes.
  static Value tensor(nfx_port_kind kind, DLManagedTensor* tensor);
  static Value scalar(double v);
  static Value text(std::string v);

  nfx_port_kind kind() const { return kind_; }
  bool empty() const { return kind_ == NFX_KIND_ANY; }
  const DLTensor* dl() const { return tensor_ ? &tensor_->dl_tensor : nullptr; }
  double as_scalar() const { return scalar_; }
  const std::string& as_text() const { return text_; }

 private:
  nfx_port_kind kind_ = NFX_KIND_ANY;
  std::shared_ptr<DLManagedTensor> tensor_;
  double scalar_ = 0;
  std::string text_;
};

struct PluginInfo {
  std::string path;  // empty for the host's built-in nodes
  std::string name;
  std::string version;
  std::string doc;
  uint32_t abi_major = 0;
  uint32_t abi_minor = 0;
  std::vector<std::string> node_types;
};

// A library that was found but refused: why, naming the file.
struct PluginLoadError {
  std::string path;
  std::string message;
};

using LogFn = std::function<void(nfx_log_level level, const std::string& source, const std::string& message)>;

// Limits on graph files (docs/user-guide.md, "Limits on hostile input"); past one, a located error.
struct GraphLimits {
  uint64_t file_bytes = uint64_t{1} << 20;    // a graph file larger than this is refused without reading it
  uint64_t string_bytes = uint64_t{1} << 20;  // a string after ${variable} expansion
};

struct HostOptions {
  std::vector<std::string> plugin_paths;  // searched first, in order
  bool use_env_path = true;               // then NFX_PLUGIN_PATH (':'-separated)
  bool use_install_dir = true;            // then the install directory (<prefix>/lib/nfx/plugins)
  LogFn log;                              // default: stderr, warnings and errors only
  GraphLimits graph_limits;
  // Each library is first loaded in a child process (nfx-plugin-scanner, installed next to libnfx_host),
  // so one that crashes or hangs while it loads is refused with the reason instead of ending this
  // program. Verdicts are cached by path, size and modification time: unchanged plugins are not retried.
  bool scan_plugins = true;
  double scan_timeout_seconds = 60;
  std::string scan_cache;  // the cache file; empty: plugin-scan.txt in nfx's cache folder; "none": no cache
};

struct Progress {
  int64_t items_done = 0;
  int64_t items_total = -1;  // -1 when the sources cannot tell
  double seconds = 0;        // since the run started
  // Long work inside one node (e.g. training epochs): which node and how far; empty otherwise.
  std::string node;
  double node_done = 0;
  double node_total = 0;  // <= 0: unknown
};

// An output of a host.output node, delivered on a worker thread while the run goes on.
struct OutputEvent {
  std::string node;
  int64_t item = 0;
  std::string item_name;
  Value value;
};

struct RunOptions {
  int threads = 0;                                   // 0 = every core
  int max_items_in_flight = 0;                       // 0 = 2 x threads
  // The largest tensor a node may allocate through the host; 0 = the graph's [graph] max_tensor_bytes,
  // else the machine's physical memory. Larger requests fail the node instead of being attempted.
  uint64_t max_tensor_bytes = 0;
  std::function<void(const OutputEvent&)> on_output;  // called serially, from any worker thread
  std::function<void(const Progress&)> on_progress;   // called after each item, serially
  // Items (by index) left out as the sources emit them, counted as skipped (nfx run --isolate passes the
  // items that crashed an earlier worker).
  std::vector<int64_t> exclude_items;
  // >= 0: a fatal signal (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT) inside a node writes one line naming
  // the node and the item to this file descriptor before the process dies (read by nfx run --isolate).
  int crash_report_fd = -1;
  // Once the run is asked to stop (Host::cancel), how long items in progress may still take, in seconds;
  // 0: as long as they need. An item still running then (a model that loops, a read that blocks) cannot be
  // stopped inside this process: run() throws RunError (NFX_ERR_CANCELLED, "items still running when the
  // grace period ended") and leaves it running in the background. No callback of this run is called again,
  // nothing more is written, and the graph cannot run again (its memory stays with the item). A program
  // that must reclaim that thread exits (nfx run does: exit code 130) or runs graphs in a child process.
  double stop_grace_seconds = 0;
};

struct RunStats {
  int64_t items = 0;    // items that went through the whole graph
  double seconds = 0;
  int64_t skipped = 0;  // items dropped by a node with on_error = "skip" (each error was logged)
};

// What a node told about its instance through nfx.describable.v1 (`nfx inspect`).
struct NodeDescription {
  std::string node;  // the node's id in the graph
  std::string type;
  bool describable = false;  // the type has the extension (else facts is empty)
  std::vector<std::pair<std::string, std::string>> facts;  // (key, value) in the node's order
};

class Host;
struct GraphState;

// A validated graph, ready to run. Cheap to move; keeps its Host's plugins alive.
class Graph {
 public:
  Graph(Graph&&) noexcept;
  Graph& operator=(Graph&&) noexcept;
  ~Graph();

  const std::string& name() const;
  const std::string& description() const;
  std::vector<std::string> node_ids() const;

  // Queues values for a host.input node (one item each); the node emits them in order, then ends.
  void feed(const std::string& node_id, Value value);

  // Runs the graph to the end of its item stream. Throws RunError on the first node error or on
  // cancellation; every item finished before that keeps its outputs. After a run that left an item
  // running (RunOptions::stop_grace_seconds), run() and describe() throw RunError.
  RunStats run(const RunOptions& options = {});

  // Creates every node as a run would (models and state = "file" loaded), asks each describable one for
  // its facts, and destroys them again; no item runs. Throws RunError when a node cannot be created.
  std::vector<NodeDescription> describe(const RunOptions& options = {});

  // Graphviz source of the graph.
  std::string to_dot() const;

 private:
  friend class Host;
  explicit Graph(std::unique_ptr<GraphState> state);
  std::unique_ptr<GraphState> state_;
};

struct HostState;

class Host {
 public:
  explicit Host(HostOptions options = {});
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  void add_plugin_path(const std::string& directory);

  // Finds and loads plugins from the plugin paths (see HostOptions). Returns the libraries refused;
  // libraries already loaded are skipped, so calling it again only picks up new ones. Loaded libraries
  // stay loaded for the life of the process.
  std::vector<PluginLoadError> load_plugins();
  // Loads one library file (also outside the plugin paths).
  std::vector<PluginLoadError> load_plugin(const std::string& path);

  std::vector<PluginInfo> plugins() const;
  // The descriptor of a node type, or nullptr.
  const nfx_node_type* node_type(const std::string& id) const;
  std::vector<std::string> node_type_ids() const;

  // Parses and validates a graph. overrides: "node.param=value" or "variable=value" (as `--set`).
  // Throws GraphError listing every problem.
  Graph load_graph(const std::string& path, const std::vector<std::string>& overrides = {});
  Graph parse_graph(const std::string& toml_text, const std::string& source_name,
                    const std::vector<std::string>& overrides = {});

  // Asks every run of this host to stop: sources emit nothing more, long nodes see cancelled().
  void cancel();
  void reset_cancel();
  // The flag cancel() sets, for a signal handler (a lock-free atomic store is signal-safe).
  std::atomic<bool>& cancel_flag();

 private:
  std::shared_ptr<HostState> state_;
};

// The directories searched for plugins, in order, for these options.
std::vector<std::string> plugin_search_path(const HostOptions& options);

}  // namespace nfx

#endif  // NFX_HOST_HPP
