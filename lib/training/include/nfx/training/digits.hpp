// The handwritten digits of OpenCV's samples (digits.png: 50 rows x 100 columns of 20 x 20 grayscale
// digits, 500 of each class in order) as training data: every 10th digit in reading order is held out
// (4,500 train / 500 held out).
#pragma once

#include <torch/types.h>

#include <string>

namespace nfx::training {

// Training images and the images held out for evaluation: uint8, N x C x H x W.
struct ImageSplit {
  torch::Tensor train, held_out;
};

// Every 10th image (index 9, 19, ...) held out, the rest for training.
ImageSplit hold_out_every_tenth(const torch::Tensor& images);

// The 5,000 digits (N x 1 x 20 x 20, uint8) in reading order. Throws std::runtime_error naming the file if
// it cannot be read or is not a 2000 x 1000 sheet.
torch::Tensor load_digit_sheet(const std::string& path);

// The digits split as above.
ImageSplit load_digits(const std::string& path);

}  // namespace nfx::training
