// The images of a labelled set decoded and brought to the model's input: size x size pixels (squeezed,
// not cropped, so nothing of the item is cut off), gray or RGB. A file that does not decode is skipped and
// reported, not fatal: one broken photo should not stop a grading line.
#pragma once

#include "model/labelled_folder.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::assess {

struct LoadedImages {
  int64_t size = 0, channels = 0;
  std::vector<uint8_t> pixels;  // N x channels x size x size
  std::vector<int> labels;      // N
  std::vector<int64_t> files;   // N: which of the set's files
  std::vector<std::string> skipped;  // "PATH: why", for files that did not decode
  int64_t count() const { return static_cast<int64_t>(labels.size()); }
};

// The files `which` (indices into set.files) of `set`. Throws nfx::Error for a size below 4 or channels
// other than 1 or 3.
LoadedImages load_images(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels);

}  // namespace nfx::assess
