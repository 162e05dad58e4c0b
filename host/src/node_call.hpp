// Every call from the scheduler into a plugin goes through call_node: the thread is marked as working for
// the run, and a crash inside the call names the node and the item.
#pragma once

#include "crash_report.hpp"
#include "plugin_call.hpp"
#include "scheduler.hpp"

#include <utility>

namespace nfx::detail {

// The run the calling thread works for (RunState::current).
inline thread_local RunState* t_current_run = nullptr;

// Marks the calling thread as working for `run` until the scope ends.
class WorkingFor {
 public:
  explicit WorkingFor(RunState* run) : previous_(std::exchange(t_current_run, run)) {}
  ~WorkingFor() { t_current_run = previous_; }

 private:
  RunState* previous_;
};

// What a crash inside the call on `ctx` reports (RunOptions::crash_report_fd): the node, and the item
// outside create, finish and the state calls.
inline CrashLine crash_line(const nfx_context& ctx) {
  CrashLine line;
  line.node = ctx.node->id;
  line.item = ctx.item_index;
  line.skip = ctx.node->skip_errors && ctx.item_index >= 0;
  line.item_name = ctx.item_name ? *ctx.item_name : "";
  return line;
}

// Every call into a plugin: the thread works for the run (nfx_host_api.alloc has no context and reads the
// run's max_tensor_bytes from it) and, when the run reports crashes, names the node and the item.
template <typename F>
nfx_status call_node(nfx_context& ctx, F&& call) {
  const WorkingFor working_for(ctx.run);
  const CrashScope scope(ctx.run->report_crashes(), [&] { return crash_line(ctx); });
  return call_plugin(ctx, std::forward<F>(call));
}

}  // namespace nfx::detail
