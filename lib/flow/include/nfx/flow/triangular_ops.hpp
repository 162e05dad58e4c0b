// The k x k triangular convolution and its inverse as differentiable LibTorch operations, running on the
// kernels/ CPU back end. Their backward passes use the kernels' adjoints and weight gradients: no autograd
// through a solver and no matrix inverse. The solve's backward needs only its output.
#pragma once

#include <nfx/kernels/triangular.hpp>
#include <torch/torch.h>

#include <array>

namespace nfx::flow {

// y = T(K) x.
torch::Tensor triangular_conv(const torch::Tensor& x, const torch::Tensor& kernel, kernels::Corner corner);

// x = T(K)^-1 y.
torch::Tensor triangular_solve(const torch::Tensor& y, const torch::Tensor& kernel, kernels::Corner corner);

// The FInC unit: quarter q of the channels goes through the corner finc_corners[q] with kernels[q]. One
// operation, so that autograd keeps one whole tensor for the backward pass: the input of the
// convolutions, the output of the solves. In the Inverse-Flow direction that output is the tensor the
// next layer keeps anyway.
inline constexpr std::array<kernels::Corner, 4> finc_corners = {
    kernels::Corner::top_left, kernels::Corner::top_right, kernels::Corner::bottom_left, kernels::Corner::bottom_right};
torch::Tensor finc_conv(const torch::Tensor& x, const std::array<torch::Tensor, 4>& kernels);
torch::Tensor finc_solve(const torch::Tensor& y, const std::array<torch::Tensor, 4>& kernels);

}  // namespace nfx::flow
