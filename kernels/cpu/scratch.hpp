// Per-call resources of the CPU kernels: how many threads, and per-thread scratch memory reused across
// calls (fresh multi-megabyte buffers per call would pay page faults every time).
#pragma once

#include <cstdint>

namespace nfx::kernels::detail {

// `requested`, or every core for 0.
int thread_count(int requested);

// Uninitialized 64-byte-aligned storage owned by the calling thread; valid until that thread's next
// scratch() with the same slot. Grows, never shrinks.
template <typename T>
T* scratch(int slot, int64_t count);

}  // namespace nfx::kernels::detail
