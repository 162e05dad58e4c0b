#include "scheduler.hpp"

#include "node_call.hpp"
#include "scheduler_state.hpp"

#include <nfx/nfx.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <utility>

#include <unistd.h>

namespace nfx::detail {

namespace {

uint64_t physical_memory() {
  const long pages = ::sysconf(_SC_PHYS_PAGES), page_size = ::sysconf(_SC_PAGESIZE);
  return pages > 0 && page_size > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size) : UINT64_MAX;
}

bool tensor_like(nfx_port_kind kind) {
  return kind == NFX_KIND_IMAGE || kind == NFX_KIND_TENSOR || kind == NFX_KIND_BOXES || kind == NFX_KIND_MASK;
}

}  // namespace

RunState::RunState(const GraphPlan& plan, RunEnvironment environment, const RunOptions& options)
    : plan_(plan), env_(std::move(environment)), options_(options) {
  // The command line (-j) wins over the graph's [graph] threads; neither set: every core.
  threads_ = options.threads > 0 ? options.threads
             : plan.threads > 0  ? plan.threads
                                 : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  max_in_flight_ = options.max_items_in_flight > 0 ? options.max_items_in_flight : 2 * threads_;
  excluded_.insert(options.exclude_items.begin(), options.exclude_items.end());
  max_tensor_bytes_ = options.max_tensor_bytes > 0 ? options.max_tensor_bytes
                      : plan.max_tensor_bytes > 0  ? plan.max_tensor_bytes
                                                   : physical_memory();
  for (size_t i = 0; i < plan_.nodes.size(); ++i) {
    auto state = std::make_unique<NodeState>();
    state->plan = &plan_.nodes[i];
    state->index = static_cast<int>(i);
    state->first_value = value_count_;
    value_count_ += plan_.nodes[i].type->output_count;
    state->ordered = (state->plan->type->flags & NFX_NODE_ORDERED) != 0;
    state->exclusive = state->ordered || !(state->plan->type->flags & NFX_NODE_REENTRANT);
    if (state->plan->predecessor_count == 0) sources_.push_back(static_cast<int>(i));
    nodes_.push_back(std::move(state));
  }
}

RunState::~RunState() {
  pool_.reset();
  destroy_instances();
}

RunState* RunState::current() { return t_current_run; }

bool RunState::cancelled() const {
  return left_behind_ || (env_.cancel != nullptr && env_.cancel->load(std::memory_order_relaxed));
}

void RunState::log(nfx_log_level level, const std::string& node, const std::string& message) {
  if (left_behind_) return;  // the caller's log function may be gone
  if (env_.log) {
    env_.log(level, node, message);
  } else if (level >= NFX_LOG_WARNING) {
    std::lock_guard<std::mutex> lock(callback_mutex_);
    std::cerr << "nfx: " << (node.empty() ? "" : "[" + node + "] ") << message << "\n";
  }
}

void RunState::publish_progress(const Progress& progress) {
  if (!options_.on_progress || left_behind_) return;
  std::lock_guard<std::mutex> lock(callback_mutex_);
  // Items finish on several threads; never let a late report move the count backwards.
  if (progress.items_done < last_published_items_) return;
  last_published_items_ = progress.items_done;
  options_.on_progress(progress);
}

void RunState::report_node_progress(const nfx_context& ctx, double done, double total) {
  Progress p;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    p.items_done = items_done_;
    p.items_total = items_total_;
  }
  p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  p.node = ctx.node ? ctx.node->id : "";
  p.node_done = done;
  p.node_total = total;
  publish_progress(p);
}

bool RunState::next_fed_value(const std::string& node_id, Value& value) {
  std::lock_guard<std::mutex> lock(feed_mutex_);
  if (env_.feeds == nullptr) return false;
  auto it = env_.feeds->find(node_id);
  if (it == env_.feeds->end() || it->second.empty()) return false;
  value = std::move(it->second.front());
  it->second.pop_front();
  return true;
}

void RunState::emit_output(const std::string& node_id, int64_t item, const std::string& item_name, const Value& value) {
  if (!options_.on_output || left_behind_) return;
  std::lock_guard<std::mutex> lock(callback_mutex_);
  options_.on_output(OutputEvent{node_id, item, item_name, value});
}

nfx_status process_item(const PlannedNode& node, void* instance, nfx_context* ctx) {
  return call_node(*ctx, [&] {
    return node.inverted_type ? node.invertible->inverse(instance, ctx) : node.type->process(instance, ctx);
  });
}

RunStats RunState::run() {
  start_ = std::chrono::steady_clock::now();
  std::optional<CrashReportHandlers> crash_handlers;
  if (report_crashes()) crash_handlers.emplace(options_.crash_report_fd);
  create_instances();
  try {
    pool_ = std::make_unique<ThreadPool>(threads_, [this](std::exception_ptr e) { abandon(e); });
  } catch (const std::runtime_error& e) {
    throw RunError(e.what(), NFX_ERR_OUT_OF_MEMORY, "", -1, "");
  }
  {
    std::unique_lock<std::mutex> lock(mutex_);
    source_scheduled_ = true;
    pool_->submit([this] { source_task(); });
    wait_for_items(lock);
  }
  if (left_behind_) {
    std::ostringstream grace;
    grace << options_.stop_grace_seconds;
    throw RunError("items still running when the grace period ended (" + grace.str() +
                   " s after the stop was asked); they were left running", NFX_ERR_CANCELLED, "", -1, "");
  }
  pool_.reset();  // every task has returned

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  if (failure_ && failure_->status != NFX_ERR_CANCELLED) {
    const Failure& f = *failure_;
    const std::string where = f.node >= 0 ? "node '" + plan_.nodes[f.node].id + "' (" + plan_.nodes[f.node].type->id + ")"
                                          : std::string("run");
    const std::string item = f.item >= 0 ? ", item " + std::to_string(f.item) +
                                               (f.item_name.empty() ? "" : " '" + f.item_name + "'")
                                         : "";
    throw RunError(f.location + where + item + ": " + f.message, f.status, f.node >= 0 ? plan_.nodes[f.node].id : "",
                   f.item, f.item_name);
  }
  if (failure_ || cancelled()) {
    save_states();  // what was learned before Ctrl-C is kept
    throw RunError("cancelled after " + std::to_string(items_done_) + " items; finished outputs are kept",
                   NFX_ERR_CANCELLED, "", -1, "");
  }
  finish_nodes();
  save_states();
  return RunStats{items_done_, seconds, items_skipped_};
}

void RunState::wait_for_items(std::unique_lock<std::mutex>& lock) {
  const auto done = [this] { return abandoned_ || (in_flight_ == 0 && !source_scheduled_ && (sources_done_ || stop_sources_)); };
  if (options_.stop_grace_seconds <= 0) return finished_.wait(lock, done);
  const auto grace = std::chrono::duration<double>(options_.stop_grace_seconds);
  std::optional<std::chrono::steady_clock::time_point> stop_asked;
  // Host::cancel only sets a flag: look at it a few times a second.
  while (!finished_.wait_for(lock, std::chrono::milliseconds(100), done)) {
    if (!cancelled()) continue;
    const auto now = std::chrono::steady_clock::now();
    if (!stop_asked) stop_asked = now;
    if (now - *stop_asked >= grace) {
      left_behind_ = true;
      return;
    }
  }
}

void RunState::fail(nfx_status status, int node, int64_t item, const std::string& item_name, const std::string& message,
                    const std::string& location) {
  std::lock_guard<std::mutex> lock(mutex_);
  stop_sources_ = true;
  if (!failure_) failure_ = Failure{status, node, item, item_name, message, location};
}

void RunState::abandon(std::exception_ptr error) {
  std::string message = "the host failed while scheduling items";
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    message += std::string(": ") + e.what();
  } catch (...) {
  }
  fail(NFX_ERR_INTERNAL, -1, -1, "", message, "");
  std::lock_guard<std::mutex> lock(mutex_);
  abandoned_ = true;  // the items of the failed task never complete: stop waiting for them
  finished_.notify_all();
}

void RunState::skip(int node, int64_t item, const std::string& item_name, const std::string& message,
                    const std::string& location) {
  const PlannedNode& plan = plan_.nodes[node];
  log(NFX_LOG_ERROR, plan.id,
      location + "node '" + plan.id + "' (" + plan.type->id + "), item " + std::to_string(item) +
          (item_name.empty() ? "" : " '" + item_name + "'") + ": " + message + "; item skipped (on_error = \"skip\")");
  std::lock_guard<std::mutex> lock(mutex_);
  ++items_skipped_;
}

std::string RunState::error_location(const nfx_context& ctx) const {
  if (ctx.error_param.empty() || ctx.node == nullptr) return "";
  const auto it = ctx.node->param_locations.find(ctx.error_param);
  // A parameter left at its default is reported at the node's table.
  const SourceLocation& at = it != ctx.node->param_locations.end() ? it->second : ctx.node->location;
  if (at.line == 0 && !at.file.empty()) return at.file + ": ";  // a --set override
  return plan_.file + ":" + std::to_string(at.line) + ":" + std::to_string(at.column) + ": ";
}

void RunState::submit_source() {
  pool_->submit([this] { source_task(); });
}

void RunState::submit_node(int node, ItemPtr item) {
  pool_->submit([this, node, item = std::move(item)]() mutable { run_from(node, std::move(item)); });
}

void RunState::source_task() {
  auto item = std::make_shared<Item>();
  bool ended = false, failed = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    item->index = next_item_;
    if (cancelled()) stop_sources_ = true;
    if (stop_sources_) failed = true;
  }
  if (!failed) {
    item->values.resize(value_count_);
    item->pending.reset(new std::atomic<int>[nodes_.size()]);
    for (size_t n = 0; n < nodes_.size(); ++n) item->pending[n].store(nodes_[n]->plan->predecessor_count);
    item->nodes_left.store(static_cast<int>(nodes_.size()));
    int64_t total = -1;
    for (int s : sources_) {
      NodeState& state = *nodes_[s];
      nfx_context ctx = node_context(*state.plan);
      ctx.node_index = s;
      ctx.outputs = item->values.data() + state.first_value;
      ctx.output_count = state.plan->type->output_count;
      ctx.item_index = item->index;
      ctx.item_name = &item->name;
      nfx_status status = process_item(*state.plan, state.instance, &ctx);
      if (status != NFX_OK) {
        const std::string message = ctx.error.empty() ? "status " + std::to_string(status) : ctx.error;
        if (state.plan->skip_errors) {
          // The item still flows, marked failed, so ordered nodes downstream see every index.
          item->failed = true;
          skip(s, item->index, item->name, message, error_location(ctx));
          continue;
        }
        fail(status, s, item->index, item->name, message, error_location(ctx));
        failed = true;
        break;
      }
      if (ctx.end_of_stream) {
        ended = true;
        break;
      }
      if (ctx.item_count >= 0) total = total < 0 ? ctx.item_count : std::min(total, ctx.item_count);
    }
    std::lock_guard<std::mutex> lock(mutex_);
    if (total >= 0) items_total_ = total;
  }
  if (!failed && !ended && !item->failed && excluded_.count(item->index)) {
    // Flows on marked failed, as a skipped item does, so ordered nodes downstream see every index.
    item->failed = true;
    log(NFX_LOG_WARNING, "", "item " + std::to_string(item->index) + (item->name.empty() ? "" : " '" + item->name + "'") +
                                 " left out (it crashed an earlier worker)");
    std::lock_guard<std::mutex> lock(mutex_);
    ++items_skipped_;
  }

  std::vector<int> ready;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (ended) sources_done_ = true;
    if (failed || ended) {
      source_scheduled_ = false;
      finished_.notify_all();
      return;
    }
    ++next_item_;
    ++in_flight_;
    if (!stop_sources_ && in_flight_ < max_in_flight_) submit_source();  // keep source_scheduled_
    else source_scheduled_ = false;
  }
  // The sources are done for this item: release their successors.
  for (int s : sources_) {
    for (int next : nodes_[s]->plan->successors) {
      if (item->pending[next].fetch_sub(1, std::memory_order_acq_rel) == 1) ready.push_back(next);
    }
  }
  if (item->nodes_left.fetch_sub(static_cast<int>(sources_.size()), std::memory_order_acq_rel) ==
      static_cast<int>(sources_.size())) {
    finish_item(item);
    return;
  }
  for (size_t k = 1; k < ready.size(); ++k) submit_node(ready[k], item);
  if (!ready.empty()) run_from(ready[0], std::move(item));
}

void RunState::run_from(int node, ItemPtr item) {
  while (true) {
    NodeState& state = *nodes_[node];
    if (state.exclusive) {
      std::lock_guard<std::mutex> lock(state.gate);
      const bool turn = !state.ordered || item->index == state.next_ordered;
      if (state.busy || !turn) {
        // Parked: release_gate() resubmits it when the node is free and it is its turn.
        if (state.ordered) state.waiting_ordered.emplace(item->index, std::move(item));
        else state.waiting.push_back(std::move(item));
        return;
      }
      state.busy = true;
    }
    execute(node, *item);
    std::vector<int> ready;
    for (int next : state.plan->successors) {
      if (item->pending[next].fetch_sub(1, std::memory_order_acq_rel) == 1) ready.push_back(next);
    }
    if (state.exclusive) release_gate(state);
    if (item->nodes_left.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      finish_item(item);
      return;
    }
    if (ready.empty()) return;
    for (size_t k = 1; k < ready.size(); ++k) submit_node(ready[k], item);
    node = ready[0];
  }
}

void RunState::release_gate(NodeState& state) {
  ItemPtr next;
  {
    std::lock_guard<std::mutex> lock(state.gate);
    state.busy = false;
    if (state.ordered) {
      ++state.next_ordered;
      auto it = state.waiting_ordered.find(state.next_ordered);
      if (it != state.waiting_ordered.end()) {
        next = std::move(it->second);
        state.waiting_ordered.erase(it);
      }
    } else if (!state.waiting.empty()) {
      next = std::move(state.waiting.front());
      state.waiting.pop_front();
    }
  }
  if (next) submit_node(state.index, std::move(next));
}

bool RunState::check_inputs(int node, Item& item, const Value* const* inputs) {
  const nfx_node_type* type = nodes_[node]->plan->type;
  for (uint32_t p = 0; p < type->input_count; ++p) {
    const nfx_port_desc& want = type->inputs[p];
    const Value* v = inputs[p];
    if (v == nullptr) continue;  // unconnected optional input
    std::string problem;
    if (v->empty()) {
      problem = "no value (the producing node set no output)";
    } else if (want.kind != NFX_KIND_ANY && want.kind != v->kind()) {
      problem = std::string("expected ") + kind_name(want.kind) + ", got " + kind_name(v->kind());
    } else if (tensor_like(v->kind())) {
      const DLTensor& t = *v->dl();
      if (want.dtypes != 0 && !(want.dtypes & dtype_bit(t.dtype))) {
        problem = "dtype " + dtype_name(t.dtype) + " is not accepted";
      } else if (want.rank >= 0 && t.ndim != want.rank) {
        problem = "expected rank " + std::to_string(want.rank) + ", got rank " + std::to_string(t.ndim);
      }
    }
    if (!problem.empty()) {
      const PortRef& ref = nodes_[node]->plan->inputs[p];
      fail(NFX_ERR_INVALID_ARGUMENT, node, item.index, item.name,
           "input '" + std::string(want.name) + "' from '" + plan_.nodes[ref.node].id + "." +
               plan_.nodes[ref.node].type->outputs[ref.port].name + "': " + problem);
      return false;
    }
  }
  return true;
}

void RunState::execute(int node, Item& item) {
  if (item.failed.load(std::memory_order_relaxed) || cancelled()) return;
  NodeState& state = *nodes_[node];
  const PlannedNode& plan = *state.plan;
  const uint32_t n_inputs = plan.type->input_count;
  const Value* small[8];
  std::vector<const Value*> large;
  const Value** inputs = small;
  if (n_inputs > 8) {
    large.resize(n_inputs);
    inputs = large.data();
  }
  for (uint32_t p = 0; p < n_inputs; ++p) {
    const PortRef& ref = plan.inputs[p];
    inputs[p] = ref.node >= 0 ? &item.values[nodes_[ref.node]->first_value + ref.port] : nullptr;
  }
  if (!check_inputs(node, item, inputs)) {
    item.failed = true;
    return;
  }
  nfx_context ctx = node_context(plan);
  ctx.node_index = node;
  ctx.inputs = inputs;
  ctx.input_count = n_inputs;
  ctx.outputs = item.values.data() + state.first_value;
  ctx.output_count = plan.type->output_count;
  ctx.item_index = item.index;
  ctx.item_name = &item.name;
  const nfx_status status = process_item(plan, state.instance, &ctx);
  if (status != NFX_OK) {
    item.failed = true;
    const std::string message = ctx.error.empty() ? "failed with status " + std::to_string(status) : ctx.error;
    if (plan.skip_errors) skip(node, item.index, item.name, message, error_location(ctx));
    else fail(status, node, item.index, item.name, message, error_location(ctx));
  }
}

void RunState::finish_item(const ItemPtr& item) {
  Progress p;
  bool publish = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    --in_flight_;
    if (!item->failed && !cancelled()) {
      ++items_done_;
      publish = true;
    }
    p.items_done = items_done_;
    p.items_total = items_total_;
    if (!source_scheduled_ && !stop_sources_ && !sources_done_ && !cancelled()) {
      source_scheduled_ = true;
      submit_source();
    }
    if (cancelled()) stop_sources_ = true;
    finished_.notify_all();
  }
  if (publish) {
    p.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    publish_progress(p);
  }
}

}  // namespace nfx::detail
