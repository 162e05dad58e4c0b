// What the nodes of a model plugin share with the SDK. ModelState: nfx.trainable.v1 for an inference node
// whose learned state is a checkpointed model (`state` in a graph swaps in another checkpoint). LoopState:
// the same for a training node, whose state is its whole Loop (models, optimizers, progress, generator).
// ContextHooks: a Loop reporting to the node's context during one call.
#pragma once

#include <nfx/training/checkpoint.hpp>
#include <nfx/training/loop.hpp>

#include <nfx/nfx.hpp>

#include <functional>
#include <memory>
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

// What a train node derives from: it owns the node's task and loop, drives them from node calls, and is
// the node's nfx.trainable.v1 (state = "file" in a graph saves and resumes the whole run).
class LoopState : public nfx::Trainable {
 public:
  void save_state(nfx::Context& ctx, const std::string& path) override;
  // Before the loop exists (a train node makes it once its data is known) the path is kept, and the loop
  // begins from it.
  void load_state(nfx::Context& ctx, const std::string& path) override;

 protected:
  // The loop over `task`, made once the node's data is known.
  void make_loop(std::unique_ptr<Task> task, const LoopOptions& options);
  // The node's loop, or nullptr before make_loop.
  Loop* loop() const { return loop_.get(); }

  // For a train node that is a source, one epoch per item: the next epoch as this call's item, named
  // "epoch N", with the first held-out figure on output 0 and the first training figure on output 1. The
  // first call begins the loop (from the graph's state file, else out/checkpoint.pt, else afresh).
  // Returns false, taking no step, once the loop is done: the node then ends its stream.
  bool run_epoch_item(nfx::Context& ctx);
  // For a train node that trains in one call (at the end of a run, in finish): begins and runs every epoch.
  void run_all(nfx::Context& ctx);

 private:
  void begin();  // Loop::begin, a checkpoint that cannot be resumed from as an nfx::Error (NFX_ERR_IO)

  std::optional<std::string> pending_;
  std::unique_ptr<Task> task_;  // before loop_, so the loop goes first
  std::unique_ptr<Loop> loop_;
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
