// The nodes' lives around a run: created (and their state loaded) before the first item, finished after
// the last, their state saved, destroyed; and asked to describe themselves (Graph::describe).
#include "node_call.hpp"
#include "scheduler_state.hpp"

#include <filesystem>

namespace nfx::detail {

nfx_context RunState::node_context(const PlannedNode& node) {
  nfx_context ctx;
  ctx.run = this;
  ctx.node = &node;
  ctx.cancelled = env_.cancel;
  return ctx;
}

void RunState::create_instances() {
  for (auto& state : nodes_) {
    const PlannedNode& node = *state->plan;
    if (cancelled()) {  // Ctrl-C or SIGTERM while earlier nodes loaded their models
      throw RunError("cancelled before the run started", NFX_ERR_CANCELLED, "", -1, "");
    }
    nfx_context ctx = node_context(node);
    ctx.params = &node.params;  // parameters are readable during create only
    void* instance = nullptr;
    nfx_status status = call_node(ctx, [&] { return node.type->create(&ctx, &instance); });
    if (status != NFX_OK || instance == nullptr) {
      throw RunError(error_location(ctx) + "node '" + node.id + "' (" + node.type->id + "): cannot create: " +
                         (ctx.error.empty() ? "status " + std::to_string(status) : ctx.error),
                     status == NFX_OK ? NFX_ERR_INTERNAL : status, node.id, -1, "");
    }
    state->instance = instance;
    std::error_code ec;
    if (node.trainable != nullptr && std::filesystem::exists(node.state_file, ec)) {
      const nfx_status loaded =
          call_node(ctx, [&] { return node.trainable->load_state(instance, &ctx, node.state_file.c_str()); });
      if (loaded != NFX_OK) {
        throw RunError("node '" + node.id + "' (" + node.type->id + "): cannot load its state from " +
                           node.state_file + ": " + ctx.error,
                       loaded, node.id, -1, "");
      }
    }
  }
}

std::vector<NodeDescription> RunState::describe() {
  create_instances();
  std::vector<NodeDescription> out;
  for (auto& state : nodes_) {
    const PlannedNode& node = *state->plan;
    NodeDescription d;
    d.node = node.id;
    d.type = node.type->id;
    const auto* ext = find_extension<nfx_describable_v1>(*node.type, NFX_EXT_DESCRIBABLE);
    d.describable = ext != nullptr;
    if (d.describable) {
      nfx_context ctx = node_context(node);
      ctx.params = &node.params;
      const nfx_fact_fn add = [](void* user, const char* key, const char* value) {
        static_cast<NodeDescription*>(user)->facts.emplace_back(key ? key : "", value ? value : "");
      };
      const nfx_status status = call_node(ctx, [&] { return ext->describe(state->instance, &ctx, add, &d); });
      if (status != NFX_OK) {
        throw RunError("node '" + node.id + "' (" + node.type->id + "): cannot describe itself: " + ctx.error, status,
                       node.id, -1, "");
      }
    }
    out.push_back(std::move(d));
  }
  return out;
}

// Writes each state = "file" node's state to a temporary file beside it, then renames it into place, so a
// failed save keeps the previous state.
void RunState::save_states() {
  for (auto& state : nodes_) {
    const PlannedNode& node = *state->plan;
    if (node.trainable == nullptr) continue;
    const std::filesystem::path target(node.state_file);
    std::error_code ec;
    if (target.has_parent_path()) std::filesystem::create_directories(target.parent_path(), ec);
    const std::string temporary = node.state_file + ".saving";
    nfx_context ctx = node_context(node);
    const nfx_status status =
        call_node(ctx, [&] { return node.trainable->save_state(state->instance, &ctx, temporary.c_str()); });
    if (status == NFX_OK) std::filesystem::rename(temporary, target, ec);
    if (status != NFX_OK || ec) {
      std::filesystem::remove(temporary, ec);
      throw RunError("node '" + node.id + "' (" + node.type->id + "): cannot save its state to " + node.state_file +
                         ": " + (status != NFX_OK ? ctx.error : ec.message()) + "; the previous state is kept",
                     status != NFX_OK ? status : NFX_ERR_IO, node.id, -1, "");
    }
  }
}

void RunState::destroy_instances() {
  for (auto& state : nodes_) {
    if (state->instance != nullptr) {
      try {
        state->plan->type->destroy(state->instance);
      } catch (...) {  // destroy never fails; a plugin that throws anyway is reported, not fatal
        log(NFX_LOG_WARNING, state->plan->id, "destroy: " + escaped_exception_message());
      }
    }
    state->instance = nullptr;
  }
}

void RunState::finish_nodes() {
  for (auto& state : nodes_) {
    const PlannedNode& node = *state->plan;
    if (node.type->finish == nullptr) continue;
    nfx_context ctx = node_context(node);
    nfx_status status = call_node(ctx, [&] { return node.type->finish(state->instance, &ctx); });
    if (status != NFX_OK) {
      throw RunError(error_location(ctx) + "node '" + node.id + "' (" + node.type->id +
                         "): failed at the end of the run: " + ctx.error,
                     status, node.id, -1, "");
    }
  }
}

}  // namespace nfx::detail
