// Synthetic licence plates with ground truth, for evaluating plate removal: no Debian package ships
// sharp plate photos. A plate is a light patch with the 520 x 112 mm proportions of a European plate, a
// dark border and a random registration in the Russian style (A123BC 77, the style the stock OpenCV
// cascade was trained on), drawn with OpenCV's Hershey font, then dimmed and softened a little.
#pragma once

#include "boxes.hpp"

#include <random>
#include <string>

namespace nfx::privacy {

// European plates (520 x 112 mm, one line) or American ones (12 x 6 in: a small state line over a large
// registration such as 7ABC123).
enum class PlateLayout { european, american };

// One plate `width` pixels wide, 3 channels (RGB); `text` receives the registration.
cv::Mat render_plate(int width, std::mt19937& rng, std::string* text = nullptr,
                     PlateLayout layout = PlateLayout::european);
// Its height for a width.
int plate_height(int width, PlateLayout layout);

struct PlateSetOptions {
  int count = 2;          // plates per image
  int min_width = 80;     // plate widths are drawn uniformly from [min_width, max_width]
  int max_width = 240;
  PlateLayout layout = PlateLayout::european;
  double motion_blur = 0;  // up to this fraction of the width, in a random direction, over the plate and around it
  double dark_share = 0;   // this share of the plates light on dark (the colours inverted)
  double perspective = 0;  // each corner moves inwards by up to this fraction of the plate's width and height
  int jpeg_quality = 0;    // > 0: the plate and its surroundings recompressed at a quality drawn from [it, 95]
};

// Pastes plates onto `image` (8-bit RGB) at random places clear of each other and of the boxes already in
// `truth`, and appends their boxes (class plate, score 1) to `truth`. Fewer plates when the image is too
// crowded or too small for them.
void paste_plates(cv::Mat& image, const PlateSetOptions& options, std::mt19937& rng, Detections& truth);

}  // namespace nfx::privacy
