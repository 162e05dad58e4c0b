// Small helpers shared by the CUDA sources: error checks that name the failing call, device buffers,
// finiteness checks and the host copy of a kernel for the C x C algebra.
#pragma once

#include "nfx/kernels/tensor_view.hpp"

#include <cuda_runtime.h>

#include <stdexcept>
#include <string>
#include <vector>

namespace nfx::kernels::cuda::detail {

inline void check(cudaError_t status, const char* call) {
  if (status != cudaSuccess) throw std::runtime_error(std::string(call) + ": " + cudaGetErrorString(status));
}
#define NFX_CUDA(call) ::nfx::kernels::cuda::detail::check((call), #call)

inline cudaStream_t as_stream(void* stream) { return static_cast<cudaStream_t>(stream); }

// Device memory owned for the duration of one call.
template <typename T>
class DeviceBuffer {
 public:
  explicit DeviceBuffer(size_t count) : count_(count) {
    if (count > 0) NFX_CUDA(cudaMalloc(reinterpret_cast<void**>(&data_), count * sizeof(T)));
  }
  DeviceBuffer(const std::vector<T>& host, cudaStream_t stream) : DeviceBuffer(host.size()) {
    if (count_ > 0) {
      NFX_CUDA(cudaMemcpyAsync(data_, host.data(), count_ * sizeof(T), cudaMemcpyHostToDevice, stream));
    }
  }
  ~DeviceBuffer() { cudaFree(data_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  T* get() const { return data_; }

 private:
  T* data_ = nullptr;
  size_t count_;
};

// The values of a device array, on the host (synchronizes `stream`).
template <typename T>
std::vector<T> to_host(const T* device, int64_t count, cudaStream_t stream) {
  std::vector<T> host(static_cast<size_t>(count));
  NFX_CUDA(cudaMemcpyAsync(host.data(), device, host.size() * sizeof(T), cudaMemcpyDeviceToHost, stream));
  NFX_CUDA(cudaStreamSynchronize(stream));
  return host;
}

// Throws KernelError::not_finite, naming the first bad value, if the device array holds a NaN or an
// infinity.
template <typename T>
void check_finite(View4<const T> v, const char* name, cudaStream_t stream);

}  // namespace nfx::kernels::cuda::detail
