// privacy.train_detector: trains a HOG + linear SVM detector (hog_detector.hpp) on images and their
// boxes of one class, e.g. synthetic plates, and saves it for privacy.detect's plate_model.
#include <nfx/common/image_mat.hpp>
#include "hog_detector.hpp"
#include "privacy_nodes.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace nfx::privacy {

namespace {

namespace fs = std::filesystem;

class TrainDetector : public nfx::Node {
 public:
  explicit TrainDetector(nfx::Params& p)
      : model_(p.get_string("model")), negatives_(p.get_string("negatives")), label_(label_from_name(p.get_string("label"))) {
    options_.window_width = static_cast<int>(p.get_int("window_width"));
    options_.window_height = static_cast<int>(p.get_int("window_height"));
    options_.c = p.get_float("c");
    options_.epsilon = p.get_float("epsilon");
    const int threads = static_cast<int>(p.get_int("threads"));
    options_.threads = threads > 0 ? threads : p.thread_count();
  }

  // Items arrive one at a time (the node is not reentrant): keep each image in gray with its boxes.
  void process(nfx::Context& ctx) override {
    const cv::Mat image = nfx::plugins::as_mat(ctx.input(0));
    cv::Mat gray;
    if (image.channels() == 3) cv::cvtColor(image, gray, cv::COLOR_RGB2GRAY);
    else if (image.channels() == 4) cv::cvtColor(image, gray, cv::COLOR_RGBA2GRAY);
    else gray = image.clone();
    Detections boxes;
    for (const Detection& d : read_boxes(ctx.input(1))) {
      if (d.label == label_) boxes.push_back(d);
    }
    images_.push_back(gray);
    boxes_.push_back(boxes);
  }

  void finish(nfx::Context& ctx) override {
    if (images_.empty()) throw nfx::Error("no images to train on");
    if (!negatives_.empty()) add_negatives(ctx);
    size_t objects = 0;
    for (const Detections& b : boxes_) objects += b.size();
    ctx.log(NFX_LOG_INFO, "training on " + std::to_string(images_.size()) + " images with " + std::to_string(objects) +
                              " boxes, " + std::to_string(options_.threads) + " threads");
    ctx.progress(0, 1);
    const auto start = std::chrono::steady_clock::now();
    train_hog_detector(images_, boxes_, options_, model_);
    ctx.progress(1, 1);
    ctx.log(NFX_LOG_INFO, model_ + " written after " +
                              std::to_string(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()) +
                              " s of training");
  }

 private:
  // Every window of these images is a negative: the places a detector trained on objects pasted into other
  // scenes fires on (textures, text, people), mined by the trainer from whole images.
  void add_negatives(nfx::Context& ctx) {
    std::error_code ec;
    if (!fs::is_directory(negatives_, ec)) throw nfx::ParamError("negatives", negatives_ + ": not a folder", NFX_ERR_IO);
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(negatives_, ec)) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());  // the same model from the same files
    for (const fs::path& file : files) {
      cv::Mat gray = cv::imread(file.string(), cv::IMREAD_GRAYSCALE);
      if (gray.empty()) throw nfx::ParamError("negatives", file.string() + ": not an image OpenCV can read", NFX_ERR_IO);
      images_.push_back(gray);
      boxes_.emplace_back();
    }
    if (files.empty()) throw nfx::ParamError("negatives", negatives_ + ": no images in the folder", NFX_ERR_IO);
    ctx.log(NFX_LOG_INFO, std::to_string(files.size()) + " images without objects from " + negatives_);
  }

  std::string model_;
  std::string negatives_;
  int label_;
  HogTrainingOptions options_;
  std::vector<cv::Mat> images_;
  std::vector<Detections> boxes_;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  plugin.node<TrainDetector>("privacy.train_detector", "Trains a HOG + linear SVM detector (dlib) on images and "
                                                       "their boxes of one class; the model is written at the end")
      .input(nfx::image_port("image", "training image"))
      .input(nfx::port("boxes", NFX_KIND_BOXES, "its true boxes (e.g. from privacy.synth_plates)", NFX_DTYPE_F32, 2))
      .param(nfx::required(nfx::string_param("model", "", "file to write the detector to")))
      .param(nfx::string_param("label", "plate", "the class to learn", "face|plate"))
      .param(nfx::int_param("window_width", 96, "scan window width: the narrowest object found", 16, 1024))
      .param(nfx::int_param("window_height", 24, "scan window height; width / height should match the objects'",
                            8, 1024))
      .param(nfx::string_param("negatives", "", "folder of images with no object of the class: every window in "
                               "them is a negative (hard negatives: textures, text, people)"))
      .param(nfx::float_param("c", 5.0, "SVM regularization (larger fits the training set more closely)", 0.01, 1000.0))
      .param(nfx::float_param("epsilon", 0.01, "stopping tolerance", 1e-5, 1.0))
      .param(nfx::int_param("threads", 0, "training threads; 0: the run's (nfx run -j, [graph] threads, every core)", 0, 256));
}

}  // namespace nfx::privacy
