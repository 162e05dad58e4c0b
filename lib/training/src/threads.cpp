#include <nfx/training/threads.hpp>

#include "process_threads.hpp"

namespace nfx::training {

void apply_thread_policy(const nfx::Params& params) { detail::set_thread_count_once(params.thread_count()); }
}  // namespace nfx::training
