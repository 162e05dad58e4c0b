// DLPack helpers, the read-only view of a node's inputs and owned tensors for its outputs (part of nfx.hpp).
#pragma once

#include <nfx/base.hpp>

#include <cstddef>
#include <cstdint>
#include <new>
#include <string>
#include <utility>
#include <vector>

namespace nfx {

inline DLDataType dtype_u8() { return DLDataType{kDLUInt, 8, 1}; }
inline DLDataType dtype_f32() { return DLDataType{kDLFloat, 32, 1}; }
inline DLDataType dtype_f64() { return DLDataType{kDLFloat, 64, 1}; }

inline bool same_dtype(DLDataType a, DLDataType b) {
  return a.code == b.code && a.bits == b.bits && a.lanes == b.lanes;
}

// The NFX_DTYPE_* bit of a DLPack type, or 0 for a type nfx does not name.
inline nfx_dtype_mask dtype_bit(DLDataType t) {
  if (t.lanes != 1) return 0;
  switch (t.code) {
    case kDLUInt: return t.bits == 8 ? NFX_DTYPE_U8 : t.bits == 16 ? NFX_DTYPE_U16 : t.bits == 1 ? NFX_DTYPE_BOOL : 0;
    case kDLInt:
      return t.bits == 8 ? NFX_DTYPE_I8 : t.bits == 16 ? NFX_DTYPE_I16 : t.bits == 32 ? NFX_DTYPE_I32
           : t.bits == 64 ? NFX_DTYPE_I64 : 0;
    case kDLFloat: return t.bits == 16 ? NFX_DTYPE_F16 : t.bits == 32 ? NFX_DTYPE_F32 : t.bits == 64 ? NFX_DTYPE_F64 : 0;
    case kDLBfloat: return t.bits == 16 ? NFX_DTYPE_BF16 : 0;
    default: return 0;
  }
}

inline const char* kind_name(nfx_port_kind kind) {
  switch (kind) {
    case NFX_KIND_IMAGE: return "image";
    case NFX_KIND_TENSOR: return "tensor";
    case NFX_KIND_BOXES: return "boxes";
    case NFX_KIND_MASK: return "mask";
    case NFX_KIND_SCALAR: return "scalar";
    case NFX_KIND_TEXT: return "text";
    default: return "any";
  }
}

// "uint8|float32" for a mask of NFX_DTYPE_* bits; "any dtype" for 0.
inline std::string dtype_names(nfx_dtype_mask mask) {
  static const char* names[] = {"uint8", "int8", "uint16", "int16", "int32", "int64",
                                "float16", "bfloat16", "float32", "float64", "bool"};
  std::string s;
  for (int bit = 0; bit < 11; ++bit) {
    if (mask & (1u << bit)) s += (s.empty() ? "" : "|") + std::string(names[bit]);
  }
  return s.empty() ? "any dtype" : s;
}

// The name of one DLPack type ("float32"), or its code and bits when nfx has no name for it.
inline std::string dtype_name(DLDataType t) {
  const nfx_dtype_mask bit = dtype_bit(t);
  if (bit != 0) return dtype_names(bit);
  return "code" + std::to_string(t.code) + "x" + std::to_string(t.bits);
}

inline int64_t element_count(const DLTensor& t) {
  int64_t n = 1;
  for (int i = 0; i < t.ndim; ++i) n *= t.shape[i];
  return n;
}

// True when the tensor is dense row-major (strides absent or equal to the compact ones).
inline bool is_compact(const DLTensor& t) {
  if (t.strides == nullptr) return true;
  int64_t expected = 1;
  for (int i = t.ndim - 1; i >= 0; --i) {
    if (t.shape[i] != 1 && t.strides[i] != expected) return false;
    expected *= t.shape[i];
  }
  return true;
}

// The elements of a tensor. Through a const tensor (every input is one) the elements are read-only.
template <typename T>
const T* data_ptr(const DLTensor& t) {
  return reinterpret_cast<const T*>(static_cast<const char*>(t.data) + t.byte_offset);
}
template <typename T>
T* data_ptr(DLTensor& t) {
  return reinterpret_cast<T*>(static_cast<char*>(t.data) + t.byte_offset);
}

// A tensor a node received: [read-only], since the producer and other consumers share its memory. Copy it
// (or make a new nfx::Tensor) to change values. Converts to const DLTensor& for helpers that read DLPack.
class TensorView {
 public:
  explicit TensorView(const DLTensor& tensor) : tensor_(&tensor) {}
  operator const DLTensor&() const { return *tensor_; }
  const DLTensor& dl() const { return *tensor_; }

  int ndim() const { return tensor_->ndim; }
  int64_t shape(int dim) const { return tensor_->shape[dim]; }
  DLDataType dtype() const { return tensor_->dtype; }
  int64_t size() const { return element_count(*tensor_); }
  template <typename T>
  const T* data() const { return data_ptr<T>(*tensor_); }

 private:
  const DLTensor* tensor_;
};

// The bytes of a compact tensor of `shape` and `dtype`; throws nfx::Error (NFX_ERR_OUT_OF_MEMORY) for a
// negative dimension or a size that does not fit in memory's address range (the product would wrap).
inline size_t tensor_bytes(DLDataType dtype, const std::vector<int64_t>& shape) {
  uint64_t bytes = (static_cast<uint64_t>(dtype.bits) * dtype.lanes + 7) / 8;
  for (int64_t d : shape) {
    if (d < 0 || __builtin_mul_overflow(bytes, static_cast<uint64_t>(d), &bytes) || bytes > static_cast<uint64_t>(PTRDIFF_MAX)) {
      std::string dims;
      for (int64_t x : shape) dims += (dims.empty() ? "" : "x") + std::to_string(x);
      throw Error("a tensor of shape " + dims + " is too large to allocate", NFX_ERR_OUT_OF_MEMORY);
    }
  }
  return static_cast<size_t>(bytes);
}

// An owned, compact CPU tensor allocated through the host, handed to the host with release().
class Tensor {
 public:
  Tensor() = default;
  Tensor(DLDataType dtype, std::vector<int64_t> shape) {
    const nfx_host_api* api = host_api();
    const size_t bytes = tensor_bytes(dtype, shape);
    auto* holder = new Holder;
    holder->shape = std::move(shape);
    holder->data = api ? api->alloc(bytes == 0 ? 1 : bytes, 64) : ::operator new(bytes == 0 ? 1 : bytes, std::nothrow);
    if (holder->data == nullptr) {
      delete holder;
      throw Error("cannot allocate a tensor of " + std::to_string(bytes) +
                      " bytes (out of memory, or more than the run's max_tensor_bytes)", NFX_ERR_OUT_OF_MEMORY);
    }
    DLTensor& t = holder->managed.dl_tensor;
    t.data = holder->data;
    t.device = DLDevice{kDLCPU, 0};
    t.ndim = static_cast<int>(holder->shape.size());
    t.dtype = dtype;
    t.shape = holder->shape.data();
    t.strides = nullptr;
    t.byte_offset = 0;
    holder->managed.manager_ctx = holder;
    holder->managed.deleter = &Holder::deleter;
    managed_ = &holder->managed;
  }
  Tensor(const Tensor&) = delete;
  Tensor& operator=(const Tensor&) = delete;
  Tensor(Tensor&& other) noexcept : managed_(std::exchange(other.managed_, nullptr)) {}
  Tensor& operator=(Tensor&& other) noexcept {
    if (this != &other) {
      reset();
      managed_ = std::exchange(other.managed_, nullptr);
    }
    return *this;
  }
  ~Tensor() { reset(); }

  const DLTensor& dl() const { return managed_->dl_tensor; }
  template <typename T>
  T* data() const { return static_cast<T*>(managed_->dl_tensor.data); }
  DLManagedTensor* release() { return std::exchange(managed_, nullptr); }

 private:
  struct Holder {
    DLManagedTensor managed{};
    std::vector<int64_t> shape;
    void* data = nullptr;
    static void deleter(DLManagedTensor* m) {
      auto* h = static_cast<Holder*>(m->manager_ctx);
      if (const nfx_host_api* api = host_api()) api->free(h->data); else ::operator delete(h->data);
      delete h;
    }
  };
  void reset() {
    if (managed_ != nullptr) managed_->deleter(managed_);
    managed_ = nullptr;
  }
  DLManagedTensor* managed_ = nullptr;
};

}  // namespace nfx
