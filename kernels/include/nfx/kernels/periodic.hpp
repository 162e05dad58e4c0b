// Periodic (circular) k x k convolutions on the CPU, through the 2-D DFT (FFTW3).
//
//   Y[n,o,i,j] = sum_{c,a,b} K[o,c,a,b] * X[n, c, (i+a-p) mod H, (j+b-p) mod W],   p = (k-1)/2
//
// The DFT turns the layer into one C x C complex matrix per frequency,
//   What(u,v) = sum_{a,b} K[:,:,a,b] exp(+2 pi i (u (a-p)/H + v (b-p)/W)),
// so forward, inverse and log|det| are per-frequency products, solves and determinants. Arrays are compact
// NCHW and (C, C, k, k), float or double; `threads` = 0 uses every core.
#pragma once

#include "nfx/kernels/tensor_view.hpp"
#include "nfx/kernels/triangular.hpp"  // SolveOptions

namespace nfx::kernels {

template <typename T>
void periodic_forward(View4<const T> kernel, View4<const T> x, View4<T> y, int threads = 0);

// Throws KernelError naming the frequency (u, v) and channel of a zero pivot (singular) or of one below
// options.min_pivot (near_singular); never divides by it.
template <typename T>
void periodic_inverse(View4<const T> kernel, View4<const T> y, View4<T> x, const SolveOptions& options = {});

// log|det T| = sum over all H x W frequencies of log|det What(u,v)|, for one batch item. Throws
// KernelError::singular if some What(u,v) is exactly singular.
template <typename T>
double periodic_logdet(View4<const T> kernel, int64_t height, int64_t width);

}  // namespace nfx::kernels
