// Input checks shared by the kernels: shapes that fit together, finite values.
#pragma once

#include "nfx/kernels/tensor_view.hpp"

#include <cmath>
#include <cstring>
#include <type_traits>
#include <string>

namespace nfx::kernels::detail {

inline std::string shape_string(int64_t n, int64_t c, int64_t h, int64_t w) {
  return std::to_string(n) + " x " + std::to_string(c) + " x " + std::to_string(h) + " x " + std::to_string(w);
}

template <typename T>
std::string shape_string(View4<T> v) {
  return shape_string(v.n, v.c, v.h, v.w);
}

// A square (C, C, k, k) kernel with C, k >= 1.
template <typename T>
void check_kernel_shape(View4<T> kernel) {
  if (kernel.data == nullptr || kernel.n < 1 || kernel.n != kernel.c || kernel.h < 1 || kernel.h != kernel.w) {
    throw KernelError(KernelError::Kind::shape, "kernel: expected C x C x k x k with C, k >= 1, got " +
                                                    shape_string(kernel));
  }
}

// `image` is (B, C, H, W) with B, H, W >= 1 and C the kernel's channel count.
template <typename T>
void check_image_shape(View4<T> image, int64_t channels, const char* name) {
  if (image.data == nullptr || image.n < 1 || image.h < 1 || image.w < 1 || image.c != channels) {
    throw KernelError(KernelError::Kind::shape, std::string(name) + ": expected B x " + std::to_string(channels) +
                                                    " x H x W (the kernel has " + std::to_string(channels) +
                                                    " channels), got " + shape_string(image));
  }
}

template <typename A, typename B>
void check_same_shape(View4<A> a, const char* a_name, View4<B> b, const char* b_name) {
  if (b.data == nullptr || a.n != b.n || a.c != b.c || a.h != b.h || a.w != b.w) {
    throw KernelError(KernelError::Kind::shape, std::string(b_name) + ": expected the shape of " + a_name + ", " +
                                                    shape_string(a) + ", got " + shape_string(b));
  }
}

// True when every value is finite. Tests the exponent bits so the loop vectorizes (a full pass per call).
template <typename T>
bool all_finite(const T* data, int64_t size) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  constexpr Bits exponent = static_cast<Bits>(sizeof(T) == 4 ? 0x7f800000ull : 0x7ff0000000000000ull);
  Bits any_all_ones = 0;
  for (int64_t i = 0; i < size; ++i) {
    Bits bits;
    std::memcpy(&bits, data + i, sizeof bits);
    any_all_ones |= static_cast<Bits>((bits & exponent) == exponent);
  }
  return any_all_ones == 0;
}

// Throws KernelError::not_finite naming the array and the (n, c, i, j) of the first NaN or infinity.
template <typename T>
void check_finite(View4<const T> v, const char* name) {
  const int64_t size = v.size();
  if (all_finite(v.data, size)) return;
  int64_t bad = 0;
  while (std::isfinite(v.data[bad])) ++bad;
  const int64_t j = bad % v.w, i = bad / v.w % v.h, c = bad / (v.w * v.h) % v.c, n = bad / (v.w * v.h * v.c);
  throw KernelError(KernelError::Kind::not_finite,
                    std::string(name) + " contains " + (std::isnan(v.data[bad]) ? "NaN" : "an infinity") + " at (" +
                        std::to_string(n) + ", " + std::to_string(c) + ", " + std::to_string(i) + ", " +
                        std::to_string(j) + ")");
}

}  // namespace nfx::kernels::detail
