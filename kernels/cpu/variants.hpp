// What each instruction-set variant compiles (the sources that include variant.hpp), declared once for
// every variant namespace, and the dispatch to the variant in use.
#pragma once

#include "nfx/kernels/cpu.hpp"
#include "nfx/kernels/tensor_view.hpp"
#include "nfx/kernels/triangular.hpp"

#include <complex>
#include <cstdint>

namespace nfx::kernels::detail {

// One triangular layer call: the product A in or the solve A x = rhs, with A = T or T^T (transposed).
struct LayerCall {
  bool transposed;
  Corner corner;
  bool solve;
  double min_pivot;
};

// The four per-frequency maps of the periodic layer: T, T^-1, T^T and T^-T.
enum class FrequencyOp { multiply, solve, multiply_adjoint, solve_adjoint };

}  // namespace nfx::kernels::detail

// clang-format off
#define NFX_VARIANT_FUNCTIONS                                                                                   \
  /* pixel_engine.cpp: result = A source, or the solve; false (result unspecified) on a NaN or infinity  \
     in source. Arrays are NCHW, batch x C x height x width. Throws KernelError for a singular A. */     \
  template <typename T>                                                                                       \
  bool run_layer(View4<const T> kernel, const LayerCall& call, int64_t batch, int64_t height, int64_t width,  \
                 const T* source, T* result, int threads);                                                    \
  /* layout.cpp: NCHW <-> NHWC with `stride` >= channels values per pixel, padding lanes zeroed;        \
     nchw_to_nhwc returns whether every value was finite. Single-threaded. */                            \
  template <typename T>                                                                                       \
  bool nchw_to_nhwc(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride);    \
  template <typename T>                                                                                       \
  void nhwc_to_nchw(const T* src, T* dst, int64_t batch, int64_t channels, int64_t plane, int64_t stride);    \
  /* weight_grad.cpp: the triangular weight gradient, arguments checked. */                             \
  template <typename T>                                                                                       \
  void weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel, int threads); \
  /* frequency_algebra.cpp: LU with partial pivoting of one row-major C x C matrix in place; returns    \
     the column of the first pivot below min_pivot (or zero), else -1. */                               \
  int64_t factor_frequency(std::complex<double>* matrix, int64_t* pivots, int64_t c, double min_pivot);       \
  /* out = op(W) in for `count` vectors split into real and imaginary planes [channel][vector]; W is    \
     What, or its LU factors for the solves. Overwrites `in`. */                                         \
  void apply_frequency(FrequencyOp op, const std::complex<double>* matrix, const int64_t* pivots, int64_t c,  \
                       double* in_re, double* in_im, double* out_re, double* out_im, int64_t count);          \
  /* m (interleaved complex) += (tr + i ti) a, for `count` real a: one tap's share of What(u, v). */      \
  void add_scaled(double tr, double ti, const double* a, double* m, int64_t count);
// clang-format on

namespace nfx::kernels::detail::baseline {
NFX_VARIANT_FUNCTIONS
}
#if NFX_KERNELS_X86_VARIANTS
namespace nfx::kernels::detail::avx2 {
NFX_VARIANT_FUNCTIONS
}
namespace nfx::kernels::detail::avx512 {
NFX_VARIANT_FUNCTIONS
}
// Returns `call` (a function of the variant namespaces, with its arguments) run by `variant`.
#define NFX_DISPATCH_TO(variant, call)                                                    \
  switch (variant) {                                                                      \
    case ::nfx::kernels::CpuVariant::avx512: return ::nfx::kernels::detail::avx512::call; \
    case ::nfx::kernels::CpuVariant::avx2: return ::nfx::kernels::detail::avx2::call;     \
    default: return ::nfx::kernels::detail::baseline::call;                               \
  }
#else
#define NFX_DISPATCH_TO(variant, call) \
  static_cast<void>(variant);          \
  return ::nfx::kernels::detail::baseline::call;
#endif
// The same by the variant in use.
#define NFX_DISPATCH(call) NFX_DISPATCH_TO(::nfx::kernels::cpu_variant(), call)
