// Periodic convolution on the GPU: batched cuFFT real-to-complex transforms of every plane, one C x C
// complex product (forward) or LU solve (inverse) per frequency and batch item, then the inverse transform.
// What(u, v) is built and factored on the host in float64 (a singular frequency is refused there).
#include "cuda_support.hpp"
#include "nfx/kernels/cuda.hpp"
#include "nfx/kernels/periodic.hpp"

#include "../cpu/checks.hpp"
#include "../cpu/frequency_matrices.hpp"
#include "../cpu/scratch.hpp"  // thread_count

#include <cufft.h>

namespace nfx::kernels::cuda {

namespace {

void check_fft(cufftResult status, const char* call) {
  if (status != CUFFT_SUCCESS) throw std::runtime_error(std::string(call) + ": cuFFT error " + std::to_string(status));
}
#define NFX_CUFFT(call) check_fft((call), #call)

template <typename T>
struct Fft;
template <>
struct Fft<float> {
  using complex = cufftComplex;
  static constexpr cufftType forward = CUFFT_R2C, backward = CUFFT_C2R;
  static cufftResult run(cufftHandle p, float* in, complex* out) { return cufftExecR2C(p, in, out); }
  static cufftResult run(cufftHandle p, complex* in, float* out) { return cufftExecC2R(p, in, out); }
};
template <>
struct Fft<double> {
  using complex = cufftDoubleComplex;
  static constexpr cufftType forward = CUFFT_D2Z, backward = CUFFT_Z2D;
  static cufftResult run(cufftHandle p, double* in, complex* out) { return cufftExecD2Z(p, in, out); }
  static cufftResult run(cufftHandle p, complex* in, double* out) { return cufftExecZ2D(p, in, out); }
};

// Plans for `planes` H x W transforms on `stream`, destroyed on return.
class Plans {
 public:
  Plans(int64_t h, int64_t w, int64_t planes, cufftType forward, cufftType backward, cudaStream_t stream) {
    int size[2] = {static_cast<int>(h), static_cast<int>(w)};
    NFX_CUFFT(cufftPlanMany(&forward_, 2, size, nullptr, 1, 0, nullptr, 1, 0, forward, static_cast<int>(planes)));
    NFX_CUFFT(cufftPlanMany(&backward_, 2, size, nullptr, 1, 0, nullptr, 1, 0, backward, static_cast<int>(planes)));
    NFX_CUFFT(cufftSetStream(forward_, stream));
    NFX_CUFFT(cufftSetStream(backward_, stream));
  }
  ~Plans() {
    cufftDestroy(forward_);
    cufftDestroy(backward_);
  }
  Plans(const Plans&) = delete;
  Plans& operator=(const Plans&) = delete;
  cufftHandle forward() const { return forward_; }
  cufftHandle backward() const { return backward_; }

 private:
  cufftHandle forward_ = 0, backward_ = 0;
};

template <typename C>
__device__ C multiply(C a, C b) {
  return {a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x};
}
template <typename C>
__device__ C divide(C a, C b) {
  const auto d = b.x * b.x + b.y * b.y;
  return {(a.x * b.x + a.y * b.y) / d, (a.y * b.x - a.x * b.y) / d};
}

constexpr int kMaxChannels = 128;  // per-thread vectors live in local memory

// One thread per (batch item, frequency): the C-vector at that frequency times What(f) (or solved with
// its LU factors and pivots), scaled by 1/(H*W) for the unnormalized inverse transform.
template <typename C>
__global__ void per_frequency(C* spectrum, const C* matrices, const int* pivots, int64_t batch, int64_t channels,
                              int64_t frequencies, bool solve, double scale) {
  const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i >= batch * frequencies) return;
  const int64_t f = i % frequencies, n = i / frequencies;
  C* at = spectrum + n * channels * frequencies + f;
  const C* m = matrices + f * channels * channels;
  C in[kMaxChannels], out[kMaxChannels];
  for (int64_t c = 0; c < channels; ++c) in[c] = at[c * frequencies];
  if (!solve) {
    for (int64_t o = 0; o < channels; ++o) {
      C s{0, 0};
      for (int64_t c = 0; c < channels; ++c) {
        const C p = multiply(m[o * channels + c], in[c]);
        s.x += p.x;
        s.y += p.y;
      }
      out[o] = s;
    }
  } else {
    const int* piv = pivots + f * channels;
    for (int64_t r = 0; r < channels; ++r) {  // L (unit diagonal), rows permuted
      C s = in[piv[r]];
      for (int64_t j = 0; j < r; ++j) {
        const C p = multiply(m[r * channels + j], out[j]);
        s.x -= p.x;
        s.y -= p.y;
      }
      out[r] = s;
    }
    for (int64_t r = channels - 1; r >= 0; --r) {  // U
      C s = out[r];
      for (int64_t j = r + 1; j < channels; ++j) {
        const C p = multiply(m[r * channels + j], out[j]);
        s.x -= p.x;
        s.y -= p.y;
      }
      out[r] = divide(s, m[r * channels + r]);
    }
  }
  for (int64_t c = 0; c < channels; ++c) {
    at[c * frequencies] = C{static_cast<decltype(C{}.x)>(out[c].x * scale),
                            static_cast<decltype(C{}.x)>(out[c].y * scale)};
  }
}

template <typename T>
void run(View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out, const char* out_name,
         bool solve, double min_pivot, cudaStream_t stream) {
  using C = typename Fft<T>::complex;
  kernels::detail::check_kernel_shape(kernel);
  kernels::detail::check_image_shape(in, kernel.n, in_name);
  kernels::detail::check_same_shape(in, in_name, out, out_name);
  if (kernel.n > kMaxChannels) {
    throw KernelError(KernelError::Kind::shape, "the CUDA periodic convolution handles up to " +
                                                    std::to_string(kMaxChannels) + " channels, got " +
                                                    std::to_string(kernel.n));
  }
  const std::vector<T> host = detail::to_host(kernel.data, kernel.size(), stream);
  const View4<const T> host_kernel{host.data(), kernel.n, kernel.c, kernel.h, kernel.w};
  kernels::detail::check_finite(host_kernel, "kernel");
  detail::check_finite(in, in_name, stream);

  const int threads = kernels::detail::thread_count(0);
  kernels::detail::FrequencyMatrices what(host_kernel, in.h, in.w, threads);
  if (solve) what.factor(min_pivot, threads);
  std::vector<C> matrices(what.matrices().size());
  for (size_t i = 0; i < matrices.size(); ++i) {
    matrices[i] = C{static_cast<T>(what.matrices()[i].real()), static_cast<T>(what.matrices()[i].imag())};
  }
  std::vector<int> pivots(what.pivots().begin(), what.pivots().end());
  detail::DeviceBuffer<C> device_matrices(matrices, stream);
  detail::DeviceBuffer<int> device_pivots(pivots.empty() ? std::vector<int>{0} : pivots, stream);

  const int64_t planes = in.n * in.c, frequencies = what.frequencies();
  detail::DeviceBuffer<C> spectrum(static_cast<size_t>(planes * frequencies));
  Plans plans(in.h, in.w, planes, Fft<T>::forward, Fft<T>::backward, stream);
  NFX_CUFFT(Fft<T>::run(plans.forward(), const_cast<T*>(in.data), spectrum.get()));
  const int64_t work = in.n * frequencies, block = 128;
  per_frequency<C><<<static_cast<unsigned>((work + block - 1) / block), static_cast<unsigned>(block), 0, stream>>>(
      spectrum.get(), device_matrices.get(), device_pivots.get(), in.n, in.c, frequencies, solve,
      1.0 / static_cast<double>(in.h * in.w));
  NFX_CUDA(cudaGetLastError());
  NFX_CUFFT(Fft<T>::run(plans.backward(), spectrum.get(), out.data));
  NFX_CUDA(cudaStreamSynchronize(stream));
}

}  // namespace

template <typename T>
void periodic_forward(View4<const T> kernel, View4<const T> x, View4<T> y, void* stream) {
  run(kernel, x, "x", y, "y", false, 0.0, detail::as_stream(stream));
}

template <typename T>
void periodic_inverse(View4<const T> kernel, View4<const T> y, View4<T> x, const SolveOptions& options, void* stream) {
  run(kernel, y, "y", x, "x", true, options.min_pivot, detail::as_stream(stream));
}

template void periodic_forward<float>(View4<const float>, View4<const float>, View4<float>, void*);
template void periodic_forward<double>(View4<const double>, View4<const double>, View4<double>, void*);
template void periodic_inverse<float>(View4<const float>, View4<const float>, View4<float>, const SolveOptions&, void*);
template void periodic_inverse<double>(View4<const double>, View4<const double>, View4<double>, const SolveOptions&,
                                       void*);

}  // namespace nfx::kernels::cuda
