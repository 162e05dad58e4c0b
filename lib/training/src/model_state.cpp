#include <nfx/training/model_state.hpp>

#include <fstream>
#include <iterator>

namespace nfx::training {

ModelState::ModelState(std::string format, Load load, Save save)
    : format_(std::move(format)), load_(std::move(load)), save_(std::move(save)) {}

void ModelState::load(const std::string& path) {
  try {
    CheckpointReader checkpoint(path, format_);
    load_(checkpoint);
  } catch (const CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
  std::ifstream in(path, std::ios::binary);
  loaded_.assign(std::istreambuf_iterator<char>(in), {});
}

void ModelState::save_state(nfx::Context&, const std::string& path) {
  if (!loaded_.empty()) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(loaded_.data(), static_cast<std::streamsize>(loaded_.size()));
    out.flush();
    if (!out) throw nfx::Error(path + ": cannot write the model's checkpoint (disk full?)", NFX_ERR_IO);
    return;
  }
  try {
    CheckpointWriter checkpoint(format_);
    save_(checkpoint);
    checkpoint.save(path);
  } catch (const CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
}

void ModelState::load_state(nfx::Context&, const std::string& path) { load(path); }

void LoopState::save_state(nfx::Context&, const std::string& path) {
  Loop* l = loop();
  if (!l || !l->begun()) throw nfx::Error("nothing was trained, so there is no state to save", NFX_ERR_UNSUPPORTED);
  try {
    l->save(path);
  } catch (const CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
}

void LoopState::load_state(nfx::Context&, const std::string& path) {
  Loop* l = loop();
  if (!l) {
    pending_ = path;
    return;
  }
  try {
    l->load(path);
  } catch (const CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
}

void LoopState::make_loop(std::unique_ptr<Task> task, const LoopOptions& options) {
  loop_.reset();
  task_ = std::move(task);
  loop_ = std::make_unique<Loop>(*task_, options);
}

void LoopState::begin() {
  try {
    loop_->begin(pending_.value_or(""));
  } catch (const CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
}

bool LoopState::run_epoch_item(nfx::Context& ctx) {
  if (loop_->options().epochs > 0) ctx.set_item_count(loop_->options().epochs);
  const ContextHooks hooks(*loop_, ctx);
  if (!loop_->begun()) begin();
  if (loop_->done()) return false;
  const EpochResult epoch = loop_->run_epoch();
  ctx.set_item_name("epoch " + std::to_string(epoch.epoch));
  if (!epoch.held_out.empty()) ctx.output_scalar(0, epoch.held_out.front().second);
  if (!epoch.train.empty()) ctx.output_scalar(1, epoch.train.front().second);
  return true;
}

void LoopState::run_all(nfx::Context& ctx) {
  const ContextHooks hooks(*loop_, ctx);
  begin();
  loop_->run();
}

ContextHooks::ContextHooks(Loop& loop, nfx::Context& ctx) : hooks_(loop.hooks()) {
  hooks_.cancelled = [&ctx] { return ctx.cancelled(); };
  hooks_.progress = [&ctx](double done, double total) { ctx.progress(done, total); };
  hooks_.log = [&ctx](const std::string& message) { ctx.log(NFX_LOG_INFO, message); };
}

ContextHooks::~ContextHooks() { hooks_ = LoopHooks{}; }

}  // namespace nfx::training
