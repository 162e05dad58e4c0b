// Exactly invertible k x k convolutions with triangular (one-corner) padding, on the CPU.
//
// Top-left layer, cross-correlation as in conv2d with k-1 zero rows/columns above and to the left:
//   Y[n,o,i,j] = sum_{c,a,b} K[o,c,a,b] * X[n, c, i+a-(k-1), j+b-(k-1)]
// The other corners are the same layer on an input flipped in W, H or both (Y = F T F X), so every corner
// has the same centre tap Kc = K[:,:,k-1,k-1], the same invertibility condition (det Kc != 0) and the same
// log|det| = H*W*log|det Kc|.
//
// Arrays are compact NCHW (images) and (C, C, k, k) (kernels), float or double. Every function checks
// shapes and finiteness and throws KernelError (the output is then unspecified); `threads` = 0 uses every
// core, and results are bitwise the same for any thread count. The products and solves may write their
// output over their input (in place).
#pragma once

#include "nfx/kernels/tensor_view.hpp"

namespace nfx::kernels {

enum class Corner { top_left, top_right, bottom_left, bottom_right };
const char* corner_name(Corner corner);

struct SolveOptions {
  int threads = 0;
  // Pivots of Kc smaller than this in magnitude are refused (KernelError::near_singular).
  double min_pivot = 1e-6;
};

// Y = T X.
template <typename T>
void triangular_forward(View4<const T> kernel, Corner corner, View4<const T> x, View4<T> y, int threads = 0);

// X = T^-1 Y by anti-diagonal wavefront: H+W-1 dependent steps, the pixels of one diagonal in parallel.
template <typename T>
void triangular_inverse(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                        const SolveOptions& options = {});

// X = T^-1 Y by plain raster-order back-substitution on one thread: the baseline the wavefront is timed
// against.
template <typename T>
void triangular_inverse_raster(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                               const SolveOptions& options = {});

// Out = T^T G and Out = T^-T G (the adjoint layer: the opposite corner with channels transposed).
template <typename T>
void triangular_adjoint_forward(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                int threads = 0);
template <typename T>
void triangular_adjoint_inverse(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                const SolveOptions& options = {});

// dL/dK of Y = T X given X and G = dL/dY: grad_kernel[o,c,a,b] = sum_{n,i,j} G[n,o,i,j] * X at the tap.
template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            int threads = 0);

// Backward pass of Y = T^-1 X from the layer's output Y (not its input) and G = dL/dY, with no matrix
// inverse: U = T^-T G, dL/dX = U, dL/dK = -(weight gradient of U against Y). The log|det| term is not
// included (see triangular_logdet_grad).
template <typename T>
void triangular_inverse_backward(View4<const T> kernel, Corner corner, View4<const T> y, View4<const T> grad_y,
                                 View4<T> grad_x, View4<T> grad_kernel, const SolveOptions& options = {});

// Throws KernelError (singular or near_singular) naming the channel and the size of the failing pivot
// unless det Kc != 0 with every pivot at least options.min_pivot in magnitude. A lower-triangular Kc is
// checked on its diagonal (pivot c is Kc[c,c]); any other Kc by LU with partial pivoting.
template <typename T>
void check_invertible(View4<const T> kernel, double min_pivot = 1e-6);

// log|det T| = H*W*log|det Kc| for an H x W image (one batch item). O(C) for a lower-triangular Kc.
template <typename T>
double triangular_logdet(View4<const T> kernel, int64_t height, int64_t width);

// d(log|det T|)/dK: H*W*Kc^-T at the centre tap, zero elsewhere.
template <typename T>
void triangular_logdet_grad(View4<const T> kernel, int64_t height, int64_t width, View4<T> grad_kernel);

}  // namespace nfx::kernels
