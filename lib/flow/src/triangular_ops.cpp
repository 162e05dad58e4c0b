#include <nfx/flow/triangular_ops.hpp>

#include "kernel_tensors.hpp"

namespace nfx::flow {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

kernels::SolveOptions solve_options() {
  kernels::SolveOptions options;
  options.threads = torch_threads();
  return options;
}

// The kernels' passes on prepared (contiguous, same-dtype) tensors. Backward passes return {d/dinput, d/dK}.
torch::Tensor conv_pass(const torch::Tensor& x, const torch::Tensor& k, kernels::Corner corner) {
  torch::Tensor y = torch::empty_like(x);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_conv", [&] {
    kernels::triangular_forward(cview<scalar_t>(k), corner, cview<scalar_t>(x), view<scalar_t>(y), torch_threads());
  });
  return y;
}

std::pair<torch::Tensor, torch::Tensor> conv_backward_pass(const torch::Tensor& x, const torch::Tensor& k,
                                                           const torch::Tensor& g, kernels::Corner corner) {
  torch::Tensor gx = torch::empty_like(x), gk = torch::empty_like(k);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_conv_backward", [&] {
    kernels::triangular_adjoint_forward(cview<scalar_t>(k), corner, cview<scalar_t>(g), view<scalar_t>(gx),
                                        torch_threads());
    kernels::triangular_weight_grad(cview<scalar_t>(x), cview<scalar_t>(g), corner, view<scalar_t>(gk),
                                    torch_threads());
  });
  return {gx, gk};
}

torch::Tensor solve_pass(const torch::Tensor& y, const torch::Tensor& k, kernels::Corner corner) {
  torch::Tensor x = torch::empty_like(y);
  AT_DISPATCH_FLOATING_TYPES(y.scalar_type(), "triangular_solve", [&] {
    kernels::triangular_inverse(cview<scalar_t>(k), corner, cview<scalar_t>(y), view<scalar_t>(x), solve_options());
  });
  return x;
}

// Needs only the solve's output x, not its input.
std::pair<torch::Tensor, torch::Tensor> solve_backward_pass(const torch::Tensor& x, const torch::Tensor& k,
                                                            const torch::Tensor& g, kernels::Corner corner) {
  torch::Tensor gy = torch::empty_like(x), gk = torch::empty_like(k);
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "triangular_solve_backward", [&] {
    kernels::triangular_inverse_backward(cview<scalar_t>(k), corner, cview<scalar_t>(x), cview<scalar_t>(g),
                                         view<scalar_t>(gy), view<scalar_t>(gk), solve_options());
  });
  return {gy, gk};
}

kernels::Corner corner_of(AutogradContext* ctx) {
  return static_cast<kernels::Corner>(ctx->saved_data["corner"].toInt());
}

struct ConvFunction : torch::autograd::Function<ConvFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& x_in, const torch::Tensor& k_in,
                               int64_t corner) {
    const auto [x, k] = prepare_with_kernel(x_in, "x", k_in);
    ctx->save_for_backward({x, k});
    ctx->saved_data["corner"] = corner;
    return conv_pass(x, k, static_cast<kernels::Corner>(corner));
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const auto [gx, gk] = conv_backward_pass(saved[0], saved[1], grads[0].contiguous(), corner_of(ctx));
    return {gx, gk, torch::Tensor()};
  }
};

struct SolveFunction : torch::autograd::Function<SolveFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& y_in, const torch::Tensor& k_in,
                               int64_t corner) {
    const auto [y, k] = prepare_with_kernel(y_in, "y", k_in);
    torch::Tensor x = solve_pass(y, k, static_cast<kernels::Corner>(corner));
    ctx->save_for_backward({x, k});  // the output, not the input: that is all the backward pass needs
    ctx->saved_data["corner"] = corner;
    return x;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const auto [gy, gk] = solve_backward_pass(saved[0], saved[1], grads[0].contiguous(), corner_of(ctx));
    return {gy, gk, torch::Tensor()};
  }
};

// The four corners on the four channel quarters as one operation, so that autograd keeps one whole
// tensor: the input for convolutions, the output for solves (never the quarters' copies).
struct FincFunction : torch::autograd::Function<FincFunction> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& t_in, const torch::Tensor& k0,
                               const torch::Tensor& k1, const torch::Tensor& k2, const torch::Tensor& k3, bool solve) {
    const torch::Tensor t = prepare(t_in, solve ? "y" : "x");
    TORCH_CHECK(t.size(1) % 4 == 0, "a FInC unit needs a multiple of 4 channels, got ", t.size(1));
    const std::vector<torch::Tensor> quarters = t.chunk(4, 1);
    std::vector<torch::Tensor> kernels_in{k0, k1, k2, k3}, out(4);
    for (int q = 0; q < 4; ++q) {
      const auto [part, k] = prepare_with_kernel(quarters[q], solve ? "y" : "x", kernels_in[q]);
      kernels_in[q] = k;
      out[q] = solve ? solve_pass(part, k, finc_corners[q]) : conv_pass(part, k, finc_corners[q]);
    }
    torch::Tensor result = torch::cat(out, 1);
    ctx->save_for_backward({solve ? result : t, kernels_in[0], kernels_in[1], kernels_in[2], kernels_in[3]});
    ctx->saved_data["solve"] = solve;
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const variable_list saved = ctx->get_saved_variables();
    const bool solve = ctx->saved_data["solve"].toBool();
    const std::vector<torch::Tensor> kept = saved[0].chunk(4, 1), g = grads[0].chunk(4, 1);
    std::vector<torch::Tensor> g_in(4);
    variable_list result(7);
    for (int q = 0; q < 4; ++q) {
      const torch::Tensor part = kept[q].contiguous(), gq = g[q].contiguous(), &k = saved[1 + q];
      std::tie(g_in[q], result[1 + q]) =
          solve ? solve_backward_pass(part, k, gq, finc_corners[q]) : conv_backward_pass(part, k, gq, finc_corners[q]);
    }
    result[0] = torch::cat(g_in, 1);
    return result;
  }
};

}  // namespace

torch::Tensor triangular_conv(const torch::Tensor& x, const torch::Tensor& kernel, kernels::Corner corner) {
  return ConvFunction::apply(x, kernel, static_cast<int64_t>(corner));
}

torch::Tensor triangular_solve(const torch::Tensor& y, const torch::Tensor& kernel, kernels::Corner corner) {
  return SolveFunction::apply(y, kernel, static_cast<int64_t>(corner));
}

torch::Tensor finc_conv(const torch::Tensor& x, const std::array<torch::Tensor, 4>& kernels) {
  return FincFunction::apply(x, kernels[0], kernels[1], kernels[2], kernels[3], false);
}

torch::Tensor finc_solve(const torch::Tensor& y, const std::array<torch::Tensor, 4>& kernels) {
  return FincFunction::apply(y, kernels[0], kernels[1], kernels[2], kernels[3], true);
}

}  // namespace nfx::flow
