#include <nfx/training/images.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace nfx::training {

namespace fs = std::filesystem;

torch::Tensor image_tensor(const DLTensor& image, const std::string& what) {
  if (image.ndim != 3 || image.dtype.code != kDLUInt || image.dtype.bits != 8) {
    throw nfx::Error(what + ": expected an HWC uint8 image", NFX_ERR_INVALID_ARGUMENT);
  }
  return torch::from_blob(image.data, {image.shape[0], image.shape[1], image.shape[2]}, torch::kUInt8)
      .permute({2, 0, 1})
      .clone();
}

nfx::Tensor host_image(const torch::Tensor& chw) {
  const torch::Tensor hwc = chw.to(torch::kUInt8).permute({1, 2, 0}).contiguous();
  nfx::Tensor image(nfx::dtype_u8(), {hwc.size(0), hwc.size(1), hwc.size(2)});
  std::memcpy(image.data<uint8_t>(), hwc.data_ptr<uint8_t>(), static_cast<size_t>(hwc.numel()));
  return image;
}

torch::Tensor stack_collected(const std::map<int64_t, torch::Tensor>& collected) {
  if (collected.empty()) throw nfx::Error("no images were received", NFX_ERR_INVALID_ARGUMENT);
  auto describe = [](const torch::Tensor& chw) {
    return std::to_string(chw.size(2)) + " x " + std::to_string(chw.size(1)) + " with " + std::to_string(chw.size(0)) +
           " channel(s)";
  };
  std::vector<torch::Tensor> images;
  const auto& [first_item, first] = *collected.begin();
  for (const auto& [item, image] : collected) {
    if (image.sizes() != first.sizes()) {
      throw nfx::Error("item " + std::to_string(item) + " is " + describe(image) + ", but item " +
                           std::to_string(first_item) + " is " + describe(first) +
                           ": every image must have the same size (io.resize makes them so)",
                       NFX_ERR_INVALID_ARGUMENT);
    }
    images.push_back(image);
  }
  return torch::stack(images);
}

nfx::Tensor image_grid(const torch::Tensor& images, int64_t columns) {
  const int64_t n = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
  const int64_t cols = std::max<int64_t>(1, std::min(columns, n)), rows = (n + cols - 1) / cols;
  // [0, 1) -> 0..255, laid out as rows x cols tiles, channels last.
  torch::Tensor pixels = (images.detach().to(torch::kFloat) * 256.0).floor().clamp(0, 255).to(torch::kUInt8);
  pixels = torch::cat({pixels, torch::zeros({rows * cols - n, c, h, w}, torch::kUInt8)}, 0);
  pixels = pixels.view({rows, cols, c, h, w}).permute({0, 3, 1, 4, 2}).reshape({rows * h, cols * w, c}).contiguous();
  nfx::Tensor grid(nfx::dtype_u8(), {rows * h, cols * w, c});
  std::memcpy(grid.data<uint8_t>(), pixels.data_ptr<uint8_t>(), static_cast<size_t>(pixels.numel()));
  return grid;
}

std::vector<NamedImage> load_image_folder(const std::string& folder, int channels) {
  if (channels != 1 && channels != 3) throw nfx::Error("images have 1 or 3 channels", NFX_ERR_INVALID_ARGUMENT);
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) throw nfx::Error(folder + ": no such folder", NFX_ERR_IO);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (entry.is_regular_file(ec) && (ext == ".png" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp" ||
                                      ext == ".tif" || ext == ".tiff" || ext == ".webp")) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw nfx::Error(folder + ": no images (PNG, JPEG, BMP, TIFF, WebP) in the folder", NFX_ERR_IO);
  std::vector<NamedImage> images;
  for (const fs::path& file : files) {
    cv::Mat mat;
    try {
      mat = cv::imread(file.string(), channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
    }
    if (mat.empty()) throw nfx::Error(file.string() + ": cannot decode the image (corrupt or not an image)", NFX_ERR_IO);
    if (channels == 3) cv::cvtColor(mat, mat, cv::COLOR_BGR2RGB);
    const torch::Tensor hwc = torch::from_blob(mat.data, {mat.rows, mat.cols, channels},
                                               {static_cast<int64_t>(mat.step[0]), channels, 1}, torch::kUInt8);
    images.push_back({file.filename().string(), hwc.permute({2, 0, 1}).contiguous()});
  }
  return images;
}

bool held_out_by_name(const std::string& name, double percent) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: fixed across runs, machines and library versions
  for (unsigned char c : name) h = (h ^ c) * 1099511628211ull;
  h = (h ^ (h >> 33)) * 0xff51afd7ed558ccdull;  // mixed, so every digit of the remainder depends on every byte
  h ^= h >> 33;
  return static_cast<double>(h % 10000) < percent * 100.0;
}

}  // namespace nfx::training
