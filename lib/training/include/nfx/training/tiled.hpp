// Tiled inference for any image-to-image model (super-resolution, restoration): the image is cut into
// overlapping tiles, each tile's output is blended into its neighbours with weights that ramp across the
// overlap (so no seam shows), and finished rows leave as uint8 as soon as no later tile touches them. Memory
// is bounded by one band of tiles, whatever the image size.
#pragma once

#include <torch/types.h>

#include <functional>

namespace nfx::training {

// N x C x h x w float in [0, 1] to N x C' x (scale h) x (scale w) float in [0, 1].
using ImageModel = std::function<torch::Tensor(const torch::Tensor& tiles)>;

struct TileOptions {
  int64_t tile = 256;    // input tile side (smaller for an image smaller than it)
  int64_t overlap = 32;  // input pixels shared by neighbouring tiles; at least the model's receptive radius
  int64_t scale = 1;     // output pixels per input pixel along each side
  std::function<void(int64_t done, int64_t total)> progress;  // after each tile, when set
  // Input pixels next to an edge shared with a neighbouring tile whose output is not used: the model's
  // receptive radius, at most overlap / 2; the rest of the overlap is blended. -1: overlap / 4.
  int64_t margin = -1;
};

// Receives finished output rows in order: `rows` is R x W' x C' uint8 (HWC), starting at output row `first`.
using RowSink = std::function<void(int64_t first, const torch::Tensor& rows)>;
// The same rows before rounding: C' x R x W' float as the model made them (not clamped).
using FloatRowSink = std::function<void(int64_t first, const torch::Tensor& rows)>;

// Applies `model` to a C x H x W uint8 image tile by tile, handing every output row to `sink` exactly once,
// top to bottom. In the `overlap` shared by two tiles the output comes from the first tile over the first
// `margin` pixels, is blended linearly over the middle, and comes from the second tile over the last
// `margin`, so it matches the model's output on the whole image wherever the model sees no further than
// `margin` input pixels. Throws std::invalid_argument for bad options or a model output of the wrong size.
void tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options, const RowSink& sink);
void tiled_apply_float(const torch::Tensor& image, const ImageModel& model, const TileOptions& options, const FloatRowSink& sink);

// Float rows C x R x W in [0, 1] to the uint8 rows a RowSink receives (R x W x C, rounded and clamped).
torch::Tensor to_uint8_rows(const torch::Tensor& rows);

// The same, collected into one C' x (scale H) x (scale W) uint8 image.
torch::Tensor tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options);

}  // namespace nfx::training
