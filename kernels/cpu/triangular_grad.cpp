// Weight gradient of a triangular layer and the backward pass of its inverse (Inverse-Flow).
#include "checks.hpp"
#include "variants.hpp"

namespace nfx::kernels {

template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            int threads) {
  detail::check_kernel_shape(grad_kernel);
  detail::check_image_shape(x, grad_kernel.n, "x");
  detail::check_same_shape(x, "x", grad_y, "grad_y");
  detail::check_finite(x, "x");
  detail::check_finite(grad_y, "grad_y");
  NFX_DISPATCH(weight_grad<T>(x, grad_y, corner, grad_kernel, threads))
}

template <typename T>
void triangular_inverse_backward(View4<const T> kernel, Corner corner, View4<const T> y, View4<const T> grad_y,
                                 View4<T> grad_x, View4<T> grad_kernel, const SolveOptions& options) {
  detail::check_same_shape(kernel, "kernel", grad_kernel, "grad_kernel");
  // U = T^-T G is dL/dX.
  triangular_adjoint_inverse(kernel, corner, grad_y, grad_x, options);
  // dL/dK = -sum U (x) Y at each tap: the layer's output Y plays the input of a forward layer.
  triangular_weight_grad(y, as_const(grad_x), corner, grad_kernel, options.threads);
  for (int64_t i = 0; i < grad_kernel.size(); ++i) grad_kernel.data[i] = -grad_kernel.data[i];
}

#define NFX_INSTANTIATE(T)                                                                                  \
  template void triangular_weight_grad<T>(View4<const T>, View4<const T>, Corner, View4<T>, int);            \
  template void triangular_inverse_backward<T>(View4<const T>, Corner, View4<const T>, View4<const T>,       \
                                               View4<T>, View4<T>, const SolveOptions&);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
