// Every upscaler sr.upscale and sr.eval can run, behind one interface: MATLAB's bicubic imresize, the
// pre-trained networks of the zoo, a TF.js model.json, Affine-StableSR (the committed weights, or a model
// or checkpoint file written by sr.train), or a user's TorchScript module. Images go through tile by tile
// (memory follows the tile, not the image); gray images go through a network as RGB and come back gray,
// alpha is upscaled bicubic.
#pragma once

#include <nfx/training/facts.hpp>
#include <nfx/training/tiled.hpp>

#include <torch/types.h>

#include <functional>
#include <memory>
#include <string>

namespace nfx::sr {

struct UpscalerOptions {
  std::string model = "esrgan-slim";
  int64_t scale = 4;
  std::string models_dir;    // the fetched packages; empty: <data>/sr
  std::string weights_dir;   // Affine-StableSR's committed weights; empty: beside the plugin
  double input_range = 255;  // the pixel range of a model.json or TorchScript file: 255 or 1
  double temperature = 0;    // Affine-StableSR: 0 deterministic, > 0 a sample
  // Input tile side; 0: 192, or three times the overlap when that is larger. A tile set here must leave room
  // for the default overlap (at least twice it), else the constructor throws nfx::ParamError("tile").
  int64_t tile = 0;
  // Input pixels shared by neighbouring tiles; -1: twice the model's receptive radius (so tiles leave no
  // trace), 16 for a model of unknown reach.
  int64_t overlap = -1;
  // Fail an image whose network output holds NaN or Inf (broken weights) instead of writing it black or white.
  bool check_finite = true;
};

class Upscaler {
 public:
  // Throws nfx::Error naming the file or package for a model that cannot be found or read.
  explicit Upscaler(const UpscalerOptions& options);
  ~Upscaler();

  using Progress = std::function<void(double done, double total)>;

  // A C x H x W uint8 image (1, 3 or 4 channels) upscaled, handed to `sink` band by band as rows
  // (HWC uint8, C channels) become final, top to bottom, so the output is never held twice. `seed` draws
  // Affine-StableSR's latent at temperature > 0; `progress` follows the tiles.
  void upscale(const torch::Tensor& image, uint64_t seed, const nfx::training::RowSink& sink, const Progress& progress = {}) const;
  // The same, collected into one C x (scale H) x (scale W) uint8 image.
  torch::Tensor upscale(const torch::Tensor& image, uint64_t seed = 0) const;
  // The rows before rounding to uint8, C x R x W float in [0, 1] as the model made them (not clamped).
  void upscale_float(const torch::Tensor& image, uint64_t seed, const nfx::training::FloatRowSink& sink,
                     const Progress& progress = {}) const;
  torch::Tensor upscale_float(const torch::Tensor& image, uint64_t seed = 0) const;

  // What runs, for logs and reports: "esrgan-thick x4 (7,260,740 parameters)".
  std::string description() const;
  int64_t parameter_count() const;
  // What `nfx inspect` shows of it, (key, value) in order: model, architecture, parameters (by part where
  // known), receptive radius, tiles.
  nfx::training::Facts facts() const;
  int64_t scale() const { return options_.scale; }
  // The network's tiles (size, overlap and the margin each tile's output ignores next to a neighbour).
  const nfx::training::TileOptions& tiles() const { return tiles_; }

  struct Network;  // a loaded network (defined in upscaler.cpp)

 private:
  nfx::training::TileOptions tile_options(const nfx::training::TileOptions& tiles, const Progress& progress, double first,
                                          double share) const;
  nfx::training::ImageModel bicubic_model() const;

  UpscalerOptions options_;
  nfx::training::TileOptions tiles_, bicubic_tiles_;
  std::shared_ptr<Network> network_;  // null for bicubic
};

// Where Affine-StableSR's committed weights for `scale` are: `weights_dir` (when set), else the sr/ folder
// beside the binary that holds this code (the plugin's install folder), else the source tree's models.
std::string stable_sr_weights(const std::string& weights_dir, int64_t scale);

}  // namespace nfx::sr
