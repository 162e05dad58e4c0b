#include "blazeface.hpp"
#include "detectors.hpp"
#include "onnx_net.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <utility>

namespace nfx::privacy {

namespace {

// The share of a square input the smallest face BlazeFace finds takes, with some margin (about 12 of 128
// px for the front model and 20 of 256 for the back one).
float smallest_face_share(int input) { return input <= 128 ? 0.12f : 0.08f; }

// The squares searched: the whole image (padded to a square), then tiles of half the side each time,
// overlapping by half, until a tile's smallest findable face is at most `min_face` pixels.
std::vector<cv::Rect> search_squares(cv::Size image, int input, int min_face) {
  std::vector<cv::Rect> squares;
  const int whole = std::max(image.width, image.height);
  squares.emplace_back(0, 0, whole, whole);
  for (int side = whole / 2; side > 0 && 2 * side * smallest_face_share(input) >= min_face; side /= 2) {
    const int step = side / 2;
    for (int y = 0;; y += step) {
      const int top = std::min(y, std::max(0, image.height - side));
      for (int x = 0;; x += step) {
        const int left = std::min(x, std::max(0, image.width - side));
        squares.emplace_back(left, top, side, side);
        if (left + side >= image.width) break;
      }
      if (top + side >= image.height) break;
    }
  }
  return squares;
}

class BlazeFaceDetector : public Detector {
 public:
  explicit BlazeFaceDetector(const BlazeFaceOptions& options) : model_(options) {}
  bool needs_color() const override { return true; }
  Detections detect(const Frame& frame) const override {
    Detections heads;
    for (const FaceFound& face : model_.find(frame.rgb)) heads.push_back({head_box(face), face.score, privacy::face});
    return heads;
  }

 private:
  BlazeFace model_;
};

}  // namespace

BlazeFace::BlazeFace(const BlazeFaceOptions& options)
    : options_(options), pool_([path = options.model] { return load_onnx_net(path); }) {}

std::vector<FaceFound> BlazeFace::find(const cv::Mat& rgb) const {
  const int in = options_.input;
  std::vector<FaceFound> found;
  for (const cv::Rect& square : search_squares(rgb.size(), in, options_.min_face)) {
    // The part of the square inside the image, scaled into the input; the rest stays black.
    const cv::Rect inside = square & cv::Rect(cv::Point(0, 0), rgb.size());
    const double scale = static_cast<double>(in) / square.width;
    const cv::Size fitted(std::clamp(static_cast<int>(std::lround(inside.width * scale)), 1, in),
                          std::clamp(static_cast<int>(std::lround(inside.height * scale)), 1, in));
    cv::Mat input(in, in, CV_8UC3, cv::Scalar(0, 0, 0)), resized;
    cv::resize(rgb(inside), resized, fitted, 0, 0, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
    resized.copyTo(input(cv::Rect(cv::Point(0, 0), fitted)));
    const auto to_image = [&](const cv::Point2f& p) {
      return cv::Point2f(square.x + p.x * square.width, square.y + p.y * square.width);
    };
    std::vector<FaceFound> faces = run(input);
    if (options_.flip) {
      const std::vector<FaceFound> mirrored = run_mirrored(input);
      faces.insert(faces.end(), mirrored.begin(), mirrored.end());
    }
    for (FaceFound face : faces) {
      const cv::Point2f corner = to_image(face.box.tl());
      face.box = cv::Rect2f(corner.x, corner.y, face.box.width * square.width, face.box.height * square.width);
      for (cv::Point2f& p : face.points) p = to_image(p);
      found.push_back(face);
    }
  }
  return found;
}

std::vector<FaceFound> BlazeFace::run_mirrored(const cv::Mat& square) const {
  cv::Mat mirrored;
  cv::flip(square, mirrored, 1);
  std::vector<FaceFound> faces = run(mirrored);
  for (FaceFound& face : faces) {
    face.box.x = 1.0f - face.box.x - face.box.width;
    for (cv::Point2f& p : face.points) p.x = 1.0f - p.x;
    // The subject's right eye and ear were the mirror image's left ones.
    std::swap(face.points[0], face.points[1]);
    std::swap(face.points[4], face.points[5]);
  }
  return faces;
}

std::vector<FaceFound> BlazeFace::run(const cv::Mat& square) const {
  cv::Mat scaled;
  square.convertTo(scaled, CV_32F, 2.0 / 255.0, -1.0);
  const int shape[] = {1, options_.input, options_.input, 3};
  const cv::Mat blob(4, shape, CV_32F, scaled.data);  // NHWC, as the model takes it
  std::vector<cv::Mat> outputs;
  pool_.with([&](cv::dnn::Net& net) {
    net.setInput(blob);
    net.forward(outputs, net.getUnconnectedOutLayersNames());
    for (cv::Mat& o : outputs) o = o.clone();
  });
  // The four outputs by their shapes: 1 x 512 x 1, 1 x 384 x 1, 1 x 512 x 16, 1 x 384 x 16.
  BlazeFaceRaw raw{};
  for (const cv::Mat& o : outputs) {
    if (o.dims != 3 || o.size[0] != 1) continue;
    const float* data = o.ptr<float>();
    if (o.size[1] == 512) (o.size[2] == 1 ? raw.scores16 : raw.boxes16) = data;
    if (o.size[1] == 384) (o.size[2] == 1 ? raw.scores8 : raw.boxes8) = data;
  }
  if (!raw.scores16 || !raw.scores8 || !raw.boxes16 || !raw.boxes8) {
    throw nfx::Error(options_.model + ": not a BlazeFace model (expected scores and boxes for 512 + 384 anchors)");
  }
  return decode_blazeface(raw, static_cast<float>(options_.input), options_.score);
}

std::unique_ptr<Detector> make_blazeface_detector(const BlazeFaceOptions& options) {
  return std::make_unique<BlazeFaceDetector>(options);
}

}  // namespace nfx::privacy
