// The host API table given to plugins, and the per-call context behind nfx_context.
#pragma once

#include "graph_plan.hpp"

#include <nfx/host.hpp>

#include <atomic>
#include <string>
#include <vector>

namespace nfx::detail {
class RunState;
}

// What a plugin's nfx_context* points to. Lives on the caller's stack for one call.
struct nfx_context {
  nfx::detail::RunState* run = nullptr;
  const nfx::detail::PlannedNode* node = nullptr;
  int node_index = -1;

  // create: the node's checked parameters
  const std::map<std::string, nfx::detail::ParamValue>* params = nullptr;

  // process / inverse: borrowed inputs (nullptr = unconnected) and outputs to fill
  const nfx::Value* const* inputs = nullptr;
  uint32_t input_count = 0;
  nfx::Value* outputs = nullptr;
  uint32_t output_count = 0;

  // the item in progress (-1 in create / finish)
  int64_t item_index = -1;
  std::string* item_name = nullptr;

  // what the call reported
  std::string error;
  std::string error_param;  // the parameter the error is about, when the node named one
  bool end_of_stream = false;
  int64_t item_count = -1;
  const std::atomic<bool>* cancelled = nullptr;
};

namespace nfx::detail {

const nfx_host_api* host_api_table();

// Routes a plugin's message to its run's log function; outside a run (init), warnings go to stderr.
void log_message(const nfx_context* ctx, nfx_log_level level, const std::string& message);

}  // namespace nfx::detail
