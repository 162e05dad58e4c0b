// Runs a LayerPlan over pixels, diagonal by diagonal: the forward product (any order) and the wavefront
// solve (anti-diagonal d = ci + cj only after d - 1). Pixel instances (pixel, batch item) of one diagonal
// are independent; they are grouped so several accumulate at once (hiding FMA latency), vectorized
// across output channels, and spread over threads. Each instance is computed the same way whatever the
// grouping or thread count, so results are bitwise reproducible.
#pragma once

#include "layer_plan.hpp"

namespace nfx::kernels::detail {

// out = A in (all taps). All arrays are NCHW; the engine works on NHWC copies internally. Both functions
// return false, with the output unspecified, if their input holds a NaN or an infinity.
template <typename T>
bool run_product(const LayerPlan<T>& plan, int64_t batch, const T* in, T* out, int threads);

// Solves A x = rhs for x; the plan must have been made with solve = true.
template <typename T>
bool run_solve(const LayerPlan<T>& plan, int64_t batch, const T* rhs, T* x, int threads);

int thread_count(int requested);

}  // namespace nfx::kernels::detail
