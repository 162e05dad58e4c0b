// The training loop every model plugin shares: epochs and/or a time budget that carries across resumed
// runs, cancellation, progress, validation at an interval with the best checkpoint kept beside the last,
// the curve, and checkpoints holding everything a resumed run needs to continue exactly as an
// uninterrupted one (the task's models and optimizers, progress, the curve, and the run's random
// generator, from which the task draws its data order and noise).
//
// A model plugin writes a Task (its steps, its validation, what it checkpoints) and lets a Loop run it.
#pragma once

#include <nfx/training/checkpoint.hpp>
#include <nfx/training/curve.hpp>

#include <torch/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace nfx::training {

struct LoopOptions {
  std::filesystem::path out;   // checkpoint.pt (the last state), best.pt, curve.csv and curve.png
  std::string format;          // the checkpoint format, e.g. "nfx-flow-checkpoint-1"
  double minutes = 10;         // training time over all runs; 0: no time limit
  int64_t epochs = 0;          // 0: no limit on epochs (one of the two limits must be set)
  int64_t steps_per_epoch = 0; // 0: the task's own (Task::steps_per_epoch, one pass over its data)
  int64_t validate_every = 1;  // epochs between validations; the last epoch is always validated
  std::string best;            // a validation figure (e.g. "bpd"): best.pt keeps the state where it was best
  bool higher_is_better = false;
  bool resume = true;          // continue from out/checkpoint.pt when it exists
  uint64_t seed = 0;           // the run's generator starts from it
};

// How the loop reaches its caller (a node's context, a test).
struct LoopHooks {
  std::function<bool()> cancelled = [] { return false; };
  std::function<void(double done, double total)> progress = [](double, double) {};
  std::function<void(const std::string&)> log = [](const std::string&) {};
};

// What a task sees of the run it is part of.
class Run {
 public:
  virtual ~Run() = default;
  // The run's generator: data order, noise, augmentation. Saved in every checkpoint and restored on resume.
  torch::Generator& generator() { return generator_; }
  uint64_t seed() const { return options_.seed; }
  const LoopOptions& options() const { return options_; }
  const Progress& progress() const { return progress_; }
  // The share of the training budget (time, or epochs where that ends sooner) spent so far, 0 to 1: what a
  // cosine schedule follows.
  double budget_used() const { return budget_used_; }
  bool cancelled() const { return hooks_.cancelled(); }
  void log(const std::string& message) const { hooks_.log(message); }
  // The caller may rebind the hooks between epochs (a node's context differs from call to call).
  LoopHooks& hooks() { return hooks_; }

 protected:
  Run(LoopOptions options, LoopHooks hooks);

  LoopOptions options_;
  LoopHooks hooks_;
  torch::Generator generator_;
  Progress progress_;
  double budget_used_ = 0.0;
};

class Task {
 public:
  virtual ~Task() = default;
  // Once, on a fresh start only (not when resuming), before the first epoch: data-dependent initialization.
  virtual void start(Run&) {}
  // One pass over the training data; LoopOptions::steps_per_epoch overrides it, so step() must take any
  // index.
  virtual int64_t steps_per_epoch() const = 0;
  // At the start of every epoch, e.g. to draw the order of the data from run.generator().
  virtual void begin_epoch(Run&) {}
  // One training step (for a GAN: one round of its alternating optimizers). Its figures, averaged over the
  // epoch, are the curve's train_<name> columns. Every step must return the same names.
  virtual Values step(Run& run, int64_t index) = 0;
  // Figures on held-out data: the curve's held_out_<name> columns.
  virtual Values validate(Run& run) = 0;
  // Models, optimizers, moving averages and the model spec into a checkpoint, and back; load throws
  // CheckpointError (CheckpointReader does) for a checkpoint of another model.
  virtual void save(CheckpointWriter& checkpoint) = 0;
  virtual void load(CheckpointReader& checkpoint) = 0;
};

struct EpochResult {
  int64_t epoch = 0;
  int64_t steps = 0;       // steps taken in this epoch (fewer than a full epoch when the budget ran out)
  Values train, held_out;  // held_out is empty when the epoch was not validated
  bool cancelled = false;
};

class Loop : public Run {
 public:
  // Throws std::invalid_argument when neither a time nor an epoch limit is set.
  Loop(Task& task, LoopOptions options, LoopHooks hooks = {});

  // Resumes from `state` when given, else from out/checkpoint.pt when it exists and options.resume; or
  // starts afresh (Task::start; an earlier run's checkpoints and curve in `out` are replaced when this
  // run's first checkpoint is written, not before). Throws CheckpointError for a checkpoint that cannot be
  // resumed from.
  void begin(const std::string& state = "");
  bool begun() const { return begun_; }
  bool done() const;

  // One epoch, or what the budget or a cancellation leaves of it; then (at the interval) validation, the
  // curve row and plot, and the checkpoints. A cancelled epoch is saved but not validated; called when
  // done(), it takes no step and changes nothing.
  EpochResult run_epoch();
  // begin() if needed, then epochs until done or cancelled.
  void run();

  // The whole state as a checkpoint at `path` (the SDK's trainable save_state), and back.
  void save(const std::string& path);
  void load(const std::string& path);

  std::filesystem::path checkpoint_path() const { return options_.out / "checkpoint.pt"; }
  std::filesystem::path best_path() const { return options_.out / "best.pt"; }

 private:
  // One snapshot of the state, written to each path (checkpoint.pt, and best.pt when it improved).
  void write_checkpoint(const std::vector<std::string>& paths);
  void read_checkpoint(const std::string& path);
  double budget_at(int64_t step, int64_t steps) const;
  bool out_of_time() const;

  Task& task_;
  bool begun_ = false;
  bool replacing_ = false;  // a fresh start over an earlier run's files, until its first checkpoint
  std::string curve_;       // the CSV text of the curve, saved in every checkpoint
};

}  // namespace nfx::training
