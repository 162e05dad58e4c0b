#include <nfx/training/threads.hpp>

#include <ATen/Parallel.h>

#include <mutex>

namespace nfx::training {

void apply_thread_policy(const nfx::Params& params) {
  // Once per plugin library (each links this library statically); every plugin of one run asks for the
  // same count, so only the first call in the process changes anything.
  static std::once_flag applied;
  std::call_once(applied, [&] {
    const int threads = params.thread_count();
    if (at::get_num_threads() != threads) at::set_num_threads(threads);
  });
}

}  // namespace nfx::training
