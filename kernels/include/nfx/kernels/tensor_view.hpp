// Views of the raw arrays the kernels work on, and the error every kernel throws for bad input.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>

namespace nfx::kernels {

// A compact 4-d array in row-major order: (batch, channels, height, width) for images,
// (out channels, in channels, k, k) for kernels.
template <typename T>
struct View4 {
  T* data = nullptr;
  int64_t n = 0, c = 0, h = 0, w = 0;
  int64_t size() const { return n * c * h * w; }
};

template <typename T>
View4<const T> as_const(View4<T> v) {
  return {v.data, v.n, v.c, v.h, v.w};
}

class KernelError : public std::invalid_argument {
 public:
  enum class Kind {
    shape,          // arrays whose shapes do not fit together
    not_finite,     // NaN or infinity in an input
    singular,       // the layer has no inverse (a zero pivot)
    near_singular,  // a pivot below the threshold: the inverse would amplify noise
  };
  KernelError(Kind kind, const std::string& message) : std::invalid_argument(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

}  // namespace nfx::kernels
