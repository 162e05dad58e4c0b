#include <nfx/flow/periodic_ops.hpp>

#include "kernel_tensors.hpp"

#include <nfx/kernels/periodic.hpp>

namespace nfx::flow {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::SolveOptions solve_options() {
  kernels::SolveOptions options;
  options.threads = torch_threads();
  return options;
}

struct ConvFunction : torch::autograd::Function<ConvFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& k_in) {
    const auto [x, k] = prepare_with_kernel(x_in, "x", k_in);
    torch::Tensor y = torch::empty_like(x);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "periodic_conv", [&] {
      kernels::periodic_forward(cview<scalar_t>(k), cview<scalar_t>(x), view<scalar_t>(y), torch_threads());
    });
    ctx->save_for_backward({x, k});
    return y;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &k = saved[1], g = grads[0].contiguous();
    torch::Tensor gx = torch::empty_like(x), gk = torch::empty_like(k);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "periodic_conv_backward", [&] {
      kernels::periodic_adjoint_forward(cview<scalar_t>(k), cview<scalar_t>(g), view<scalar_t>(gx), torch_threads());
      kernels::periodic_weight_grad(cview<scalar_t>(x), cview<scalar_t>(g), view<scalar_t>(gk), torch_threads());
    });
    return {gx, gk};
  }
};

struct SolveFunction : torch::autograd::Function<SolveFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y_in, const torch::Tensor& k_in) {
    const auto [y, k] = prepare_with_kernel(y_in, "y", k_in);
    torch::Tensor x = torch::empty_like(y);
    AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "periodic_solve", [&] {
      kernels::periodic_inverse(cview<scalar_t>(k), cview<scalar_t>(y), view<scalar_t>(x), solve_options());
    });
    ctx->save_for_backward({x, k});  // the output, not the input: that is all the backward pass needs
    return x;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &k = saved[1], g = grads[0].contiguous();
    torch::Tensor gy = torch::empty_like(x), gk = torch::empty_like(k);
    AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "periodic_solve_backward", [&] {
      kernels::periodic_inverse_backward(cview<scalar_t>(k), cview<scalar_t>(x), cview<scalar_t>(g), view<scalar_t>(gy),
                                         view<scalar_t>(gk), solve_options());
    });
    return {gy, gk};
  }
};

struct LogdetFunction : torch::autograd::Function<LogdetFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& k_in, int64_t height, int64_t width) {
    const torch::Tensor k = prepare(k_in, "kernel");
    double value = 0.0;
    AT_DISPATCH_FLOATING_TYPES(k.scalar_type(), "periodic_logdet",
                               [&] { value = kernels::periodic_logdet(cview<scalar_t>(k), height, width); });
    ctx->save_for_backward({k});
    ctx->saved_data["height"] = height;
    ctx->saved_data["width"] = width;
    return torch::tensor(value, k.options());
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const torch::Tensor k = ctx->get_saved_variables()[0];
    torch::Tensor gk = torch::empty_like(k);
    AT_DISPATCH_FLOATING_TYPES(k.scalar_type(), "periodic_logdet_backward", [&] {
      kernels::periodic_logdet_grad(cview<scalar_t>(k), ctx->saved_data["height"].toInt(),
                                    ctx->saved_data["width"].toInt(), view<scalar_t>(gk));
    });
    return {gk * grads[0], torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor periodic_conv(const torch::Tensor& x, const torch::Tensor& kernel) { return ConvFunction::apply(x, kernel); }

torch::Tensor periodic_solve(const torch::Tensor& y, const torch::Tensor& kernel) {
  return SolveFunction::apply(y, kernel);
}

torch::Tensor periodic_logdet(const torch::Tensor& kernel, int64_t height, int64_t width) {
  return LogdetFunction::apply(kernel, height, width);
}

}  // namespace nfx::flow
