// privacy.hold: keeps each detection alive for a few frames after the detector last saw it, so an object
// the detector misses in one frame is still painted out there.
#include "hold.hpp"
#include "privacy_nodes.hpp"

namespace nfx::privacy {

namespace {

class Hold : public nfx::Node {
 public:
  explicit Hold(nfx::Params& p)
      : holder_(p.get_int("frames"), static_cast<float>(p.get_float("match_distance"))) {}

  // Items arrive in order (the node is declared ordered), one per frame.
  void process(nfx::Context& ctx) override {
    ctx.output(0, boxes_tensor(holder_.update(ctx.item_index(), read_boxes(ctx.input(0)))));
  }

 private:
  BoxHolder holder_;
};

}  // namespace

void register_hold_node(nfx::PluginBuilder& plugin) {
  plugin.node<Hold>("privacy.hold", "Video: keeps each box for `frames` frames after it was last detected, so a "
                                    "missed frame never shows a face or plate")
      .input(nfx::port("boxes", NFX_KIND_BOXES, "this frame's boxes", NFX_DTYPE_F32, 2))
      .output(nfx::port("boxes", NFX_KIND_BOXES, "this frame's boxes plus the held ones", NFX_DTYPE_F32, 2))
      .param(nfx::int_param("frames", 5, "frames to keep a box after it was last seen", 0, 10000))
      .param(nfx::float_param("match_distance", 1.0, "a new box joins the held one (same class) whose predicted "
                              "centre is nearest, within this many times the new box's size", 0.0, 10.0))
      .ordered();
}

}  // namespace nfx::privacy
