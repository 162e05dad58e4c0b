// dlib's frontal face detector, in its own file: its headers are the slowest part of the plugin to build.
#include "detectors.hpp"
#include "instance_pool.hpp"

#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

namespace nfx::privacy {

namespace {

class HogFaceDetector : public Detector {
 public:
  HogFaceDetector(int upsample, double threshold)
      : upsample_(upsample), threshold_(threshold),
        pool_([] { return std::make_unique<dlib::frontal_face_detector>(dlib::get_frontal_face_detector()); }) {}

  Detections detect(const cv::Mat& gray) const override {
    cv::Mat input = gray;
    const double scale = static_cast<double>(1 << upsample_);
    if (upsample_ > 0) cv::resize(gray, input, {}, scale, scale, cv::INTER_LINEAR);
    if (!input.isContinuous()) input = input.clone();
    const dlib::cv_image<unsigned char> image(input);
    std::vector<std::pair<double, dlib::rectangle>> found;
    pool_.with([&](dlib::frontal_face_detector& detector) { detector(image, found, threshold_); });
    Detections detections;
    for (const auto& [score, r] : found) {
      const cv::Rect2f box(static_cast<float>(r.left() / scale), static_cast<float>(r.top() / scale),
                           static_cast<float>(r.width() / scale), static_cast<float>(r.height() / scale));
      detections.push_back({box, static_cast<float>(score), face});
    }
    return detections;
  }

 private:
  int upsample_;
  double threshold_;
  InstancePool<dlib::frontal_face_detector> pool_;
};

}  // namespace

std::unique_ptr<Detector> make_hog_face_detector(int upsample, double threshold) {
  return std::make_unique<HogFaceDetector>(upsample, threshold);
}

}  // namespace nfx::privacy
