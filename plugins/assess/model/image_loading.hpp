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

// One decoded image (HWC, 1 gray, 3 RGB or 4 RGBA channels) brought to the input: squeezed to size x size
// and to `channels` (1 or 3), written planar (channels x size x size) to `out`. Throws nfx::Error for
// another channel count.
void squeeze_to_input(const uint8_t* hwc, int height, int width, int image_channels, int size, int channels, uint8_t* out);

// The files `which` (indices into set.files) of `set`. Throws nfx::Error for a size below 4 or channels
// other than 1 or 3.
LoadedImages load_images(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels);

}  // namespace nfx::assess
