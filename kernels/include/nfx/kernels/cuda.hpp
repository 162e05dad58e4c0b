// The CUDA back end (built when nvcc is found). Views point to device memory, kernels included; the small
// C x C algebra (pivot checks, folding Kc^-1 into the taps, What(u, v) and its LU factors) runs on the host
// in float64, exactly as on the CPU. `stream` is a cudaStream_t (nullptr: the default stream). Every function
// checks shapes and finiteness like the CPU back end and throws KernelError; CUDA failures throw
// std::runtime_error naming the call.
#pragma once

#include "nfx/kernels/triangular.hpp"

#include <string>

namespace nfx::kernels::cuda {

// Whether a CUDA device can be used; `why_not` says why when it cannot (no driver, no device, ...).
bool available(std::string* why_not = nullptr);
std::string device_name();

template <typename T>
void triangular_forward(View4<const T> kernel, Corner corner, View4<const T> x, View4<T> y, void* stream = nullptr);

// Wavefront inverse: one persistent cooperative kernel that takes the H+W-1 anti-diagonals in turn, with a
// grid-wide barrier between them and every pixel and channel of a diagonal in parallel. Unlike the CPU
// back end, outputs must not alias inputs.
template <typename T>
void triangular_inverse(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                        const SolveOptions& options = {}, void* stream = nullptr);

// The FInC scheme, for comparison only: one launch per diagonal and per channel, solving the channels of
// a pixel one after another. Needs a lower-triangular Kc.
template <typename T>
void triangular_inverse_per_channel(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                                    void* stream = nullptr);

template <typename T>
void triangular_adjoint_inverse(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                const SolveOptions& options = {}, void* stream = nullptr);

template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            void* stream = nullptr);

// Periodic convolution through cuFFT with one C x C product or solve per frequency.
template <typename T>
void periodic_forward(View4<const T> kernel, View4<const T> x, View4<T> y, void* stream = nullptr);
template <typename T>
void periodic_inverse(View4<const T> kernel, View4<const T> y, View4<T> x, const SolveOptions& options = {},
                      void* stream = nullptr);

}  // namespace nfx::kernels::cuda
