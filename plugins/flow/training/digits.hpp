// The handwritten digits of OpenCV's samples (digits.png: 50 rows x 100 columns of 20 x 20 grayscale
// digits) as training data: every 10th digit in reading order is held out (4,500 train / 500 held out).
#pragma once

#include <torch/torch.h>

#include <string>

namespace nfx::flow {

struct DigitsSplit {
  torch::Tensor train, held_out;  // uint8, N x 1 x 20 x 20
};

// Throws std::runtime_error naming the file if it cannot be read or is not a 2000 x 1000 grid.
DigitsSplit load_digits(const std::string& path);

}  // namespace nfx::flow
