// flow.encode: an 8-bit image to its latent under a trained flow; its inverse is flow.decode
// (nfx.invertible.v1), and it keeps the model as learned state (nfx.trainable.v1), so a graph can invert it
// or load other weights with `state`.
#include "flow_codec.hpp"

namespace nfx::flow {

namespace {

class Encode : public nfx::Node, public nfx::Invertible, public FlowCodec {
 public:
  explicit Encode(nfx::Params& p) : FlowCodec(p) {}
  void process(nfx::Context& ctx) override { ctx.output(0, encode(ctx.input(0))); }
  void inverse(nfx::Context& ctx) override { ctx.output(0, decode(ctx.input(0))); }
  // Of the map from [0, 1) pixels to the latent (not counting the 1/256 scaling).
  nfx::Tensor log_det(nfx::Context& ctx) override {
    double ld = 0.0;
    encode(ctx.input(0), &ld);
    return logdet_tensor(ld);
  }
};

}  // namespace

void register_encode_node(nfx::PluginBuilder& plugin) {
  plugin.node<Encode>("flow.encode", "An 8-bit image to its latent under a trained flow (pixels at the centres "
                                     "of their 1/256 bins); invertible (the inverse is flow.decode) and trainable")
      .input(nfx::image_port("image", "HWC uint8 image of the model's size and channels"))
      .output(nfx::tensor_port("latent", kLatentDoc, NFX_DTYPE_F32, 1))
      .param(checkpoint_param());
}

}  // namespace nfx::flow
