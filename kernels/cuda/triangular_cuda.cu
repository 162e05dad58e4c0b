// Triangular convolutions on the GPU, NCHW in device memory. Every output value is one thread's sum over
// taps and input channels of the layer weights (for a solve, the weights with Kc^-1 folded in, so a pixel
// of a diagonal needs only earlier diagonals and the right-hand side). The wavefront is one persistent
// cooperative kernel that walks the H+W-1 diagonals with a grid-wide barrier between them: one launch,
// not one per diagonal or channel.
#include "cuda_support.hpp"
#include "nfx/kernels/cuda.hpp"

// CPU-side helpers: argument checks, the centre-tap algebra and the folded weights.
#include "../cpu/checks.hpp"
#include "../cpu/layer_plan.hpp"

#include <cooperative_groups.h>

#include <algorithm>
#include <cmath>

namespace nfx::kernels::cuda {

namespace {

namespace cg = cooperative_groups;
using detail::DeviceBuffer;
using detail::to_host;

__host__ __device__ inline int64_t smaller(int64_t a, int64_t b) { return a < b ? a : b; }

// Where canonical (top-left) pixel (ci, cj) of a corner's layer lies in an H x W plane.
struct DeviceGeometry {
  int64_t height, width, origin, row_step, col_step;
  __host__ __device__ int64_t offset(int64_t ci, int64_t cj) const { return origin + ci * row_step + cj * col_step; }
};

DeviceGeometry geometry_for(Corner corner, int64_t h, int64_t w) {
  const kernels::detail::Geometry g(corner, h, w);
  return {h, w, g.origin, g.row_step, g.col_step};
}

// What one launch needs to compute out[n, o, pixel] = sum_t sum_c weights[t][c][o] * source_t[n, c, pixel + t].
template <typename T>
struct TapSum {
  const T* weights;  // [tap][input channel][output channel]
  const T* in;       // read by every tap (the solution itself during a solve)
  const T* rhs;      // read by the centre tap during a solve, else nullptr
  T* out;
  bool skip_center;  // leave the centre tap out (the per-channel scheme applies it itself)
  int64_t batch, channels, k;
  DeviceGeometry geo;

  __device__ T value(int64_t n, int64_t o, int64_t ci, int64_t cj) const {
    const int64_t plane = geo.height * geo.width;
    T sum = 0;
    for (int64_t a = k - 1 - smaller(ci, k - 1); a < k; ++a) {
      for (int64_t b = k - 1 - smaller(cj, k - 1); b < k; ++b) {
        const int64_t t = a * k + b;
        if (skip_center && t == k * k - 1) continue;
        const T* src = (rhs != nullptr && t == k * k - 1) ? rhs : in;
        const T* at = src + n * channels * plane + geo.offset(ci + a - (k - 1), cj + b - (k - 1));
        const T* w = weights + t * channels * channels + o;
        for (int64_t c = 0; c < channels; ++c) sum += w[c * channels] * at[c * plane];
      }
    }
    return sum;
  }

  __device__ void store(int64_t n, int64_t o, int64_t ci, int64_t cj, T v) const {
    out[(n * channels + o) * geo.height * geo.width + geo.offset(ci, cj)] = v;
  }
};

// Threads over (n, pixel, o), o fastest so a warp shares its input reads.
template <typename T>
__global__ void product_kernel(TapSum<T> op) {
  const int64_t pixels = op.geo.height * op.geo.width, total = op.batch * pixels * op.channels;
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
    const int64_t o = i % op.channels, p = i / op.channels % pixels, n = i / (op.channels * pixels);
    const int64_t ci = p / op.geo.width, cj = p % op.geo.width;
    op.store(n, o, ci, cj, op.value(n, o, ci, cj));
  }
}

__host__ __device__ inline int64_t first_row(int64_t d, int64_t width) { return d < width ? 0 : d - width + 1; }

// The whole solve in one launch: diagonal after diagonal, each shared by the whole grid.
template <typename T>
__global__ void wavefront_kernel(TapSum<T> op) {
  cg::grid_group grid = cg::this_grid();
  const int64_t h = op.geo.height, w = op.geo.width;
  for (int64_t d = 0; d < h + w - 1; ++d) {
    const int64_t i0 = first_row(d, w), length = smaller(d, h - 1) - i0 + 1;
    const int64_t total = op.batch * length * op.channels;
    for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < total; i += int64_t(gridDim.x) * blockDim.x) {
      const int64_t o = i % op.channels, s = i / op.channels % length, n = i / (op.channels * length);
      const int64_t ci = i0 + s, cj = d - ci;
      op.store(n, o, ci, cj, op.value(n, o, ci, cj));
    }
    grid.sync();
  }
}

// FInC-style step: channel o of every pixel on diagonal d, after channels 0..o-1 (Kc lower-triangular).
template <typename T>
__global__ void per_channel_kernel(TapSum<T> op, const T* center, int64_t d, int64_t o) {
  const int64_t h = op.geo.height, w = op.geo.width, plane = h * w;
  const int64_t i0 = first_row(d, w), length = smaller(d, h - 1) - i0 + 1;
  const int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x;
  if (i >= op.batch * length) return;
  const int64_t s = i % length, n = i / length, ci = i0 + s, cj = d - ci;
  // value() leaves the centre tap out; its lower-triangular part is applied here, channel by channel.
  T sum = op.rhs[(n * op.channels + o) * plane + op.geo.offset(ci, cj)] - op.value(n, o, ci, cj);
  const T* at = op.out + n * op.channels * plane + op.geo.offset(ci, cj);
  for (int64_t c = 0; c < o; ++c) sum -= center[o * op.channels + c] * at[c * plane];
  op.store(n, o, ci, cj, sum / center[o * op.channels + o]);
}

// grad[o][c][a][b] = sum over n and pixels of g[n,o,p] * x[n,c,p + tap]: one block per entry, a fixed-order
// tree reduction (reproducible).
template <typename T>
__global__ void weight_grad_kernel(const T* x, const T* g, T* grad, int64_t batch, int64_t channels, int64_t k,
                                   int64_t h, int64_t w, bool flip_rows, bool flip_columns) {
  extern __shared__ unsigned char shared_bytes[];
  T* partial = reinterpret_cast<T*>(shared_bytes);
  const int64_t entry = blockIdx.x, b = entry % k, a = entry / k % k, c = entry / (k * k) % channels,
                o = entry / (k * k * channels);
  const int64_t dr = flip_rows ? (k - 1) - a : a - (k - 1), dj = flip_columns ? (k - 1) - b : b - (k - 1);
  const int64_t plane = h * w;
  T sum = 0;
  for (int64_t i = threadIdx.x; i < batch * plane; i += blockDim.x) {
    const int64_t n = i / plane, r = i % plane / w, j = i % w;
    if (r + dr < 0 || r + dr >= h || j + dj < 0 || j + dj >= w) continue;
    sum += g[(n * channels + o) * plane + r * w + j] * x[(n * channels + c) * plane + (r + dr) * w + j + dj];
  }
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (unsigned stride = blockDim.x / 2; stride > 0; stride /= 2) {
    if (threadIdx.x < stride) partial[threadIdx.x] += partial[threadIdx.x + stride];
    __syncthreads();
  }
  if (threadIdx.x == 0) grad[entry] = partial[0];
}

template <typename T>
__global__ void flag_not_finite(const T* data, int64_t count, int* flag) {
  for (int64_t i = blockIdx.x * int64_t(blockDim.x) + threadIdx.x; i < count; i += int64_t(gridDim.x) * blockDim.x) {
    if (!isfinite(data[i])) *flag = 1;
  }
}

constexpr int kThreads = 256;

int blocks_for(int64_t work) {
  return static_cast<int>(std::min<int64_t>((work + kThreads - 1) / kThreads, 65535));
}

// Layer weights (float64 on the host) as [t][c][o] in T on the device.
template <typename T>
DeviceBuffer<T> upload_weights(const std::vector<double>& a, int64_t channels, int64_t k, cudaStream_t stream) {
  std::vector<T> w(a.size());
  for (int64_t t = 0; t < k * k; ++t) {
    for (int64_t o = 0; o < channels; ++o) {
      for (int64_t c = 0; c < channels; ++c) {
        w[(t * channels + c) * channels + o] = static_cast<T>(a[(t * channels + o) * channels + c]);
      }
    }
  }
  return DeviceBuffer<T>(w, stream);
}

// Checks shapes, copies the kernel to the host and checks the kernel and `in` for NaN and infinity.
template <typename T>
std::vector<T> check_args(View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out,
                          const char* out_name, cudaStream_t stream) {
  kernels::detail::check_kernel_shape(kernel);
  kernels::detail::check_image_shape(in, kernel.n, in_name);
  kernels::detail::check_same_shape(in, in_name, out, out_name);
  if (static_cast<const void*>(in.data) == static_cast<const void*>(out.data)) {
    // Threads of one step read inputs that other threads of the same step write.
    throw KernelError(KernelError::Kind::shape, std::string(out_name) + " must not be the same array as " + in_name +
                                                    " on the GPU");
  }
  std::vector<T> host = to_host(kernel.data, kernel.size(), stream);
  kernels::detail::check_finite(View4<const T>{host.data(), kernel.n, kernel.c, kernel.h, kernel.w}, "kernel");
  detail::check_finite(in, in_name, stream);
  return host;
}

// check_args, then the layer weights (folded with Kc^-1 for a solve) from the host copy of the kernel.
template <typename T>
std::vector<double> checked_weights(View4<const T> kernel, View4<const T> in, const char* in_name, View4<T> out,
                                    const char* out_name, bool transposed, bool solve, double min_pivot,
                                    cudaStream_t stream) {
  const std::vector<T> host = check_args(kernel, in, in_name, out, out_name, stream);
  return kernels::detail::layer_weights(View4<const T>{host.data(), kernel.n, kernel.c, kernel.h, kernel.w},
                                        transposed, solve, min_pivot);
}

template <typename T>
void product(const std::vector<double>& a, View4<const T> kernel, Corner corner, View4<const T> in, View4<T> out,
             cudaStream_t stream) {
  DeviceBuffer<T> weights = upload_weights<T>(a, kernel.n, kernel.h, stream);
  const TapSum<T> op{weights.get(), in.data, nullptr, out.data, false, in.n, in.c, kernel.h,
                    geometry_for(corner, in.h, in.w)};
  product_kernel<T><<<blocks_for(in.size()), kThreads, 0, stream>>>(op);
  NFX_CUDA(cudaGetLastError());
  NFX_CUDA(cudaStreamSynchronize(stream));  // the weights are freed on return
}

template <typename T>
void wavefront(const std::vector<double>& a, View4<const T> kernel, Corner corner, View4<const T> rhs, View4<T> x,
               cudaStream_t stream) {
  DeviceBuffer<T> weights = upload_weights<T>(a, kernel.n, kernel.h, stream);
  TapSum<T> op{weights.get(), x.data, rhs.data, x.data, false, rhs.n, rhs.c, kernel.h,
              geometry_for(corner, rhs.h, rhs.w)};
  // A cooperative launch needs every block resident at once: as many as the device holds.
  int device = 0, per_sm = 0, sms = 0;
  NFX_CUDA(cudaGetDevice(&device));
  NFX_CUDA(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device));
  NFX_CUDA(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, wavefront_kernel<T>, kThreads, 0));
  const int64_t widest = rhs.n * std::min(rhs.h, rhs.w) * rhs.c;
  const int blocks = static_cast<int>(std::max<int64_t>(1, std::min<int64_t>(int64_t(per_sm) * sms,
                                                                           (widest + kThreads - 1) / kThreads)));
  void* args[] = {&op};
  NFX_CUDA(cudaLaunchCooperativeKernel(reinterpret_cast<void*>(wavefront_kernel<T>), dim3(blocks), dim3(kThreads),
                                       args, 0, stream));
  NFX_CUDA(cudaStreamSynchronize(stream));
}

}  // namespace

namespace detail {

template <typename T>
void check_finite(View4<const T> v, const char* name, cudaStream_t stream) {
  DeviceBuffer<int> flag(1);
  NFX_CUDA(cudaMemsetAsync(flag.get(), 0, sizeof(int), stream));
  flag_not_finite<T><<<blocks_for(v.size()), kThreads, 0, stream>>>(v.data, v.size(), flag.get());
  NFX_CUDA(cudaGetLastError());
  if (to_host(flag.get(), 1, stream)[0] == 0) return;
  const std::vector<T> host = to_host(v.data, v.size(), stream);
  kernels::detail::check_finite(View4<const T>{host.data(), v.n, v.c, v.h, v.w}, name);
}

}  // namespace detail

bool available(std::string* why_not) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0) {
    if (why_not) *why_not = status != cudaSuccess ? cudaGetErrorString(status) : "no CUDA device";
    return false;
  }
  return true;
}

std::string device_name() {
  cudaDeviceProp prop{};
  int device = 0;
  NFX_CUDA(cudaGetDevice(&device));
  NFX_CUDA(cudaGetDeviceProperties(&prop, device));
  return prop.name;
}

template <typename T>
void triangular_forward(View4<const T> kernel, Corner corner, View4<const T> x, View4<T> y, void* stream) {
  const cudaStream_t s = detail::as_stream(stream);
  product(checked_weights(kernel, x, "x", y, "y", false, false, 0.0, s), kernel, corner, x, y, s);
}

template <typename T>
void triangular_inverse(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                        const SolveOptions& options, void* stream) {
  const cudaStream_t s = detail::as_stream(stream);
  wavefront(checked_weights(kernel, y, "y", x, "x", false, true, options.min_pivot, s), kernel, corner, y, x, s);
}

template <typename T>
void triangular_adjoint_inverse(View4<const T> kernel, Corner corner, View4<const T> g, View4<T> out,
                                const SolveOptions& options, void* stream) {
  const cudaStream_t s = detail::as_stream(stream);
  wavefront(checked_weights(kernel, g, "g", out, "out", true, true, options.min_pivot, s), kernel,
            kernels::detail::opposite(corner), g, out, s);
}

template <typename T>
void triangular_inverse_per_channel(View4<const T> kernel, Corner corner, View4<const T> y, View4<T> x,
                                    void* stream) {
  const cudaStream_t s = detail::as_stream(stream);
  const std::vector<T> host = check_args(kernel, y, "y", x, "x", s);
  const int64_t c = kernel.n, k = kernel.h;
  kernels::check_invertible(View4<const T>{host.data(), c, c, k, k});
  std::vector<double> a = kernels::detail::layer_weights(View4<const T>{host.data(), c, c, k, k}, false, false, 0.0);
  std::vector<T> center(static_cast<size_t>(c * c));
  for (int64_t o = 0; o < c; ++o) {
    for (int64_t i = 0; i < c; ++i) {
      const double tap = a[((k * k - 1) * c + o) * c + i];
      if (i > o && tap != 0.0) {
        throw KernelError(KernelError::Kind::shape, "the per-channel scheme needs a lower-triangular Kc");
      }
      center[o * c + i] = static_cast<T>(tap);
    }
  }
  DeviceBuffer<T> weights = upload_weights<T>(a, c, k, s);
  DeviceBuffer<T> centre(center, s);
  const TapSum<T> op{weights.get(), x.data, y.data, x.data, true, y.n, c, k, geometry_for(corner, y.h, y.w)};
  for (int64_t d = 0; d < y.h + y.w - 1; ++d) {
    const int64_t length = std::min(d, y.h - 1) - first_row(d, y.w) + 1;
    for (int64_t o = 0; o < c; ++o) {
      per_channel_kernel<T><<<blocks_for(y.n * length), kThreads, 0, s>>>(op, centre.get(), d, o);
    }
  }
  NFX_CUDA(cudaGetLastError());
  NFX_CUDA(cudaStreamSynchronize(s));
}

template <typename T>
void triangular_weight_grad(View4<const T> x, View4<const T> grad_y, Corner corner, View4<T> grad_kernel,
                            void* stream) {
  const cudaStream_t s = detail::as_stream(stream);
  kernels::detail::check_kernel_shape(grad_kernel);
  kernels::detail::check_image_shape(x, grad_kernel.n, "x");
  kernels::detail::check_same_shape(x, "x", grad_y, "grad_y");
  detail::check_finite(x, "x", s);
  detail::check_finite(grad_y, "grad_y", s);
  weight_grad_kernel<T><<<static_cast<unsigned>(grad_kernel.size()), kThreads, kThreads * sizeof(T), s>>>(
      x.data, grad_y.data, grad_kernel.data, x.n, x.c, grad_kernel.h, x.h, x.w, kernels::detail::flips_rows(corner),
      kernels::detail::flips_columns(corner));
  NFX_CUDA(cudaGetLastError());
  NFX_CUDA(cudaStreamSynchronize(s));
}

#define NFX_INSTANTIATE(T)                                                                                   \
  template void detail::check_finite<T>(View4<const T>, const char*, cudaStream_t);                           \
  template void triangular_forward<T>(View4<const T>, Corner, View4<const T>, View4<T>, void*);               \
  template void triangular_inverse<T>(View4<const T>, Corner, View4<const T>, View4<T>, const SolveOptions&,   \
                                      void*);                                                                \
  template void triangular_adjoint_inverse<T>(View4<const T>, Corner, View4<const T>, View4<T>,               \
                                              const SolveOptions&, void*);                                   \
  template void triangular_inverse_per_channel<T>(View4<const T>, Corner, View4<const T>, View4<T>, void*);   \
  template void triangular_weight_grad<T>(View4<const T>, View4<const T>, Corner, View4<T>, void*);
NFX_INSTANTIATE(float)
NFX_INSTANTIATE(double)
#undef NFX_INSTANTIATE

}  // namespace nfx::kernels::cuda
