#include "detectors.hpp"
#include "instance_pool.hpp"

#include <nfx/models/model_file.hpp>

#include <opencv2/objdetect.hpp>

#include <filesystem>

namespace nfx::privacy {

namespace {

std::unique_ptr<cv::CascadeClassifier> load_cascade(const std::string& path) {
  if (!std::filesystem::exists(path)) {
    throw nfx::Error(path + ": no such cascade file (Debian ships them in the opencv-data package)", NFX_ERR_IO);
  }
  nfx::models::check_model_file(path, nfx::models::kMaxModelTextBytes, "OpenCV cascade");
  auto cascade = std::make_unique<cv::CascadeClassifier>();
  bool loaded = false;
  try {
    loaded = cascade->load(path);
  } catch (const cv::Exception&) {
    loaded = false;
  }
  if (!loaded || cascade->empty()) throw nfx::Error(path + ": not a readable OpenCV cascade", NFX_ERR_IO);
  return cascade;
}

class CascadeDetector : public Detector {
 public:
  explicit CascadeDetector(const CascadeOptions& options)
      : options_(options), pool_([path = options.path] { return load_cascade(path); }) {}

  Detections detect(const Frame& frame) const override {
    std::vector<cv::Rect> rects;
    std::vector<int> neighbours;
    pool_.with([&](cv::CascadeClassifier& cascade) {
      cascade.detectMultiScale(frame.gray, rects, neighbours, options_.scale_factor, options_.min_neighbors, 0,
                               options_.min_size);
    });
    Detections detections;
    for (size_t i = 0; i < rects.size(); ++i) {
      detections.push_back({cv::Rect2f(rects[i]), static_cast<float>(neighbours[i]), options_.label});
    }
    return detections;
  }

 private:
  CascadeOptions options_;
  InstancePool<cv::CascadeClassifier> pool_;
};

}  // namespace

std::unique_ptr<Detector> make_cascade_detector(const CascadeOptions& options) {
  return std::make_unique<CascadeDetector>(options);
}

}  // namespace nfx::privacy
