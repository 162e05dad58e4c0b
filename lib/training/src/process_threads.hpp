// The process-wide thread state of nfx::training, built as its own shared library
// (libnfx_training_threads.so) so that it exists once per process however many plugins link the
// training library: LibTorch's thread count, set once, and the share threads.
//
// The threads that run the shares of a batch (gradients.cpp): started on first use, kept for the life of
// the process. Each runs LibTorch single-threaded. OpenMP's thread count is a setting of the thread that
// makes it, so it is set once, when a thread starts, and nothing process-wide changes. New threads per step
// would cost more: LibTorch's first parallel operation on a thread rebuilds its process-wide pthreadpool,
// whose workers then spin beside the shares (measured: 25% slower steps on 2 cores).
#pragma once

#include <functional>
#include <vector>

namespace nfx::training::detail {

// Runs every task, each on a share thread, and returns when all have finished. Tasks must not throw.
// Several callers may run at once. When no thread can be started, the tasks run on the caller's thread.
void run_on_share_threads(const std::vector<std::function<void()>>& tasks);

// Sets LibTorch's intra-op thread count to `threads` on the first call in the process; later calls change
// nothing (threads.hpp says why).
void set_thread_count_once(int threads);

}  // namespace nfx::training::detail
