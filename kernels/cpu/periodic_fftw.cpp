// Periodic convolution through FFTW3: real-to-complex transforms of every plane, then one C x C complex
// product or solve per frequency of the half spectrum (the other half is its complex conjugate).
#include "checks.hpp"
#include "nfx/kernels/periodic.hpp"
#include "frequency_matrices.hpp"
#include "scratch.hpp"  // thread_count

#include <fftw3.h>

#include <cmath>
#include <complex>
#include <mutex>
#include <vector>

namespace nfx::kernels {

namespace {

using detail::Complex;
using detail::FrequencyMatrices;
using detail::FrequencyOp;

template <typename T>
struct Fftw;
template <>
struct Fftw<double> {
  using plan = fftw_plan;
  static plan r2c(int h, int w, double* in, std::complex<double>* out) {
    return fftw_plan_dft_r2c_2d(h, w, in, reinterpret_cast<fftw_complex*>(out), FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  static plan c2r(int h, int w, std::complex<double>* in, double* out) {
    return fftw_plan_dft_c2r_2d(h, w, reinterpret_cast<fftw_complex*>(in), out, FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  static void run(plan p, double* in, std::complex<double>* out) {
    fftw_execute_dft_r2c(p, in, reinterpret_cast<fftw_complex*>(out));
  }
  static void run(plan p, std::complex<double>* in, double* out) {
    fftw_execute_dft_c2r(p, reinterpret_cast<fftw_complex*>(in), out);
  }
  static void destroy(plan p) { fftw_destroy_plan(p); }
};
template <>
struct Fftw<float> {
  using plan = fftwf_plan;
  static plan r2c(int h, int w, float* in, std::complex<float>* out) {
    return fftwf_plan_dft_r2c_2d(h, w, in, reinterpret_cast<fftwf_complex*>(out), FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  static plan c2r(int h, int w, std::complex<float>* in, float* out) {
    return fftwf_plan_dft_c2r_2d(h, w, reinterpret_cast<fftwf_complex*>(in), out, FFTW_ESTIMATE | FFTW_UNALIGNED);
  }
  static void run(plan p, float* in, std::complex<float>* out) {
    fftwf_execute_dft_r2c(p, in, reinterpret_cast<fftwf_complex*>(out));
  }
  static void run(plan p, std::complex<float>* in, float* out) {
    fftwf_execute_dft_c2r(p, reinterpret_cast<fftwf_complex*>(in), out);
  }
  static void destroy(plan p) { fftwf_destroy_plan(p); }
};

// FFTW's planner is not thread-safe; executing a plan on new arrays is.
std::mutex& planner_mutex() {
  static std::mutex m;
  return m;
}

// The transforms of every plane of a (B, C, H, W) array, in parallel over planes.
template <typename T>
class PlaneTransforms {
 public:
  PlaneTransforms(int64_t h, int64_t w) : h_(h), w_(w), spectrum_(h * (w / 2 + 1)) {
    std::vector<T> real(static_cast<size_t>(h * w));
    std::vector<std::complex<T>> spectrum(static_cast<size_t>(spectrum_));
    std::lock_guard<std::mutex> lock(planner_mutex());
    forward_ = Fftw<T>::r2c(static_cast<int>(h), static_cast<int>(w), real.data(), spectrum.data());
    backward_ = Fftw<T>::c2r(static_cast<int>(h), static_cast<int>(w), spectrum.data(), real.data());
  }
  ~PlaneTransforms() {
    std::lock_guard<std::mutex> lock(planner_mutex());
    Fftw<T>::destroy(forward_);
    Fftw<T>::destroy(backward_);
  }
  PlaneTransforms(const PlaneTransforms&) = delete;
  PlaneTransforms& operator=(const PlaneTransforms&) = delete;

  int64_t spectrum_size() const { return spectrum_; }

  void forward(const T* in, int64_t planes, std::complex<T>* out, int threads) const {
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t p = 0; p < planes; ++p) Fftw<T>::run(forward_, const_cast<T*>(in + p * h_ * w_), out + p * spectrum_);
  }

  // Inverse transform, divided by H*W. Destroys `in` (FFTW's c2r overwrites its input).
  void backward(std::complex<T>* in, int64_t planes, T* out, int threads) const {
    const T scale = static_cast<T>(1.0 / static_cast<double>(h_ * w_));
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t p = 0; p < planes; ++p) {
      T* plane = out + p * h_ * w_;
      Fftw<T>::run(backward_, in + p * spectrum_, plane);
      for (int64_t i = 0; i < h_ * w_; ++i) plane[i] *= scale;
    }
  }

 private:
  int64_t h_, w_, spectrum_;
  typename Fftw<T>::plan forward_, backward_;
};

// Applies `op` with What(f) at every frequency f of `spectrum` to the batch's C-vectors, gathered as
// [channel][batch item] (real and imaginary parts apart) so each What(f) is read once per frequency.
template <typename T>
void for_each_frequency(FrequencyOp op, const FrequencyMatrices& what, std::vector<std::complex<T>>& spectrum,
                        int64_t batch, int64_t channels, int threads) {
  const int64_t frequencies = what.frequencies(), vectors = channels * batch;
#pragma omp parallel num_threads(threads)
  {
    std::vector<double> in_re(static_cast<size_t>(vectors)), in_im(in_re.size()), out_re(in_re.size()), out_im(in_re.size());
#pragma omp for schedule(static)
    for (int64_t f = 0; f < frequencies; ++f) {
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < channels; ++c) {
          const std::complex<T> v = spectrum[(n * channels + c) * frequencies + f];
          in_re[c * batch + n] = v.real();
          in_im[c * batch + n] = v.imag();
        }
      }
      what.apply(op, f, in_re.data(), in_im.data(), out_re.data(), out_im.data(), batch);
      for (int64_t n = 0; n < batch; ++n) {
        for (int64_t c = 0; c < channels; ++c) {
          spectrum[(n * channels + c) * frequencies + f] =
              std::complex<T>(static_cast<T>(out_re[c * batch + n]), static_cast<T>(out_im[c * batch + n]));
        }
      }
    }
  }
}

template <typename T>
void check_args(View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out, const char* out_name) {
  detail::check_kernel_shape(kernel);
  detail::check_image_shape(in, kernel.n, in_name);
  detail::check_same_shape(in, in_name, out, out_name);
  detail::check_finite(kernel, "kernel");
  detail::check_finite(in, in_name);
}

template <typename T>
void apply_per_frequency(FrequencyOp op, View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out,
                         const char* out_name, int threads, double min_pivot) {
  check_args(kernel, in, in_name, out, out_name);
  threads = detail::thread_count(threads);
  FrequencyMatrices what(kernel, in.h, in.w, threads);
  const bool solves = op == FrequencyOp::solve || op == FrequencyOp::solve_adjoint;
  if (solves) what.factor(min_pivot, threads);
  const PlaneTransforms<T> fft(in.h, in.w);
  std::vector<std::complex<T>> spectrum(static_cast<size_t>(in.n * in.c * fft.spectrum_size()));
  fft.forward(in.data, in.n * in.c, spectrum.data(), threads);
  for_each_frequency(op, what, spectrum, in.n, in.c, threads);
  fft.backward(spectrum.data(), in.n * in.c, out.data, threads);
}

}  // namespace

template <typename T>
void periodic_forward(View4<const T> kernel, View4<const T> x, View4<T> y, int threads) {
  apply_per_frequency(FrequencyOp::multiply, kernel, x, "x", y, "y", threads, 0.0);
}

template <typename T>
void periodic_inverse(View4<const T> kernel, View4<const T> y, View4<T> x, const SolveOptions& options) {
  apply_per_frequency(FrequencyOp::solve, kernel, y, "y", x, "x", options.threads, options.min_pivot);
}

template <typename T>
void periodic_adjoint_forward(View4<const T> kernel, View4<const T> g, View4<T> out, int threads) {
  apply_per_frequency(FrequencyOp::multiply_adjoint, kernel, g, "g", out, "out", threads, 0.0);
}

template <typename T>
void periodic_adjoint_inverse(View4<const T> kernel, View4<const T> g, View4<T> out, const SolveOptions& options) {
  apply_per_frequency(FrequencyOp::solve_adjoint, kernel, g, "g", out, "out", options.threads, options.min_pivot);
}

template <typename T>
double periodic_logdet(View4<const T> kernel, int64_t height, int64_t width) {
  detail::check_kernel_shape(kernel);
  detail::check_finite(kernel, "kernel");
  FrequencyMatrices what(kernel, height, width, detail::thread_count(0));
  what.factor(0.0, detail::thread_count(0));
  return what.log_abs_det();
}

#define NFX_INSTANTIATE(T)                                                                           \
  template void periodic_forward<T>(View4<const T>, View4<const T>, View4<T>, int);                   \
  template void periodic_inverse<T>(View4<const T>, View4<const T>, View4<T>, const SolveOptions&);   \
  template void periodic_adjoint_forward<T>(View4<const T>, View4<const T>, View4<T>, int);           \
  template void periodic_adjoint_inverse<T>(View4<const T>, View4<const T>, View4<T>, const SolveOptions&); \
  template double periodic_logdet<T>(View4<const T>, int64_t, int64_t);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
