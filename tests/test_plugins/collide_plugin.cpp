// A second "core" plugin declaring core.identity again: the host must refuse it, naming the first one.
#include <nfx/nfx.hpp>

namespace {
class Identity : public nfx::Node {
 public:
  explicit Identity(nfx::Params&) {}
  void process(nfx::Context& ctx) override { ctx.forward(0, 0); }
};
}  // namespace

NFX_PLUGIN("core", "9.9.9", "A duplicate of core") {
  plugin.node<Identity>("core.identity", "duplicate").input(nfx::any_port("value", "")).output(nfx::any_port("value", ""));
}
