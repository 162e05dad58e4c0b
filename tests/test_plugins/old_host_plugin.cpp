// A plugin built with this SDK, for tests that load it by hand with the host table of an older ABI minor.
// Its one node refuses its parameters with a ParamError, which on a 1.1 or later host also names the
// parameter (set_error_param), a function a 1.0 host does not have, and says the thread count it was
// given (thread_count, which hosts before 1.2 do not have).
#include <nfx/nfx.hpp>

namespace {

class Refuse : public nfx::Node {
 public:
  explicit Refuse(nfx::Params& p) {
    throw nfx::ParamError("level", "level does not fit; threads " + std::to_string(p.thread_count()));
  }
  void process(nfx::Context&) override {}
};

}  // namespace

NFX_PLUGIN("old_host", "1.0.0", "loaded by hand with an older host table") {
  plugin.node<Refuse>("old_host.refuse", "refuses its parameters").param(nfx::int_param("level", 1, "a level"));
}
