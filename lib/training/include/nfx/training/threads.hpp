// The process's one thread policy for LibTorch (docs/plugin-guide.md, "Threads"). LibTorch's intra-op
// thread count is process-wide state: changing it while another node computes races with that node, and a
// thread that already ran a parallel operation keeps the count it started with. So no node sets it; every
// node that uses LibTorch calls apply_thread_policy in its constructor (create runs while nothing else of
// the graph runs), and the first call sets the count to the run's thread count (nfx run -j, else
// [graph] threads, else every core). Later calls leave it as it is.
#pragma once

#include <nfx/nfx.hpp>

namespace nfx::training {

void apply_thread_policy(const nfx::Params& params);

}  // namespace nfx::training
