// The one place where the gradients of a step are combined. A step's batch is cut into shares; each share's
// loss is differentiated on its own thread, and the shares' gradients are added in a fixed order, so the
// result is the gradient of the whole batch, independent of timing. With accumulation, the batch is first
// cut into micro-batches taken one after another (memory bounded by a micro-batch). Multi-process
// data-parallel training will all-reduce the summed gradients here, so models never change for it.
#pragma once

#include <torch/types.h>

#include <functional>
#include <vector>

namespace nfx::training {

// The share threads started so far in this process: started on first use, kept for the life of the process,
// one pool however many plugins link this (shared) library.
size_t share_threads_started();

struct ShareOptions {
  int threads = 0;           // shares per micro-batch; 0: LibTorch's intra-op thread count (the process policy)
  int64_t accumulation = 1;  // micro-batches per step, one after another
};

// The loss of rows [first, first + count) of the batch, scaled so that the shares' losses add up to the
// batch's loss (for a mean over the batch: the share's sum divided by the whole batch size). Called on
// several threads at once; it must not change state other calls read.
using ShareLoss = std::function<torch::Tensor(int64_t first, int64_t count)>;

// Sets the `.grad()` of every tensor in `parameters` to the gradient of the batch's loss (the sum over all
// shares; parameters no share reaches get an undefined gradient) and returns that loss. Each share runs on
// a thread of its own with LibTorch single-threaded in it: the shares are the parallelism, and no
// process-wide setting is changed. An exception thrown by any share is rethrown here, after every share
// has finished.
double combined_backward(const std::vector<torch::Tensor>& parameters, int64_t batch_size, const ShareLoss& loss,
                         const ShareOptions& options = {});

}  // namespace nfx::training
