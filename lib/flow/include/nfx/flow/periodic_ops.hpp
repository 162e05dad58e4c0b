// The periodic (circular) k x k convolution, its inverse and its log|det| as differentiable LibTorch
// operations on the kernels/ FFT back end. Backward passes use the kernels' adjoints, weight gradients and
// log|det| gradient: no autograd through a solver and no dense inverse. The solve's backward needs only
// its output.
#pragma once

#include <torch/torch.h>

namespace nfx::flow {

// y = T(K) x.
torch::Tensor periodic_conv(const torch::Tensor& x, const torch::Tensor& kernel);

// x = T(K)^-1 y.
torch::Tensor periodic_solve(const torch::Tensor& y, const torch::Tensor& kernel);

// log|det T(K)| for one height x width image, as a 0-d tensor of the kernel's dtype.
torch::Tensor periodic_logdet(const torch::Tensor& kernel, int64_t height, int64_t width);

}  // namespace nfx::flow
