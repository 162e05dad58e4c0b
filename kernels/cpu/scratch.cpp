#include "scratch.hpp"

#include <omp.h>

#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

namespace nfx::kernels::detail {

int thread_count(int requested) { return requested > 0 ? requested : omp_get_max_threads(); }

template <typename T>
T* scratch(int slot, int64_t count) {
  struct Free {
    void operator()(T* p) const { std::free(p); }
  };
  struct Buffer {
    std::unique_ptr<T, Free> data;
    int64_t size = 0;
  };
  thread_local std::vector<Buffer> buffers;
  if (static_cast<int>(buffers.size()) <= slot) buffers.resize(static_cast<size_t>(slot + 1));
  Buffer& b = buffers[static_cast<size_t>(slot)];
  if (b.size < count) {
    const size_t bytes = (static_cast<size_t>(count) * sizeof(T) + 63) / 64 * 64;
    b.data.reset(static_cast<T*>(std::aligned_alloc(64, bytes)));
    if (!b.data) throw std::bad_alloc();
    b.size = count;
  }
  return b.data.get();
}

template float* scratch<float>(int, int64_t);
template double* scratch<double>(int, int64_t);

}  // namespace nfx::kernels::detail
