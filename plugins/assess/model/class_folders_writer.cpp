#include "model/class_folders_writer.hpp"

#include <nfx/base.hpp>

#include <opencv2/imgcodecs.hpp>

#include <cstdio>
#include <filesystem>

namespace nfx::assess {

int64_t write_class_folders(const std::vector<uint8_t>& pixels, int64_t rows, int64_t columns, const std::vector<uint8_t>& labels,
                            const std::vector<std::string>& class_names, const std::vector<int64_t>& which, const std::string& root) {
  namespace fs = std::filesystem;
  const int64_t size = rows * columns;
  for (const std::string& name : class_names) {
    std::error_code ec;
    fs::create_directories(fs::path(root) / name, ec);
    if (ec) throw nfx::Error((fs::path(root) / name).string() + ": cannot be made (" + ec.message() + ")", NFX_ERR_IO);
  }
  int64_t written = 0;
  for (int64_t i : which) {
    if (i < 0 || static_cast<size_t>(i) >= labels.size() || static_cast<size_t>((i + 1) * size) > pixels.size()) {
      throw nfx::Error("image " + std::to_string(i) + " is not among the " + std::to_string(labels.size()) + " given");
    }
    const uint8_t label = labels[static_cast<size_t>(i)];
    if (label >= class_names.size()) throw nfx::Error("image " + std::to_string(i) + " has label " + std::to_string(label) + ", which has no name");
    char name[32];
    std::snprintf(name, sizeof name, "%05lld.png", static_cast<long long>(i));
    const std::string path = (fs::path(root) / class_names[label] / name).string();
    const cv::Mat image(static_cast<int>(rows), static_cast<int>(columns), CV_8UC1, const_cast<uint8_t*>(pixels.data() + i * size));
    bool ok = false;
    try {
      ok = cv::imwrite(path, image);
    } catch (const cv::Exception&) {
    }
    if (!ok) throw nfx::Error(path + ": cannot be written", NFX_ERR_IO);
    ++written;
  }
  return written;
}

}  // namespace nfx::assess
