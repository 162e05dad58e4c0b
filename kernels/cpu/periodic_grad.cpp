// Gradients of the periodic convolution with respect to its kernel: the weight gradient as a direct
// circular correlation (k x k taps, each a sum over the batch), the log|det| gradient through the
// per-frequency inverses, and the backward pass of the inverse from its output.
#include "checks.hpp"
#include "frequency_matrices.hpp"
#include "nfx/kernels/periodic.hpp"
#include "scratch.hpp"  // thread_count

#include <omp.h>

#include <algorithm>

#include <vector>

namespace nfx::kernels {

namespace {

int64_t wrap(int64_t v, int64_t size) { return ((v % size) + size) % size; }

// sum_{n,i,j} G[n,o,i,j] X[n,c,(i+di) mod H,(j+dj) mod W], in float64.
template <typename T>
double circular_correlation(View4<const T> g, int64_t o, View4<const T> x, int64_t c, int64_t di, int64_t dj) {
  const int64_t h = x.h, w = x.w, shift = wrap(dj, w);
  double sum = 0.0;
  for (int64_t n = 0; n < x.n; ++n) {
    for (int64_t i = 0; i < h; ++i) {
      const T* g_row = g.data + ((n * g.c + o) * h + i) * w;
      const T* x_row = x.data + ((n * x.c + c) * h + wrap(i + di, h)) * w;
      // Columns j < W - shift read x_row[j + shift]; the rest wrap around to x_row[j + shift - W].
      for (int64_t j = 0; j < w - shift; ++j) sum += static_cast<double>(g_row[j]) * x_row[j + shift];
      for (int64_t j = w - shift; j < w; ++j) sum += static_cast<double>(g_row[j]) * x_row[j + shift - w];
    }
  }
  return sum;
}

}  // namespace

template <typename T>
void periodic_weight_grad(View4<const T> x, View4<const T> grad_y, View4<T> grad_kernel, int threads) {
  detail::check_kernel_shape(grad_kernel);
  detail::check_image_shape(x, grad_kernel.n, "x");
  detail::check_same_shape(x, "x", grad_y, "grad_y");
  detail::check_finite(x, "x");
  detail::check_finite(grad_y, "grad_y");
  const int64_t channels = grad_kernel.n, k = grad_kernel.h, p = (k - 1) / 2;
#pragma omp parallel for collapse(2) schedule(dynamic) num_threads(detail::thread_count(threads))
  for (int64_t o = 0; o < channels; ++o) {
    for (int64_t c = 0; c < channels; ++c) {
      for (int64_t a = 0; a < k; ++a) {
        for (int64_t b = 0; b < k; ++b) {
          grad_kernel.data[((o * channels + c) * k + a) * k + b] =
              static_cast<T>(circular_correlation(grad_y, o, x, c, a - p, b - p));
        }
      }
    }
  }
}

template <typename T>
void periodic_inverse_backward(View4<const T> kernel, View4<const T> y, View4<const T> grad_y, View4<T> grad_x,
                               View4<T> grad_kernel, const SolveOptions& options) {
  detail::check_same_shape(kernel, "kernel", grad_kernel, "grad_kernel");
  periodic_adjoint_inverse(kernel, grad_y, grad_x, options);
  periodic_weight_grad(y, as_const(grad_x), grad_kernel, options.threads);
  for (int64_t i = 0; i < grad_kernel.size(); ++i) grad_kernel.data[i] = -grad_kernel.data[i];
}

// d log|det T| / dK[o,c,a,b] = sum over the full spectrum of Re(What(f)^-1[c,o] * twiddle(f, a, b)), the
// conjugate frequencies of the half spectrum counted through spectrum_weight.
template <typename T>
void periodic_logdet_grad(View4<const T> kernel, int64_t height, int64_t width, View4<T> grad_kernel) {
  detail::check_kernel_shape(kernel);
  detail::check_same_shape(kernel, "kernel", grad_kernel, "grad_kernel");
  detail::check_finite(kernel, "kernel");
  const int threads = detail::thread_count(0);
  const int64_t channels = kernel.n, k = kernel.h;
  detail::FrequencyMatrices what(kernel, height, width, threads);
  what.factor(0.0, threads);
  // One partial sum per thread, added in thread order so the result does not depend on timing.
  std::vector<std::vector<double>> parts(static_cast<size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    const size_t c2 = static_cast<size_t>(channels * channels);
    std::vector<double> identity_re(c2), identity_im(c2), inverse_re(c2), inverse_im(c2);
    std::vector<double>& part = parts[static_cast<size_t>(omp_get_thread_num())];
    part.assign(static_cast<size_t>(kernel.size()), 0.0);
#pragma omp for schedule(static)
    for (int64_t f = 0; f < what.frequencies(); ++f) {
      // The columns of the identity as C vectors ([row][column]); the solve overwrites them.
      std::fill(identity_re.begin(), identity_re.end(), 0.0);
      std::fill(identity_im.begin(), identity_im.end(), 0.0);
      for (int64_t c = 0; c < channels; ++c) identity_re[c * channels + c] = 1.0;
      // inverse[r * C + col] = What^-1[r][col]
      what.apply(detail::FrequencyOp::solve, f, identity_re.data(), identity_im.data(), inverse_re.data(),
                 inverse_im.data(), channels);
      const double weight = what.spectrum_weight(f);
      for (int64_t a = 0; a < k; ++a) {
        for (int64_t b = 0; b < k; ++b) {
          const detail::Complex t = what.twiddle(f, a, b) * weight;
          for (int64_t o = 0; o < channels; ++o) {
            for (int64_t c = 0; c < channels; ++c) {
              // Re(What^-1[c][o] t)
              part[((o * channels + c) * k + a) * k + b] +=
                  inverse_re[c * channels + o] * t.real() - inverse_im[c * channels + o] * t.imag();
            }
          }
        }
      }
    }
  }
  for (int64_t i = 0; i < kernel.size(); ++i) {
    double sum = 0.0;
    for (const std::vector<double>& part : parts) sum += part.empty() ? 0.0 : part[static_cast<size_t>(i)];
    grad_kernel.data[i] = static_cast<T>(sum);
  }
}

#define NFX_INSTANTIATE(T)                                                                                  \
  template void periodic_weight_grad<T>(View4<const T>, View4<const T>, View4<T>, int);                      \
  template void periodic_inverse_backward<T>(View4<const T>, View4<const T>, View4<const T>, View4<T>, View4<T>, \
                                             const SolveOptions&);                                           \
  template void periodic_logdet_grad<T>(View4<const T>, int64_t, int64_t, View4<T>);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
