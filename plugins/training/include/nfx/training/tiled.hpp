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
};

// Receives finished output rows in order: `rows` is R x W' x C' uint8 (HWC), starting at output row `first`.
using RowSink = std::function<void(int64_t first, const torch::Tensor& rows)>;

// Applies `model` to a C x H x W uint8 image tile by tile, handing every output row to `sink` exactly once,
// top to bottom. Throws std::invalid_argument for bad options or a model output of the wrong size.
void tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options, const RowSink& sink);

// The same, collected into one C' x (scale H) x (scale W) uint8 image.
torch::Tensor tiled_apply(const torch::Tensor& image, const ImageModel& model, const TileOptions& options);

}  // namespace nfx::training
