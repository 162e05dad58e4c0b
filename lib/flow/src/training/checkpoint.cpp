#include <nfx/flow/training/checkpoint.hpp>

namespace nfx::flow {

namespace {

ModelSpec read_spec(training::CheckpointReader& c) {
  ModelSpec s;
  s.channels = c.integer("spec.channels");
  s.height = c.integer("spec.height");
  s.width = c.integer("spec.width");
  read_layer_fields(s, [&](const std::string& field) { return c.integer("spec." + field); },
                    [&](const std::string& field) { return c.text("spec." + field); });
  if (c.has("spec.condition_channels")) s.condition_channels = c.integer("spec.condition_channels");  // absent before conditional models
  return s;
}

bool same(const ModelSpec& a, const ModelSpec& b) {
  return a.channels == b.channels && a.height == b.height && a.width == b.width && a.levels == b.levels &&
         a.steps == b.steps && a.hidden == b.hidden && a.mixing == b.mixing && a.coupling == b.coupling &&
         a.direction == b.direction && a.condition_channels == b.condition_channels;
}

}  // namespace

void write_model(training::CheckpointWriter& c, const FlowModel& model) {
  const ModelSpec& s = model.spec();
  c.value("spec.channels", s.channels);
  c.value("spec.height", s.height);
  c.value("spec.width", s.width);
  c.value("spec.levels", s.levels);
  c.value("spec.steps", s.steps);
  c.value("spec.hidden", s.hidden);
  c.value("spec.mixing", s.mixing);
  c.value("spec.coupling", s.coupling);
  c.value("spec.direction", std::string(s.direction == Direction::inverse ? "inverse" : "standard"));
  c.value("spec.condition_channels", s.condition_channels);
  c.module("model", model);
}

std::shared_ptr<FlowModel> read_model(training::CheckpointReader& c) {
  ModelSpec spec = read_spec(c);
  try {
    check_spec(spec);
  } catch (const SpecError& e) {
    throw training::CheckpointError(c.path() + ": the stored model spec cannot be built (" + e.what() + ")");
  }
  auto model = std::make_shared<FlowModel>(spec);
  c.module("model", *model);
  return model;
}

void read_model_into(training::CheckpointReader& c, FlowModel& model) {
  if (!same(read_spec(c), model.spec())) {
    throw training::CheckpointError(c.path() + ": the checkpoint was trained with a different model; delete it or "
                                    "choose another checkpoint path to start afresh");
  }
  c.module("model", model);
}

void save_model(const std::string& path, const FlowModel& model) {
  training::CheckpointWriter c(kCheckpointFormat);
  write_model(c, model);
  c.save(path);
}

std::shared_ptr<FlowModel> load_model(const std::string& path) {
  training::CheckpointReader c(path, kCheckpointFormat);
  return read_model(c);
}

}  // namespace nfx::flow
