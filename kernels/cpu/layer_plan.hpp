// What the CPU triangular kernels precompute for one call on NHWC data (the channels of a pixel are
// contiguous, so a pixel's taps touch few cache lines and planes of 2^n bytes do not collide in L1): where
// each tap reads in memory for a given corner, the weights rearranged as vectors over output channels, and
// Kc^-1 for the per-pixel solve.
#pragma once

#include "center_tap.hpp"
#include "nfx/kernels/triangular.hpp"
#include "vector_types.hpp"

#include <algorithm>
#include <vector>

namespace nfx::kernels::detail {

bool flips_rows(Corner corner);
bool flips_columns(Corner corner);
Corner opposite(Corner corner);  // flipped in both H and W: the corner of the adjoint layer

// Canonical coordinates (ci, cj) are those of the top-left layer; a corner's flips map them to memory
// offsets (in units of pixel_stride: 1 for NCHW planes, C for NHWC).
struct Geometry {
  Geometry(Corner corner, int64_t height, int64_t width, int64_t pixel_stride = 1);
  int64_t offset(int64_t ci, int64_t cj) const { return origin + ci * row_step + cj * col_step; }
  int64_t height, width, origin, row_step, col_step;
};

struct Tap {
  int64_t offset;  // memory offset of the neighbour relative to the pixel
  int64_t index;   // a * k + b
  bool from_rhs;   // reads the right-hand side instead of the input (the centre tap of a solve)
};

// The weights A[t][o][c] (t = a * k + b) of the layer A = K, or A[o][c] = K[c][o] when transposed (the
// adjoint), in float64. With `solve`, pixel p of the solution of A x = rhs is a plain sum of taps too:
//   x[p] = A_c^-1 rhs[p] - sum_{t != centre} (A_c^-1 A_t) x[p + t],
// so the weights become -A_c^-1 A_t, and the centre tap, which then reads rhs, A_c^-1. Throws KernelError
// when A_c fails the pivot check.
template <typename T>
std::vector<double> layer_weights(View4<const T> kernel, bool transposed, bool solve, double min_pivot);

// How the variant running a plan lays out one pixel's output channels: `vectors` vectors of `lanes` values
// (padded with zero lanes), accumulated `block` vectors at a time.
struct VectorLayout {
  int lanes, vectors, block;
};

template <typename T>
struct LayerPlan {
  // The layer_weights() at `corner`; with `solve`, the centre tap reads the right-hand side.
  LayerPlan(View4<const T> kernel, bool transposed, Corner corner, int64_t height, int64_t width, bool solve,
            double min_pivot, VectorLayout layout);

  int64_t channels, k, plane;      // plane = H * W; the layout is NHWC with padded_channels() per pixel
  VectorLayout layout;
  Geometry geometry;
  // [tap][input channel][output channel, padded to vectors * lanes]: a row of output vectors per input.
  AlignedVector<T> weights;
  // Taps that stay inside the image for each pixel class min(ci, k-1) * k + min(cj, k-1).
  std::vector<std::vector<Tap>> taps;

  int64_t padded_channels() const { return static_cast<int64_t>(layout.vectors) * layout.lanes; }
  int pixel_class(int64_t ci, int64_t cj) const {
    return static_cast<int>(std::min(ci, k - 1) * k + std::min(cj, k - 1));
  }
};

}  // namespace nfx::kernels::detail
