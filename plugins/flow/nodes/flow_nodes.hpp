// Registration of the flow plugin's node types, and what they share.
#pragma once

#include "checkpoint.hpp"

#include <nfx/nfx.hpp>

#include <torch/torch.h>

namespace nfx::flow {

void register_train_node(nfx::PluginBuilder& plugin);   // flow.train
void register_sample_nodes(nfx::PluginBuilder& plugin); // flow.sample, flow.eval
void register_codec_nodes(nfx::PluginBuilder& plugin);  // flow.encode, flow.decode

// The trained model of a node that reads one (flow.sample, flow.eval, flow.encode, flow.decode), in eval
// mode, as the node's learned state: `state` in a graph swaps in another checkpoint's model.
class ModelState : public nfx::Trainable {
 public:
  explicit ModelState(const std::string& checkpoint) { load(checkpoint); }
  void save_state(nfx::Context&, const std::string& path) override { save_checkpoint(path, *model_, nullptr, {}); }
  void load_state(nfx::Context&, const std::string& path) override { load(path); }

 protected:
  std::shared_ptr<FlowModel> model_;

 private:
  void load(const std::string& checkpoint) {
    model_ = load_checkpoint(checkpoint).model;
    model_->eval();
  }
};

// An HWC uint8 image as a C x H x W uint8 tensor (a copy); `what` names it in the error for anything else.
torch::Tensor image_tensor(const DLTensor& image, const std::string& what);

// Images collected from an io source, by item index (so the order, and so the held-out split, does not
// depend on timing), stacked as N x C x H x W uint8. Throws nfx::Error naming two items of different
// sizes.
torch::Tensor stack_collected(const std::map<int64_t, torch::Tensor>& collected);

// Images in [0, 1) (N x C x H x W) as one uint8 grid image (HWC), `columns` images per row.
nfx::Tensor image_grid(const torch::Tensor& images, int64_t columns);

}  // namespace nfx::flow
