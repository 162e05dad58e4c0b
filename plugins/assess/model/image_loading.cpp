#include "model/image_loading.hpp"

#include <nfx/base.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace nfx::assess {

void squeeze_to_input(const uint8_t* hwc, int height, int width, int image_channels, int size, int channels, uint8_t* out) {
  if (image_channels != 1 && image_channels != 3 && image_channels != 4) {
    throw nfx::Error("an image of " + std::to_string(image_channels) + " channels: expected 1 (gray), 3 (RGB) or 4 (RGBA)");
  }
  cv::Mat image(height, width, CV_8UC(image_channels), const_cast<uint8_t*>(hwc));
  static constexpr int kToGray[] = {-1, -1, -1, cv::COLOR_RGB2GRAY, cv::COLOR_RGBA2GRAY};
  static constexpr int kToRgb[] = {-1, cv::COLOR_GRAY2RGB, -1, -1, cv::COLOR_RGBA2RGB};
  const int conversion = channels == 1 ? kToGray[image_channels] : kToRgb[image_channels];
  cv::Mat converted = image;
  if (conversion >= 0) cv::cvtColor(image, converted, conversion);
  // INTER_AREA averages when shrinking (no aliasing), bilinear when enlarging.
  cv::Mat squeezed;
  cv::resize(converted, squeezed, cv::Size(size, size), 0, 0, converted.cols > size ? cv::INTER_AREA : cv::INTER_LINEAR);
  const size_t plane = static_cast<size_t>(size) * static_cast<size_t>(size);
  for (int y = 0; y < size; ++y) {
    const uint8_t* row = squeezed.ptr<uint8_t>(y);
    for (int x = 0; x < size; ++x) {
      for (int c = 0; c < channels; ++c) out[static_cast<size_t>(c) * plane + static_cast<size_t>(y * size + x)] = row[x * channels + c];
    }
  }
}

LoadedImages load_images(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels) {
  if (size < 4) throw nfx::Error("images of " + std::to_string(size) + " pixels: at least 4");
  if (channels != 1 && channels != 3) throw nfx::Error("images have 1 or 3 channels, not " + std::to_string(channels));
  LoadedImages out;
  out.size = size;
  out.channels = channels;
  const size_t item = static_cast<size_t>(size) * static_cast<size_t>(size) * static_cast<size_t>(channels);
  for (int64_t i : which) {
    const LabelledFile& file = set.files.at(static_cast<size_t>(i));
    cv::Mat image;
    try {
      image = cv::imread(file.path, channels == 1 ? cv::IMREAD_GRAYSCALE : cv::IMREAD_COLOR);
    } catch (const cv::Exception&) {
    }
    if (image.empty()) {
      out.skipped.push_back(file.path + ": cannot decode the image (corrupt or not an image)");
      continue;
    }
    if (channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    if (!image.isContinuous()) image = image.clone();
    out.pixels.resize(out.pixels.size() + item);
    squeeze_to_input(image.data, image.rows, image.cols, channels, size, channels, out.pixels.data() + out.pixels.size() - item);
    out.labels.push_back(file.label);
    out.files.push_back(i);
  }
  return out;
}

}  // namespace nfx::assess
