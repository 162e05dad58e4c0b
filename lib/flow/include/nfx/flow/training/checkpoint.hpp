// A FlowModel in an nfx::training checkpoint: its spec as values and its weights as the module "model".
#pragma once

#include <nfx/flow/model.hpp>
#include <nfx/training/checkpoint.hpp>

#include <memory>
#include <string>

namespace nfx::flow {

inline constexpr const char* kCheckpointFormat = "nfx-flow-checkpoint-1";

void write_model(training::CheckpointWriter& checkpoint, const FlowModel& model);
// Rebuilds the model from the stored spec and loads its weights.
std::shared_ptr<FlowModel> read_model(training::CheckpointReader& checkpoint);
// Loads the stored weights into `model`; throws training::CheckpointError naming the file when they were
// trained with another spec.
void read_model_into(training::CheckpointReader& checkpoint, FlowModel& model);

// A checkpoint holding only the model, and the model of any flow checkpoint. Both throw
// training::CheckpointError naming the file.
void save_model(const std::string& path, const FlowModel& model);
std::shared_ptr<FlowModel> load_model(const std::string& path);

}  // namespace nfx::flow
