// What the assess nodes share about labelled data: reading a class folder or a CSV by its name, and the
// loaded images as tensors.
#pragma once

#include "model/image_loading.hpp"
#include "model/labelled_folder.hpp"

#include <nfx/nfx.hpp>

#include <torch/types.h>

namespace nfx::assess {

// A folder of class sub-folders, or a `file,label` CSV (a path ending in .csv).
LabelledSet read_labelled(const std::string& data);

struct ItemTensors {
  torch::Tensor images;  // N x C x S x S uint8
  torch::Tensor labels;  // N int64
};
ItemTensors as_tensors(const LoadedImages& loaded);

// load_images, with every skipped file logged as a warning to `ctx`'s node.
LoadedImages load_and_report(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels, const nfx::Context& ctx);

}  // namespace nfx::assess
