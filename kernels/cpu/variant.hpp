// Compiles the code between NFX_VARIANT_BEGIN and NFX_VARIANT_END for one instruction-set variant, in a
// namespace of its own (detail::baseline, detail::avx2 or detail::avx512). CMake compiles each hot source
// once per variant with NFX_VARIANT_AVX2 or NFX_VARIANT_AVX512 defined (neither: baseline).
//
// The target is set with `#pragma GCC target` after every #include, not with -m flags for the whole file:
// inline functions and templates from headers (std::vector, ...) then stay compiled for the baseline, so
// the linker, which keeps one copy of each, can never pick an AVX-512 copy for code that runs on any CPU.
// Include this header last.
#pragma once

#include "vector_types.hpp"

#if defined(NFX_VARIANT_AVX512)
#define NFX_VARIANT avx512
#define NFX_VARIANT_TARGET_BEGIN \
  _Pragma("GCC push_options") _Pragma("GCC target(\"avx512f,avx512bw,avx512dq,avx512vl,avx2,fma\")")
#define NFX_VARIANT_TARGET_END _Pragma("GCC pop_options")
#elif defined(NFX_VARIANT_AVX2)
#define NFX_VARIANT avx2
#define NFX_VARIANT_TARGET_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma\")")
#define NFX_VARIANT_TARGET_END _Pragma("GCC pop_options")
#else
#define NFX_VARIANT baseline
#define NFX_VARIANT_TARGET_BEGIN
#define NFX_VARIANT_TARGET_END
#endif

#define NFX_VARIANT_BEGIN NFX_VARIANT_TARGET_BEGIN namespace nfx::kernels::detail::NFX_VARIANT {
#define NFX_VARIANT_END } NFX_VARIANT_TARGET_END

#if defined(NFX_VARIANT_AVX512)
#define NFX_VARIANT_VECTOR_BYTES 64
#define NFX_VARIANT_VECTOR_REGISTERS 32
#elif defined(NFX_VARIANT_AVX2)
#define NFX_VARIANT_VECTOR_BYTES 32
#define NFX_VARIANT_VECTOR_REGISTERS 16
#else
// SSE2 on x86-64; on other architectures generic 16-byte vectors (NEON, VSX, ...), compiled but not tuned.
#define NFX_VARIANT_VECTOR_BYTES 16
#define NFX_VARIANT_VECTOR_REGISTERS 16
#endif

namespace nfx::kernels::detail::NFX_VARIANT {

// The variant's vector registers: how many, and what they hold.
constexpr int kVectorBytes = NFX_VARIANT_VECTOR_BYTES;
constexpr int kVectorRegisters = NFX_VARIANT_VECTOR_REGISTERS;
template <typename T>
using Vec = typename VectorTypes<T, kVectorBytes>::aligned;
template <typename T>
using VecU = typename VectorTypes<T, kVectorBytes>::unaligned;
template <typename T>
using VecIndex = typename VectorTypes<T, kVectorBytes>::index;
template <typename T>
constexpr int kLanes = kVectorBytes / static_cast<int>(sizeof(T));

}  // namespace nfx::kernels::detail::NFX_VARIANT
