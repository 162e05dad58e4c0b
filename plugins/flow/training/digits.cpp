#include "digits.hpp"

#include <opencv2/imgcodecs.hpp>

#include <stdexcept>

namespace nfx::flow {

ImageSplit load_digits(const std::string& path) {
  const cv::Mat sheet = cv::imread(path, cv::IMREAD_GRAYSCALE);
  if (sheet.empty()) throw std::runtime_error(path + ": cannot read the digits image");
  constexpr int kCell = 20, kColumns = 100, kRows = 50;
  if (sheet.cols != kCell * kColumns || sheet.rows != kCell * kRows) {
    throw std::runtime_error(path + ": expected a 2000 x 1000 sheet of 20 x 20 digits, got " +
                             std::to_string(sheet.cols) + " x " + std::to_string(sheet.rows));
  }
  torch::Tensor all = torch::empty({kRows * kColumns, 1, kCell, kCell}, torch::kUInt8);
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < kColumns; ++c) {
      uint8_t* out = all[r * kColumns + c].data_ptr<uint8_t>();
      for (int y = 0; y < kCell; ++y) {
        const uint8_t* row = sheet.ptr<uint8_t>(r * kCell + y) + c * kCell;
        std::copy(row, row + kCell, out + y * kCell);
      }
    }
  }
  return hold_out_every_tenth(all);
}

ImageSplit hold_out_every_tenth(const torch::Tensor& images) {
  const torch::Tensor held = torch::arange(images.size(0)).remainder(10) == 9;
  return {images.index({~held}), images.index({held})};
}

}  // namespace nfx::flow
