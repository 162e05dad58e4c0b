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

// Out = T^T G and Out = T^-T G: the adjoint layer, What(u,v)^H at every frequency.
template <typename T>
void periodic_adjoint_forward(View4<const T> kernel, View4<const T> g, View4<T> out, int threads = 0);
template <typename T>
void periodic_adjoint_inverse(View4<const T> kernel, View4<const T> g, View4<T> out, const SolveOptions& options = {});

// dL/dK of Y = T X given X and G = dL/dY: grad_kernel[o,c,a,b] = sum_{n,i,j} G[n,o,i,j] X at the tap (mod H, W).
template <typename T>
void periodic_weight_grad(View4<const T> x, View4<const T> grad_y, View4<T> grad_kernel, int threads = 0);

// Backward pass of Y = T^-1 X from the layer's output Y and G = dL/dY, with no matrix inverse:
// U = T^-T G, dL/dX = U, dL/dK = -(weight gradient of U against Y). The log|det| term is not included.
template <typename T>
void periodic_inverse_backward(View4<const T> kernel, View4<const T> y, View4<const T> grad_y, View4<T> grad_x,
                               View4<T> grad_kernel, const SolveOptions& options = {});

// log|det T| = sum over all H x W frequencies of log|det What(u,v)|, for one batch item. Throws
// KernelError::singular if some What(u,v) is exactly singular.
template <typename T>
double periodic_logdet(View4<const T> kernel, int64_t height, int64_t width);

// d(log|det T|)/dK for an H x W image, through the C x C inverse of What(u,v) at every frequency.
template <typename T>
void periodic_logdet_grad(View4<const T> kernel, int64_t height, int64_t width, View4<T> grad_kernel);

}  // namespace nfx::kernels
