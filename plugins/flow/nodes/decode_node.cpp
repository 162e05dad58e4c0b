// flow.decode: a latent back to its 8-bit image under a trained flow; its inverse is flow.encode
// (nfx.invertible.v1), and it keeps the model as learned state (nfx.trainable.v1).
#include "flow_codec.hpp"

namespace nfx::flow {

namespace {

class Decode : public nfx::Node, public nfx::Invertible, public FlowCodec {
 public:
  explicit Decode(nfx::Params& p) : FlowCodec(p) {}
  void process(nfx::Context& ctx) override { ctx.output(0, decode(ctx.input(0))); }
  void inverse(nfx::Context& ctx) override { ctx.output(0, encode(ctx.input(0))); }
  nfx::Tensor log_det(nfx::Context& ctx) override { return logdet_tensor(-encode_logdet_at_latent(ctx.input(0))); }
};

}  // namespace

void register_decode_node(nfx::PluginBuilder& plugin) {
  plugin.node<Decode>("flow.decode", "A latent back to its 8-bit image under a trained flow; invertible (the "
                                     "inverse is flow.encode) and trainable")
      .input(nfx::tensor_port("latent", kLatentDoc, NFX_DTYPE_F32, 1))
      .output(nfx::image_port("image", "HWC uint8 image"))
      .param(checkpoint_param());
}

}  // namespace nfx::flow
