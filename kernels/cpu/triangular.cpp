// The public triangular-convolution entry points: check the arguments, build a plan, run it.
#include "checks.hpp"
#include "layer_plan.hpp"  // opposite
#include "variants.hpp"

#include <algorithm>
#include <string>

namespace nfx::kernels {

namespace {

template <typename T>
void check_layer_args(View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out,
                      const char* out_name) {
  detail::check_kernel_shape(kernel);
  detail::check_image_shape(in, kernel.n, in_name);
  detail::check_same_shape(in, in_name, out, out_name);
  detail::check_finite(kernel, "kernel");
}

// The engine checks the image for NaN and infinity while converting it; this finds and names the value.
template <typename T>
void check_finite_after_failure(View4<const T> in, const char* in_name) {
  detail::check_finite(in, in_name);
  throw KernelError(KernelError::Kind::not_finite, std::string(in_name) + " changed while it was being read");
}

template <typename T>
bool run_layer(View4<const T> kernel, const detail::LayerCall& call, View4<const T> in, View4<T> out, int threads) {
  NFX_DISPATCH(run_layer<T>(kernel, call, in.n, in.h, in.w, in.data, out.data, threads))
}

template <typename T>
void product(View4<const T> kernel, bool transposed, Corner corner, View4<const T> in, const char* in_name,
             View4<T> out, int threads) {
  if (!run_layer(kernel, {transposed, corner, false, 0.0}, in, out, threads)) check_finite_after_failure(in, in_name);
}

template <typename T>
void solve(View4<const T> kernel, bool transposed, Corner corner, View4<const T> rhs, const char* rhs_name,
           View4<T> x, const SolveOptions& options) {
  if (!run_layer(kernel, {transposed, corner, true, options.min_pivot}, rhs, x, options.threads)) {
    check_finite_after_failure(rhs, rhs_name);
  }
}

}  // namespace

template <typename T>
void triangular_forward(View4<const T> kernel, Corner corner, View4<const T> x, View4<T> y, int threads) {
  check_layer_args(kernel, x, "x", y, "y");
  product(kernel, false, corner, x, "x", y, threads);
}

template <typename T>
void triangular_inverse(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                        const SolveOptions& options) {
  check_layer_args(kernel, y, "y", x, "x");
  solve(kernel, false, corner, y, "y", x, options);
}

template <typename T>
void triangular_adjoint_forward(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                int threads) {
  check_layer_args(kernel, g, "g", out, "out");
  product(kernel, true, detail::opposite(corner), g, "g", out, threads);
}

template <typename T>
void triangular_adjoint_inverse(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                const SolveOptions& options) {
  check_layer_args(kernel, g, "g", out, "out");
  solve(kernel, true, detail::opposite(corner), g, "g", out, options);
}

template <typename T>
void check_invertible(View4<const T> kernel, double min_pivot) {
  detail::check_kernel_shape(kernel);
  detail::check_finite(kernel, "kernel");
  detail::CenterTap(kernel, min_pivot);
}

template <typename T>
double triangular_logdet(View4<const T> kernel, int64_t height, int64_t width) {
  detail::check_kernel_shape(kernel);
  detail::check_finite(kernel, "kernel");
  return static_cast<double>(height * width) * detail::CenterTap(kernel, 0.0).log_abs_det();
}

template <typename T>
void triangular_logdet_grad(View4<const T> kernel, int64_t height, int64_t width, View4<T> grad_kernel) {
  detail::check_kernel_shape(kernel);
  detail::check_same_shape(kernel, "kernel", grad_kernel, "grad_kernel");
  detail::check_finite(kernel, "kernel");
  const std::vector<double> inverse_t = detail::CenterTap(kernel, 0.0).inverse(true);
  const int64_t c = kernel.n, k = kernel.h;
  const double pixels = static_cast<double>(height * width);
  std::fill(grad_kernel.data, grad_kernel.data + grad_kernel.size(), T(0));
  for (int64_t o = 0; o < c; ++o) {
    for (int64_t i = 0; i < c; ++i) {
      grad_kernel.data[((o * c + i) * k + k - 1) * k + k - 1] = static_cast<T>(pixels * inverse_t[o * c + i]);
    }
  }
}

#define NFX_INSTANTIATE(T)                                                                                   \
  template void triangular_forward<T>(View4<const T>, Corner, View4<const T>, View4<T>, int);                 \
  template void triangular_inverse<T>(View4<const T>, Corner, View4<const T>, View4<T>, const SolveOptions&); \
  template void triangular_adjoint_forward<T>(View4<const T>, Corner, View4<const T>, View4<T>, int);         \
  template void triangular_adjoint_inverse<T>(View4<const T>, Corner, View4<const T>, View4<T>,               \
                                              const SolveOptions&);                                          \
  template void check_invertible<T>(View4<const T>, double);                                                 \
  template double triangular_logdet<T>(View4<const T>, int64_t, int64_t);                                    \
  template void triangular_logdet_grad<T>(View4<const T>, int64_t, int64_t, View4<T>);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
