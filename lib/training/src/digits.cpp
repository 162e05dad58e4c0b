#include <nfx/training/digits.hpp>

#include <opencv2/imgcodecs.hpp>

#include <torch/torch.h>

#include <stdexcept>

namespace nfx::training {

torch::Tensor load_digit_sheet(const std::string& path) {
  cv::Mat sheet;
  try {
    sheet = cv::imread(path, cv::IMREAD_GRAYSCALE);
  } catch (const cv::Exception&) {
  }
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
  return all;
}

ImageSplit load_digits(const std::string& path) { return hold_out_every_tenth(load_digit_sheet(path)); }

ImageSplit hold_out_every_tenth(const torch::Tensor& images) {
  const torch::Tensor held = torch::arange(images.size(0)).remainder(10) == 9;
  return {images.index({~held}), images.index({held})};
}

}  // namespace nfx::training
