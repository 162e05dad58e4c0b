// GCC vector-extension types of any width, and 64-byte-aligned storage for them. Types only: the code that
// computes with them is compiled per instruction-set variant (variant.hpp picks the width).
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <type_traits>
#include <vector>

namespace nfx::kernels::detail {

template <typename T, int Bytes>
struct VectorTypes {
  typedef T aligned __attribute__((vector_size(Bytes)));
  typedef T unaligned __attribute__((vector_size(Bytes), aligned(alignof(T))));  // for unaligned loads
  using Lane = std::conditional_t<sizeof(T) == 4, int32_t, int64_t>;
  typedef Lane index __attribute__((vector_size(Bytes)));  // shuffle masks, comparison results
};

template <typename T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const AlignedAllocator&) const { return true; }
  bool operator!=(const AlignedAllocator&) const { return false; }
};

// Starts on a 64-byte boundary, so vectors of any variant can be loaded aligned from it.
template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace nfx::kernels::detail
