// Registration of the flow plugin's node types, and what they share.
#pragma once

#include <nfx/flow/training/checkpoint.hpp>
#include <nfx/training/facts.hpp>
#include <nfx/training/images.hpp>
#include <nfx/training/model_state.hpp>
#include <nfx/training/threads.hpp>

#include <nfx/nfx.hpp>

namespace nfx::flow {

using training::image_grid;
using training::image_tensor;
using training::stack_collected;

void register_train_node(nfx::PluginBuilder& plugin);   // flow.train
void register_eval_node(nfx::PluginBuilder& plugin);    // flow.eval
void register_sample_node(nfx::PluginBuilder& plugin);  // flow.sample
void register_encode_node(nfx::PluginBuilder& plugin);  // flow.encode
void register_decode_node(nfx::PluginBuilder& plugin);  // flow.decode

// The trained model of a node that reads one (flow.sample, flow.eval, flow.encode, flow.decode), its
// `checkpoint` parameter, in eval mode, as the node's learned state: `state` in a graph swaps in another
// checkpoint's model. `nfx inspect` shows the model's layers and parameter count.
class ModelState : public training::ModelState, public nfx::Describable {
 public:
  explicit ModelState(const nfx::Params& p)
      : training::ModelState(
            kCheckpointFormat,
            [this](training::CheckpointReader& c) {
              model_ = read_model(c);
              model_->eval();
            },
            [this](training::CheckpointWriter& c) { write_model(c, *model_); }) {
    training::apply_thread_policy(p);
    load(p.get_string("checkpoint"));
  }

  training::Facts describe(nfx::Context&) override {
    const ModelSpec& s = model_->spec();
    return {{"images", std::to_string(s.channels) + " x " + std::to_string(s.height) + " x " + std::to_string(s.width)},
            {"layers", describe_layers(s)},
            {"parameters", training::with_commas(training::count_elements(model_->parameters()))}};
  }

 protected:
  std::shared_ptr<FlowModel> model_;
};

}  // namespace nfx::flow
