// Runs a GraphPlan: items stream from the source nodes through the graph on a thread pool.
//
// - Every node without connected inputs is a source. One source task at a time asks every source for
//   its next item; the stream ends when any source ends. At most max_items_in_flight items are alive.
// - When a node finishes, the first successor that becomes ready runs on the same thread (no queueing
//   on a chain), the others go to the pool, so independent branches run concurrently.
// - A node without NFX_NODE_REENTRANT runs one item at a time; NFX_NODE_ORDERED also in item order.
// - The first error stops the stream: no new items; items already in flight finish, except the failed
//   one. Cancellation also skips every node that has not started.
#pragma once

#include "crash_report.hpp"
#include "graph_plan.hpp"
#include "host_api.hpp"
#include "thread_pool.hpp"

#include <nfx/host.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>

namespace nfx::detail {

// What a run borrows from its Host and Graph.
struct RunEnvironment {
  LogFn log;
  std::atomic<bool>* cancel = nullptr;
  std::map<std::string, std::deque<Value>>* feeds = nullptr;  // host.input queues, by node id
};

class RunState {
 public:
  RunState(const GraphPlan& plan, RunEnvironment environment, const RunOptions& options);
  ~RunState();
  RunState(const RunState&) = delete;
  RunState& operator=(const RunState&) = delete;

  RunStats run();  // throws RunError
  // run() gave up waiting for items when the stop grace period ended (RunOptions::stop_grace_seconds): they
  // still run on the pool's threads, so this state must outlive them (the host keeps it forever).
  bool left_behind() const { return left_behind_.load(); }
  std::vector<NodeDescription> describe();  // Graph::describe

  // Called by the host API and the built-in nodes, from any thread.
  void log(nfx_log_level level, const std::string& node, const std::string& message);
  int threads() const { return threads_; }  // the run's worker count
  uint64_t max_tensor_bytes() const { return max_tensor_bytes_; }
  bool report_crashes() const { return options_.crash_report_fd >= 0; }  // RunOptions::crash_report_fd
  // The run the calling thread works for (nullptr outside runs): nfx_host_api.alloc has no context.
  static RunState* current();
  void report_node_progress(const nfx_context& ctx, double done, double total);
  bool next_fed_value(const std::string& node_id, Value& value);
  void emit_output(const std::string& node_id, int64_t item, const std::string& item_name, const Value& value);

 private:
  struct Item;
  using ItemPtr = std::shared_ptr<Item>;
  struct NodeState;

  // A context for a call on `node` (run, node, cancellation); the caller adds what the call needs.
  nfx_context node_context(const PlannedNode& node);
  void create_instances();
  void destroy_instances();
  void finish_nodes();
  void save_states();

  void submit_node(int node, ItemPtr item);
  void submit_source();
  void source_task();
  void run_from(int node, ItemPtr item);
  void execute(int node, Item& item);
  bool check_inputs(int node, Item& item, const Value* const* inputs);
  void release_gate(NodeState& state);
  void finish_item(const ItemPtr& item);
  void fail(nfx_status status, int node, int64_t item, const std::string& item_name, const std::string& message,
            const std::string& location = "");
  // A scheduler task threw (the host itself failed, e.g. out of memory): the run fails and stops waiting.
  void abandon(std::exception_ptr error);
  // A node with on_error = "skip" failed on an item: log it and count it; the run goes on without the item.
  void skip(int node, int64_t item, const std::string& item_name, const std::string& message,
            const std::string& location);
  // "file:line:col: " of the parameter a failed call named (nfx_host_api.set_error_param), else "".
  std::string error_location(const nfx_context& ctx) const;
  bool cancelled() const;
  void publish_progress(const Progress& progress);
  // Waits (holding mutex_ through `lock`) until every item is done, or the stop grace period ends.
  void wait_for_items(std::unique_lock<std::mutex>& lock);

  const GraphPlan& plan_;
  RunEnvironment env_;
  RunOptions options_;
  int threads_;
  int max_in_flight_;
  uint64_t max_tensor_bytes_;
  std::vector<std::unique_ptr<NodeState>> nodes_;
  std::vector<int> sources_;
  std::set<int64_t> excluded_;  // RunOptions::exclude_items
  size_t value_count_ = 0;
  std::unique_ptr<ThreadPool> pool_;
  std::chrono::steady_clock::time_point start_;

  std::mutex mutex_;  // guards what follows
  std::condition_variable finished_;
  int64_t next_item_ = 0;
  int64_t in_flight_ = 0;
  int64_t items_done_ = 0;
  int64_t items_skipped_ = 0;
  int64_t items_total_ = -1;
  bool source_scheduled_ = false;
  bool sources_done_ = false;
  bool stop_sources_ = false;
  bool abandoned_ = false;  // a scheduler task threw: the run ends without waiting for its items
  std::atomic<bool> left_behind_{false};  // see left_behind(); from then on no callback of the run is called
  struct Failure {
    nfx_status status;
    int node;
    int64_t item;
    std::string item_name;
    std::string message;
    std::string location;
  };
  std::optional<Failure> failure_;

  std::mutex callback_mutex_;  // serializes on_output and on_progress; guards what follows
  int64_t last_published_items_ = 0;
  std::mutex feed_mutex_;
};

}  // namespace nfx::detail
