#include "checkpoint.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace nfx::flow {

namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "nfx-flow-checkpoint-1";

void write_spec(torch::serialize::OutputArchive& archive, const ModelSpec& s) {
  archive.write("format", c10::IValue(std::string(kFormat)));
  archive.write("spec.channels", c10::IValue(s.channels));
  archive.write("spec.height", c10::IValue(s.height));
  archive.write("spec.width", c10::IValue(s.width));
  archive.write("spec.levels", c10::IValue(s.levels));
  archive.write("spec.steps", c10::IValue(s.steps));
  archive.write("spec.hidden", c10::IValue(s.hidden));
  archive.write("spec.mixing", c10::IValue(s.mixing));
  archive.write("spec.coupling", c10::IValue(s.coupling));
  archive.write("spec.direction", c10::IValue(std::string(s.direction == Direction::inverse ? "inverse" : "standard")));
  archive.write("spec.condition_channels", c10::IValue(s.condition_channels));
}

c10::IValue read(torch::serialize::InputArchive& archive, const std::string& key, const std::string& path) {
  c10::IValue v;
  if (!archive.try_read(key, v)) throw std::runtime_error(path + ": not an nfx flow checkpoint (no '" + key + "')");
  return v;
}

ModelSpec read_spec(torch::serialize::InputArchive& archive, const std::string& path) {
  if (read(archive, "format", path).toStringRef() != kFormat) {
    throw std::runtime_error(path + ": unknown checkpoint format");
  }
  ModelSpec s;
  s.channels = read(archive, "spec.channels", path).toInt();
  s.height = read(archive, "spec.height", path).toInt();
  s.width = read(archive, "spec.width", path).toInt();
  s.levels = read(archive, "spec.levels", path).toInt();
  s.steps = read(archive, "spec.steps", path).toInt();
  s.hidden = read(archive, "spec.hidden", path).toInt();
  s.mixing = read(archive, "spec.mixing", path).toStringRef();
  s.coupling = read(archive, "spec.coupling", path).toStringRef();
  s.direction = read(archive, "spec.direction", path).toStringRef() == "inverse" ? Direction::inverse : Direction::standard;
  c10::IValue condition;  // absent from checkpoints written before conditional models
  if (archive.try_read("spec.condition_channels", condition)) s.condition_channels = condition.toInt();
  return s;
}

torch::serialize::InputArchive open(const std::string& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) throw std::runtime_error(path + ": no such checkpoint");
  torch::serialize::InputArchive archive;
  try {
    archive.load_from(path);
  } catch (const c10::Error&) {
    throw std::runtime_error(path + ": not a readable checkpoint (corrupt or another format)");
  }
  return archive;
}

TrainingProgress read_progress(torch::serialize::InputArchive& archive, const std::string& path) {
  TrainingProgress p;
  p.epoch = read(archive, "progress.epoch", path).toInt();
  p.step = read(archive, "progress.step", path).toInt();
  p.seconds = read(archive, "progress.seconds", path).toDouble();
  return p;
}

}  // namespace

void save_checkpoint(const std::string& path, FlowModel& model, torch::optim::Optimizer* optimizer,
                     const TrainingProgress& progress) {
  torch::serialize::OutputArchive archive;
  write_spec(archive, model.spec());
  archive.write("progress.epoch", c10::IValue(progress.epoch));
  archive.write("progress.step", c10::IValue(progress.step));
  archive.write("progress.seconds", c10::IValue(progress.seconds));
  torch::serialize::OutputArchive model_archive;
  model.save(model_archive);
  archive.write("model", model_archive);
  if (optimizer) {
    torch::serialize::OutputArchive optimizer_archive;
    optimizer->save(optimizer_archive);
    archive.write("optimizer", optimizer_archive);
  }
  const fs::path target(path);
  if (target.has_parent_path()) fs::create_directories(target.parent_path());
  const std::string temporary = path + ".partial";
  archive.save_to(temporary);
  fs::rename(temporary, target);  // atomic on one file system: the old checkpoint stays until this moment
}

Checkpoint load_checkpoint(const std::string& path) {
  torch::serialize::InputArchive archive = open(path);
  Checkpoint c;
  c.model = std::make_shared<FlowModel>(read_spec(archive, path));
  torch::serialize::InputArchive model_archive;
  if (!archive.try_read("model", model_archive)) throw std::runtime_error(path + ": the checkpoint holds no model");
  c.model->load(model_archive);
  c.progress = read_progress(archive, path);
  return c;
}

void load_into(const std::string& path, FlowModel& model, torch::optim::Optimizer& optimizer, TrainingProgress& progress) {
  torch::serialize::InputArchive archive = open(path);
  const ModelSpec stored = read_spec(archive, path);
  const ModelSpec& s = model.spec();
  if (stored.channels != s.channels || stored.height != s.height || stored.width != s.width ||
      stored.levels != s.levels || stored.steps != s.steps || stored.hidden != s.hidden || stored.mixing != s.mixing ||
      stored.coupling != s.coupling || stored.direction != s.direction || stored.condition_channels != s.condition_channels) {
    throw std::runtime_error(path + ": the checkpoint was trained with a different model; delete it or choose "
                             "another checkpoint path to start afresh");
  }
  torch::serialize::InputArchive model_archive, optimizer_archive;
  if (!archive.try_read("model", model_archive)) throw std::runtime_error(path + ": the checkpoint holds no model");
  model.load(model_archive);
  if (archive.try_read("optimizer", optimizer_archive)) optimizer.load(optimizer_archive);
  progress = read_progress(archive, path);
}

}  // namespace nfx::flow
