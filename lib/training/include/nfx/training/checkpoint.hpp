// Checkpoints: one archive holding any number of named modules, optimizers and tensors, the values of a
// model spec chosen by the caller, the training progress and random-generator states, so a resumed run
// continues exactly where it stopped. Saving writes a temporary file and renames it, so a run killed (or a
// disk filling up) at any moment leaves the previous checkpoint intact.
#pragma once

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/serialize/archive.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace nfx::training {

// What a checkpoint says about how far training got.
struct Progress {
  int64_t epoch = 0, step = 0;
  double seconds = 0;      // training time so far, over every run
  double best = 0;         // the best validation figure so far (see LoopOptions::best)
  bool has_best = false;
};

// A checkpoint that cannot be read or written: the message names the file and what is wrong with it.
class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class CheckpointWriter {
 public:
  // `format` names the kind of checkpoint ("nfx-flow-checkpoint-1"); readers refuse any other.
  explicit CheckpointWriter(const std::string& format);

  void value(const std::string& key, const c10::IValue& value);  // one field of the spec
  void module(const std::string& name, const torch::nn::Module& module);
  void optimizer(const std::string& name, const torch::optim::Optimizer& optimizer);
  void tensor(const std::string& name, const torch::Tensor& tensor);
  void generator(const std::string& name, torch::Generator generator);
  void progress(const Progress& progress);
  // Anything else with its own archive format (an EMA copy, a data order).
  void part(const std::string& name, const std::function<void(torch::serialize::OutputArchive&)>& write);

  // Writes everything to `path` atomically (folders made as needed). Throws CheckpointError naming the file
  // when it cannot be written; the file that was there before stays as it was, and no temporary is left.
  void save(const std::string& path);

 private:
  torch::serialize::OutputArchive archive_;
};

class CheckpointReader {
 public:
  // Opens `path` and checks that it is a checkpoint of `format`. Throws CheckpointError naming the file if
  // it is missing, truncated or corrupt, or another kind of checkpoint.
  CheckpointReader(const std::string& path, const std::string& format);

  const std::string& path() const { return path_; }
  bool has(const std::string& key);

  // The spec fields written with CheckpointWriter::value; throws CheckpointError when absent or mistyped.
  int64_t integer(const std::string& key);
  double number(const std::string& key);
  std::string text(const std::string& key);
  bool boolean(const std::string& key);

  // Loads the named module's parameters and buffers into `module`: throws CheckpointError naming the file
  // and the module when it is absent or its tensors do not fit (a different model).
  void module(const std::string& name, torch::nn::Module& module);
  // Loads the optimizer's state if the checkpoint has it; returns whether it had.
  bool optimizer(const std::string& name, torch::optim::Optimizer& optimizer);
  torch::Tensor tensor(const std::string& name);
  // Restores a generator's state if the checkpoint has it; returns whether it had.
  bool generator(const std::string& name, torch::Generator& generator);
  Progress progress();
  // Reads a part written with CheckpointWriter::part; returns whether the checkpoint had it.
  bool part(const std::string& name, const std::function<void(torch::serialize::InputArchive&)>& read);

 private:
  c10::IValue value(const std::string& key);
  [[noreturn]] void fail(const std::string& message) const;

  std::string path_;
  torch::serialize::InputArchive archive_;
};

}  // namespace nfx::training
