// Painting detections out of an image: the mask each box covers (an ellipse inscribed in a face's box,
// a plate's whole rectangle), a feathered edge that stays inside that mask, and the obfuscation modes.
#pragma once

#include "boxes.hpp"

#include <functional>
#include <string>

namespace nfx::privacy {

enum class ScrubMode { smooth, inpaint, blur, pixelate, solid, model };
ScrubMode scrub_mode_from_name(const std::string& name);  // throws nfx::Error for an unknown name

struct ScrubOptions {
  ScrubMode mode = ScrubMode::smooth;
  bool navier_stokes = false;  // inpaint: OpenCV's Navier-Stokes method instead of Telea's
  double inpaint_radius = 5.0;
  double blur_strength = 1.0;  // blur: Gaussian sigma = strength x a quarter of the box's smaller side
  int pixel_cells = 8;         // pixelate: cells across the box's smaller side
  cv::Scalar color{0, 0, 0};   // solid: in the image's channel order
  float feather = 0.1f;        // the edge fades in over this fraction of the box's smaller side
  // model: fills the masked pixels of the whole image (image, 255 = fill) and returns the filled image.
  std::function<cv::Mat(const cv::Mat& image, const cv::Mat& mask)> fill;
};

// 255 where any box's shape covers a pixel, 0 elsewhere.
cv::Mat shape_mask(cv::Size size, const Detections& detections);

// Blend weights in [0, 1] (CV_32F): 0 outside shape_mask, rising to 1 within `feather` x the box's smaller
// side of the shape's edge (every covered pixel gets a weight above 0).
cv::Mat feathered_weights(cv::Size size, const Detections& detections, float feather);

// The scrubbed image: each box's region obfuscated and blended in with the feathered weights. Pixels
// outside `mask` (shape_mask of the detections) are returned unchanged. `image` is 8-bit with 1, 3 or 4
// channels.
cv::Mat scrub(const cv::Mat& image, const Detections& detections, const cv::Mat& mask, const ScrubOptions& options);

}  // namespace nfx::privacy
