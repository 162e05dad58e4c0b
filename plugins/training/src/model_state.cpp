#include <nfx/training/model_state.hpp>

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
}

void ModelState::save_state(nfx::Context&, const std::string& path) {
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

ContextHooks::ContextHooks(Loop& loop, nfx::Context& ctx) : hooks_(loop.hooks()) {
  hooks_.cancelled = [&ctx] { return ctx.cancelled(); };
  hooks_.progress = [&ctx](double done, double total) { ctx.progress(done, total); };
  hooks_.log = [&ctx](const std::string& message) { ctx.log(NFX_LOG_INFO, message); };
}

ContextHooks::~ContextHooks() { hooks_ = LoopHooks{}; }

}  // namespace nfx::training
