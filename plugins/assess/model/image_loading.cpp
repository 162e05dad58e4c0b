#include "model/image_loading.hpp"

#include <nfx/base.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace nfx::assess {

LoadedImages load_images(const LabelledSet& set, const std::vector<int64_t>& which, int size, int channels) {
  if (size < 4) throw nfx::Error("images of " + std::to_string(size) + " pixels: at least 4");
  if (channels != 1 && channels != 3) throw nfx::Error("images have 1 or 3 channels, not " + std::to_string(channels));
  LoadedImages out;
  out.size = size;
  out.channels = channels;
  const size_t plane = static_cast<size_t>(size) * static_cast<size_t>(size);
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
    // INTER_AREA averages when shrinking (no aliasing), bilinear when enlarging.
    cv::resize(image, image, cv::Size(size, size), 0, 0, image.cols > size ? cv::INTER_AREA : cv::INTER_LINEAR);
    if (channels == 3) cv::cvtColor(image, image, cv::COLOR_BGR2RGB);
    const size_t start = out.pixels.size();
    out.pixels.resize(start + plane * static_cast<size_t>(channels));
    for (int y = 0; y < size; ++y) {
      const uint8_t* row = image.ptr<uint8_t>(y);
      for (int x = 0; x < size; ++x) {
        for (int c = 0; c < channels; ++c) out.pixels[start + static_cast<size_t>(c) * plane + static_cast<size_t>(y * size + x)] = row[x * channels + c];
      }
    }
    out.labels.push_back(file.label);
    out.files.push_back(i);
  }
  return out;
}

}  // namespace nfx::assess
