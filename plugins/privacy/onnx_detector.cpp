#include "detectors.hpp"
#include "instance_pool.hpp"
#include "onnx_net.hpp"

#include <nfx/models/model_file.hpp>

#include <opencv2/dnn.hpp>
#include <opencv2/imgproc.hpp>

#include <filesystem>

namespace nfx::privacy {

std::unique_ptr<cv::dnn::Net> load_onnx_net(const std::string& path) {
  nfx::models::check_model_file(path, nfx::models::max_model_bytes(), "ONNX model");
  auto net = std::make_unique<cv::dnn::Net>();
  try {
    *net = cv::dnn::readNetFromONNX(path);
  } catch (const cv::Exception& e) {
    throw nfx::Error(path + ": not an ONNX model OpenCV can read (" + e.msg + ")", NFX_ERR_IO);
  }
  if (net->empty()) throw nfx::Error(path + ": not an ONNX model OpenCV can read", NFX_ERR_IO);
  return net;
}

namespace {

class OnnxDetector : public Detector {
 public:
  explicit OnnxDetector(const OnnxOptions& options)
      : options_(options), pool_([path = options.path] { return load_onnx_net(path); }) {
    if (options_.format != "yolov8" && options_.format != "yolov5") {
      throw nfx::Error("unknown ONNX output format \"" + options_.format + "\" (expected yolov8 or yolov5)");
    }
  }

  bool needs_color() const override { return true; }

  Detections detect(const Frame& frame) const override {
    // Letterbox: scale to fit the input, centre, pad with gray.
    const double scale = std::min(static_cast<double>(options_.input.width) / frame.rgb.cols,
                                  static_cast<double>(options_.input.height) / frame.rgb.rows);
    const cv::Size fitted(static_cast<int>(std::round(frame.rgb.cols * scale)),
                          static_cast<int>(std::round(frame.rgb.rows * scale)));
    const int pad_x = (options_.input.width - fitted.width) / 2, pad_y = (options_.input.height - fitted.height) / 2;
    cv::Mat boxed(options_.input, CV_8UC3, cv::Scalar(114, 114, 114)), resized;
    cv::resize(frame.rgb, resized, fitted, 0, 0, cv::INTER_LINEAR);
    resized.copyTo(boxed(cv::Rect(cv::Point(pad_x, pad_y), fitted)));
    const cv::Mat blob = cv::dnn::blobFromImage(boxed, 1.0 / 255.0);
    cv::Mat output;
    pool_.with([&](cv::dnn::Net& net) {
      net.setInput(blob);
      output = net.forward().clone();
    });
    if (output.dims != 3 || output.size[0] != 1) throw nfx::Error("ONNX detector: expected a 1 x A x B output");
    const bool v8 = options_.format == "yolov8";
    // One row per candidate: v8 is 1 x (4 + C) x N, so transpose it.
    cv::Mat rows(output.size[1], output.size[2], CV_32F, output.ptr<float>());
    if (v8) rows = rows.t();
    const int first_class = v8 ? 4 : 5, classes = rows.cols - first_class;
    if (classes < 1) throw nfx::Error("ONNX detector: the output has no class scores for format " + options_.format);
    Detections detections;
    for (int i = 0; i < rows.rows; ++i) {
      const float* r = rows.ptr<float>(i);
      int best = 0;
      for (int c = 1; c < classes; ++c) best = r[first_class + c] > r[first_class + best] ? c : best;
      const float score = r[first_class + best] * (v8 ? 1.0f : r[4]);
      if (score < options_.score || best >= static_cast<int>(options_.labels.size()) || options_.labels[best] < 0) {
        continue;
      }
      const float x = static_cast<float>((r[0] - r[2] / 2 - pad_x) / scale);
      const float y = static_cast<float>((r[1] - r[3] / 2 - pad_y) / scale);
      detections.push_back({cv::Rect2f(x, y, static_cast<float>(r[2] / scale), static_cast<float>(r[3] / scale)), score,
                            options_.labels[best]});
    }
    return detections;
  }

 private:
  OnnxOptions options_;
  InstancePool<cv::dnn::Net> pool_;
};

}  // namespace

std::unique_ptr<Detector> make_onnx_detector(const OnnxOptions& options) {
  return std::make_unique<OnnxDetector>(options);
}

}  // namespace nfx::privacy
