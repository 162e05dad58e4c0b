#include "triangular_ops.hpp"

#include "kernel_tensors.hpp"

namespace nfx::flow {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::Corner corner_of(AutogradContext* ctx) {
  return static_cast<kernels::Corner>(ctx->saved_data["corner"].toInt());
}

struct ConvFunction : torch::autograd::Function<ConvFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& k_in,
                               int64_t corner) {
    const auto [x, k] = prepare_with_kernel(x_in, "x", k_in);
    torch::Tensor y = torch::empty_like(x);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_conv", [&] {
      kernels::triangular_forward(cview<scalar_t>(k), static_cast<kernels::Corner>(corner), cview<scalar_t>(x),
                                  view<scalar_t>(y), torch_threads());
    });
    ctx->save_for_backward({x, k});
    ctx->saved_data["corner"] = corner;
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &k = saved[1], g = grads[0].contiguous();
    torch::Tensor gx = torch::empty_like(x), gk = torch::empty_like(k);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_conv_backward", [&] {
      kernels::triangular_adjoint_forward(cview<scalar_t>(k), corner_of(ctx), cview<scalar_t>(g), view<scalar_t>(gx),
                                          torch_threads());
      kernels::triangular_weight_grad(cview<scalar_t>(x), cview<scalar_t>(g), corner_of(ctx), view<scalar_t>(gk),
                                      torch_threads());
    });
    return {gx, gk, torch::Tensor()};
  }
};

struct SolveFunction : torch::autograd::Function<SolveFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y_in, const torch::Tensor& k_in,
                               int64_t corner) {
    const auto [y, k] = prepare_with_kernel(y_in, "y", k_in);
    torch::Tensor x = torch::empty_like(y);
    kernels::SolveOptions options;
    options.threads = torch_threads();
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "triangular_solve", [&] {
      kernels::triangular_inverse(cview<scalar_t>(k), static_cast<kernels::Corner>(corner), cview<scalar_t>(y),
                                  view<scalar_t>(x), options);
    });
    ctx->save_for_backward({x, k});  // the output, not the input: that is all the backward pass needs
    ctx->saved_data["corner"] = corner;
    return x;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &k = saved[1], g = grads[0].contiguous();
    torch::Tensor gy = torch::empty_like(x), gk = torch::empty_like(k);
    kernels::SolveOptions options;
    options.threads = torch_threads();
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_solve_backward", [&] {
      kernels::triangular_inverse_backward(cview<scalar_t>(k), corner_of(ctx), cview<scalar_t>(x), cview<scalar_t>(g),
                                           view<scalar_t>(gy), view<scalar_t>(gk), options);
    });
    return {gy, gk, torch::Tensor()};
  }
};

}  // namespace

torch::Tensor triangular_conv(const torch::Tensor& x, const torch::Tensor& kernel, kernels::Corner corner) {
  return ConvFunction::apply(x, kernel, static_cast<int64_t>(corner));
}

torch::Tensor triangular_solve(const torch::Tensor& y, const torch::Tensor& kernel, kernels::Corner corner) {
  return SolveFunction::apply(y, kernel, static_cast<int64_t>(corner));
}

}  // namespace nfx::flow
