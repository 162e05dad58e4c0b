// What the nodes of a model plugin share with the SDK. ModelState: nfx.trainable.v1 for an inference node
// whose learned state is a checkpointed model (`state` in a graph swaps in another checkpoint). LoopState:
// the same for a training node, whose state is its whole Loop (models, optimizers, progress, generator).
// ContextHooks: a Loop reporting to the node's context during one call.
#pragma once

#include <nfx/training/checkpoint.hpp>
#include <nfx/training/loop.hpp>

#include <nfx/nfx.hpp>

#include <functional>
#include <optional>
#include <string>

namespace nfx::training {

class ModelState : public nfx::Trainable {
 public:
  using Load = std::function<void(CheckpointReader&)>;
  using Save = std::function<void(CheckpointWriter&)>;
  // `load` rebuilds the model from a checkpoint of `format`; `save` writes it (and its spec).
  ModelState(std::string format, Load load, Save save);

  // Loads a checkpoint; throws nfx::Error (NFX_ERR_IO) naming the file for a missing, corrupt or
  // mismatched one.
  void load(const std::string& path);

  // Writes back the checkpoint the model was loaded from, byte for byte: an inference node does not change
  // its model, and a training checkpoint named as its state keeps its optimizers and progress. `save` is
  // used only for a model that was not loaded from a file.

  void save_state(nfx::Context& ctx, const std::string& path) override;
  void load_state(nfx::Context& ctx, const std::string& path) override;

 private:
  std::string format_;
  Load load_;
  Save save_;
  std::string loaded_;  // the bytes of the checkpoint last loaded
};

class LoopState : public nfx::Trainable {
 public:
  void save_state(nfx::Context& ctx, const std::string& path) override;
  // Before the loop exists (a train node builds it once its data is known) the path is kept and
  // pending_state() hands it to Loop::begin.
  void load_state(nfx::Context& ctx, const std::string& path) override;

 protected:
  // The node's loop, or nullptr while it has none yet.
  virtual Loop* loop() = 0;
  std::string pending_state() const { return pending_.value_or(""); }

 private:
  std::optional<std::string> pending_;
};

// For the length of one node call: the loop's cancellation, progress and log go to `ctx`, and back to
// nothing when the call ends (the context does not outlive the call).
class ContextHooks {
 public:
  ContextHooks(Loop& loop, nfx::Context& ctx);
  ~ContextHooks();
  ContextHooks(const ContextHooks&) = delete;
  ContextHooks& operator=(const ContextHooks&) = delete;

 private:
  LoopHooks& hooks_;
};

}  // namespace nfx::training
