// NCHW <-> NHWC conversion for the pixel engine, and per-thread scratch memory reused across calls
// (fresh multi-megabyte buffers per call would pay page faults every time).
#pragma once

#include <cstdint>
#include <memory>

namespace nfx::kernels::detail {

// NHWC here has `stride` >= channels values per pixel; nchw_to_nhwc zeroes the padding lanes.
// Single-threaded: callers split the batch between threads. nchw_to_nhwc returns whether every value was
// finite (checked on the way, saving a separate pass over memory).
template <typename T>
bool nchw_to_nhwc(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride);
template <typename T>
void nhwc_to_nchw(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride);

// Uninitialized 64-byte-aligned storage owned by the calling thread; valid until that thread's next
// scratch() with the same slot. Grows, never shrinks.
template <typename T>
T* scratch(int slot, int64_t count);

}  // namespace nfx::kernels::detail
