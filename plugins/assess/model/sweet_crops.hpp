// The small real-object example of the assess plugin: the sweets of OpenCV's smarties.png, found and cut
// out, labelled by colour (red, orange, green, blue, brown; brown is the rare one), each seen several
// ways (turned, mirrored, lit brighter or darker, shifted) so a grading model has something to train on.
// The sweets go to training or test whole (alternately within each colour, whole sweets first), so a test item is never a
// view of a sweet the model trained on.
#pragma once

#include <opencv2/core.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::assess {

struct SweetCrop {
  cv::Mat image;  // 32 x 32 BGR, the sweet centred on white
  int colour = 0;  // index into SweetSet::colours
  int sweet = 0;   // which sweet of the picture
  int view = 0;    // which of its views
  bool train = true;
};

struct SweetSet {
  std::vector<std::string> colours;  // "blue", "brown", "green", "orange", "red"
  std::vector<SweetCrop> crops;
  int sweets = 0;
};

// Finds the sweets (saturated or dark pixels on the white ground, touching ones parted by a distance
// transform; cut-off ones at the border left out), labels each by its median hue and brightness, and
// makes `views` views of each, seeded. Throws nfx::Error naming the file when it cannot be read or holds
// fewer than 2 sweets of some colour.
SweetSet cut_sweets(const std::string& path, uint64_t seed, int views = 40);

}  // namespace nfx::assess
