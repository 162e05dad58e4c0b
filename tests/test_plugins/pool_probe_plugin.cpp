// A model plugin that only reports on the share threads of nfx::training: built twice (plugins probe_a and
// probe_b), so a test can load two model plugins into one host and see whether they share one pool.
#include <nfx/nfx.hpp>
#include <nfx/training/gradients.hpp>
#include <nfx/training/threads.hpp>

#include <torch/torch.h>

namespace {

// in.after orders it after another probe. Outputs the share threads started before and after
// it splits a small batch over two shares.
class Probe : public nfx::Node {
 public:
  explicit Probe(nfx::Params& p) { nfx::training::apply_thread_policy(p); }
  void process(nfx::Context& ctx) override {
    const double before = static_cast<double>(nfx::training::share_threads_started());
    const torch::Tensor w = torch::ones({1}, torch::requires_grad());
    nfx::training::ShareOptions shares;
    shares.threads = 2;
    nfx::training::combined_backward({w}, 4, [&](int64_t, int64_t count) { return w.sum() * static_cast<double>(count); },
                                     shares);
    ctx.output_scalar(0, before);
    ctx.output_scalar(1, static_cast<double>(nfx::training::share_threads_started()));
  }
};

}  // namespace

NFX_PLUGIN(NFX_PROBE_NAME, "1.0.0", "Reports the share threads of nfx::training (tests only)") {
  plugin.node<Probe>(NFX_PROBE_NAME ".probe", "Share threads started before and after splitting a batch in two")
      .input(nfx::port("after", NFX_KIND_SCALAR, "any scalar: the node runs after its producer"))
      .output(nfx::port("before", NFX_KIND_SCALAR, "share threads started before this node's batch"))
      .output(nfx::port("started", NFX_KIND_SCALAR, "share threads started after it"));
}
