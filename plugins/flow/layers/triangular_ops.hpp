// The k x k triangular convolution and its inverse as differentiable LibTorch operations, running on the
// kernels/ CPU back end. Their backward passes use the kernels' adjoints and weight gradients: no autograd
// through a solver and no matrix inverse. The solve's backward needs only its output.
#pragma once

#include <nfx/kernels/triangular.hpp>
#include <torch/torch.h>

namespace nfx::flow {

// y = T(K) x.
torch::Tensor triangular_conv(const torch::Tensor& x, const torch::Tensor& kernel, kernels::Corner corner);

// x = T(K)^-1 y.
torch::Tensor triangular_solve(const torch::Tensor& y, const torch::Tensor& kernel, kernels::Corner corner);

}  // namespace nfx::flow
