// LibTorch tensors as the raw views kernels/ takes: contiguous, CPU, float or double, 4-d.
#pragma once

#include <nfx/kernels/tensor_view.hpp>
#include <torch/torch.h>

#include <utility>

namespace nfx::flow {

template <typename T>
kernels::View4<T> view(torch::Tensor& t) {
  return {t.data_ptr<T>(), t.size(0), t.size(1), t.size(2), t.size(3)};
}
template <typename T>
kernels::View4<const T> cview(const torch::Tensor& t) {
  return {t.data_ptr<T>(), t.size(0), t.size(1), t.size(2), t.size(3)};
}

// `t` as contiguous CPU float or double, 4-d, or a c10::Error naming it.
inline torch::Tensor prepare(const torch::Tensor& t, const char* name) {
  TORCH_CHECK(t.dim() == 4, name, " must be 4-d (N, C, H, W or C, C, k, k), got ", t.sizes());
  TORCH_CHECK(t.device().is_cpu(), name, " must be on the CPU");
  TORCH_CHECK(t.scalar_type() == torch::kFloat || t.scalar_type() == torch::kDouble, name,
              " must be float32 or float64, got ", t.scalar_type());
  return t.contiguous();
}

// An image and its kernel, both prepared, of the same dtype.
inline std::pair<torch::Tensor, torch::Tensor> prepare_with_kernel(const torch::Tensor& image, const char* name,
                                                                   const torch::Tensor& kernel) {
  torch::Tensor i = prepare(image, name), k = prepare(kernel, "kernel");
  TORCH_CHECK(k.scalar_type() == i.scalar_type(), "kernel and ", name, " must have the same dtype");
  return {i, k};
}

// LibTorch's intra-op thread count, which the kernels follow.
inline int torch_threads() { return torch::get_num_threads(); }

}  // namespace nfx::flow
