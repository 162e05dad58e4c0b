// What the assess nodes share about labelled data: reading a class folder or a CSV by its name, the
// loaded images as tensors, and the parameters that name classes.
#pragma once

#include "model/image_loading.hpp"
#include "model/labelled_folder.hpp"

#include <nfx/nfx.hpp>

#include <torch/types.h>

#include <map>
#include <string>
#include <vector>

namespace nfx::assess {

// "a, b,c" -> {"a", "b", "c"}: items trimmed, empty ones dropped.
std::vector<std::string> comma_list(const std::string& text);

// The index of class `name`; throws nfx::ParamError at `param` naming the classes there are.
int class_index(const std::vector<std::string>& classes, const std::string& name, const char* param);

// `keep = "defect=0.02, scratch=0.1"`: class -> share kept. Throws nfx::ParamError at "keep" for an item
// that is not CLASS=SHARE with a share in (0, 1] or names no class.
std::map<int, double> class_shares(const std::string& text, const std::vector<std::string>& classes);

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
