// The scheduler's per-item and per-node state, shared by the files that implement RunState.
#pragma once

#include "scheduler.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nfx::detail {

struct RunState::Item {
  int64_t index = 0;
  std::string name;
  std::vector<Value> values;                    // every output of every node, see NodeState::first_value
  std::unique_ptr<std::atomic<int>[]> pending;  // per node: predecessors not finished yet
  std::atomic<int> nodes_left{0};
  std::atomic<bool> failed{false};
};

struct RunState::NodeState {
  const PlannedNode* plan = nullptr;
  int index = 0;
  void* instance = nullptr;
  size_t first_value = 0;
  bool exclusive = false;
  bool ordered = false;
  std::mutex gate;  // guards busy, waiting, next_ordered
  bool busy = false;
  std::deque<ItemPtr> waiting;
  std::map<int64_t, ItemPtr> waiting_ordered;
  int64_t next_ordered = 0;
};

}  // namespace nfx::detail
