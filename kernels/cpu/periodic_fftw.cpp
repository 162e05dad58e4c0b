// Periodic convolution through FFTW3: real-to-complex transforms of every plane, then one C x C complex
// product or solve per frequency of the half spectrum (the other half is its complex conjugate).
#include "checks.hpp"
#include "nfx/kernels/periodic.hpp"
#include "pixel_engine.hpp"  // thread_count

#include <fftw3.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <mutex>
#include <vector>

namespace nfx::kernels {

namespace {

using Complex = std::complex<double>;

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

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", v);
  return text;
}

// What(u, v) for every frequency of the half spectrum, LU-factored on request (float64 throughout).
class FrequencyMatrices {
 public:
  template <typename T>
  FrequencyMatrices(View4<const T> kernel, int64_t h, int64_t w, int threads)
      : c_(kernel.n), h_(h), w_(w), half_(w / 2 + 1), m_(static_cast<size_t>(h * half_ * c_ * c_)) {
    const int64_t k = kernel.h, p = (k - 1) / 2, c2 = c_ * c_;
    const double two_pi = 2.0 * std::acos(-1.0);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t f = 0; f < h * half_; ++f) {
      const int64_t u = f / half_, v = f % half_;
      Complex* m = m_.data() + f * c2;
      for (int64_t a = 0; a < k; ++a) {
        for (int64_t b = 0; b < k; ++b) {
          const double phase = two_pi * (static_cast<double>(u * (a - p)) / h + static_cast<double>(v * (b - p)) / w);
          const Complex twiddle(std::cos(phase), std::sin(phase));
          for (int64_t oc = 0; oc < c2; ++oc) m[oc] += twiddle * static_cast<double>(kernel.data[oc * k * k + a * k + b]);
        }
      }
    }
  }

  int64_t frequencies() const { return h_ * half_; }

  // LU with partial pivoting of every What; throws for the first frequency with a pivot below min_pivot.
  void factor(double min_pivot, int threads) {
    pivots_.resize(static_cast<size_t>(frequencies() * c_));
    std::vector<int64_t> failed_column(static_cast<size_t>(frequencies()), -1);
#pragma omp parallel for schedule(static) num_threads(threads)
    for (int64_t f = 0; f < frequencies(); ++f) failed_column[f] = factor_one(f, min_pivot);
    for (int64_t f = 0; f < frequencies(); ++f) {
      if (failed_column[f] < 0) continue;
      const int64_t col = failed_column[f];
      const double pivot = std::abs(m_[f * c_ * c_ + col * c_ + col]);
      const std::string where = "frequency (u, v) = (" + std::to_string(f / half_) + ", " + std::to_string(f % half_) +
                                "), channel " + std::to_string(col) + ": |pivot| of What(u, v) is ";
      if (pivot == 0.0) {
        throw KernelError(KernelError::Kind::singular, "the periodic kernel is singular at " + where +
                                                           "0, so the layer has no inverse");
      }
      throw KernelError(KernelError::Kind::near_singular,
                        "the periodic kernel is nearly singular at " + where + number(pivot) + ", " +
                            number(min_pivot / pivot) + " times below the threshold " + number(min_pivot));
    }
  }

  double log_abs_det() const {
    double sum = 0.0;
    for (int64_t f = 0; f < frequencies(); ++f) {
      const int64_t v = f % half_;
      // Columns 0 < v < W - v stand for themselves and their conjugates W - v.
      const double weight = (v == 0 || 2 * v == w_) ? 1.0 : 2.0;
      double term = 0.0;
      for (int64_t r = 0; r < c_; ++r) term += std::log(std::abs(m_[f * c_ * c_ + r * c_ + r]));
      sum += weight * term;
    }
    return sum;
  }

  // out = What(f) in (before factor()).
  void multiply(int64_t f, const Complex* in, Complex* out) const {
    const Complex* m = m_.data() + f * c_ * c_;
    for (int64_t o = 0; o < c_; ++o) {
      Complex s = 0.0;
      for (int64_t c = 0; c < c_; ++c) s += m[o * c_ + c] * in[c];
      out[o] = s;
    }
  }

  // x = What(f)^-1 b, in place (after factor()).
  void solve(int64_t f, Complex* b, Complex* x) const {
    const Complex* lu = m_.data() + f * c_ * c_;
    const int64_t* piv = pivots_.data() + f * c_;
    for (int64_t r = 0; r < c_; ++r) {
      Complex s = b[piv[r]];
      for (int64_t j = 0; j < r; ++j) s -= lu[r * c_ + j] * x[j];
      x[r] = s;
    }
    for (int64_t r = c_ - 1; r >= 0; --r) {
      for (int64_t j = r + 1; j < c_; ++j) x[r] -= lu[r * c_ + j] * x[j];
      x[r] /= lu[r * c_ + r];
    }
  }

 private:
  // Returns the column of the first pivot below min_pivot, or -1.
  int64_t factor_one(int64_t f, double min_pivot) {
    Complex* a = m_.data() + f * c_ * c_;
    int64_t* piv = pivots_.data() + f * c_;
    for (int64_t r = 0; r < c_; ++r) piv[r] = r;
    for (int64_t col = 0; col < c_; ++col) {
      int64_t best = col;
      for (int64_t r = col + 1; r < c_; ++r) {
        if (std::abs(a[r * c_ + col]) > std::abs(a[best * c_ + col])) best = r;
      }
      if (best != col) {
        for (int64_t j = 0; j < c_; ++j) std::swap(a[col * c_ + j], a[best * c_ + j]);
        std::swap(piv[col], piv[best]);
      }
      const Complex pivot = a[col * c_ + col];
      if (!(std::abs(pivot) >= min_pivot) || pivot == 0.0) return col;
      for (int64_t r = col + 1; r < c_; ++r) {
        const Complex factor = a[r * c_ + col] /= pivot;
        for (int64_t j = col + 1; j < c_; ++j) a[r * c_ + j] -= factor * a[col * c_ + j];
      }
    }
    return -1;
  }

  int64_t c_, h_, w_, half_;
  std::vector<Complex> m_;        // [frequency][row][column]
  std::vector<int64_t> pivots_;   // [frequency][row]: row of What that became row r
};

// Applies `per_frequency(f, in, out)` to the C-vector of every batch item at every frequency of `spectrum`.
template <typename T, typename F>
void for_each_frequency(std::vector<std::complex<T>>& spectrum, int64_t batch, int64_t channels, int64_t frequencies,
                        int threads, F per_frequency) {
#pragma omp parallel num_threads(threads)
  {
    std::vector<Complex> in(static_cast<size_t>(channels)), out(static_cast<size_t>(channels));
#pragma omp for schedule(static)
    for (int64_t f = 0; f < frequencies; ++f) {
      for (int64_t n = 0; n < batch; ++n) {
        std::complex<T>* at = spectrum.data() + n * channels * frequencies + f;
        for (int64_t c = 0; c < channels; ++c) in[c] = Complex(at[c * frequencies]);
        per_frequency(f, in.data(), out.data());
        for (int64_t c = 0; c < channels; ++c) at[c * frequencies] = std::complex<T>(out[c]);
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

}  // namespace

template <typename T>
void periodic_forward(View4<const T> kernel, View4<const T> x, View4<T> y, int threads) {
  check_args(kernel, x, "x", y, "y");
  threads = detail::thread_count(threads);
  const FrequencyMatrices what(kernel, x.h, x.w, threads);
  const PlaneTransforms<T> fft(x.h, x.w);
  std::vector<std::complex<T>> spectrum(static_cast<size_t>(x.n * x.c * fft.spectrum_size()));
  fft.forward(x.data, x.n * x.c, spectrum.data(), threads);
  for_each_frequency(spectrum, x.n, x.c, fft.spectrum_size(), threads,
                     [&](int64_t f, const Complex* in, Complex* out) { what.multiply(f, in, out); });
  fft.backward(spectrum.data(), x.n * x.c, y.data, threads);
}

template <typename T>
void periodic_inverse(View4<const T> kernel, View4<const T> y, View4<T> x, const SolveOptions& options) {
  check_args(kernel, y, "y", x, "x");
  const int threads = detail::thread_count(options.threads);
  FrequencyMatrices what(kernel, y.h, y.w, threads);
  what.factor(options.min_pivot, threads);
  const PlaneTransforms<T> fft(y.h, y.w);
  std::vector<std::complex<T>> spectrum(static_cast<size_t>(y.n * y.c * fft.spectrum_size()));
  fft.forward(y.data, y.n * y.c, spectrum.data(), threads);
  for_each_frequency(spectrum, y.n, y.c, fft.spectrum_size(), threads,
                     [&](int64_t f, Complex* in, Complex* out) { what.solve(f, in, out); });
  fft.backward(spectrum.data(), y.n * y.c, x.data, threads);
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
  template double periodic_logdet<T>(View4<const T>, int64_t, int64_t);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels
