#include "synthetic_plates.hpp"

#include "placement.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <vector>

namespace nfx::privacy {

namespace {

int uniform(std::mt19937& rng, int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); }
double uniform_real(std::mt19937& rng, double low, double high) {
  return std::uniform_real_distribution<double>(low, high)(rng);
}

std::string random_registration(std::mt19937& rng) {
  static const char letters[] = "ABEKMHOPCTYX";  // the Latin-looking letters Russian plates use
  auto letter = [&] { return letters[uniform(rng, 0, 11)]; };
  auto digit = [&] { return static_cast<char>('0' + uniform(rng, 0, 9)); };
  std::string text;
  text += letter();
  for (int i = 0; i < 3; ++i) text += digit();
  text += letter();
  text += letter();
  text += ' ';
  text += digit();
  text += digit();
  return text;
}

std::string american_registration(std::mt19937& rng) {
  auto letter = [&] { return static_cast<char>('A' + uniform(rng, 0, 25)); };
  auto digit = [&] { return static_cast<char>('0' + uniform(rng, 0, 9)); };
  std::string text;
  text += digit();
  for (int i = 0; i < 3; ++i) text += letter();
  for (int i = 0; i < 3; ++i) text += digit();
  return text;
}

// Text centred across the plate with its baseline at `baseline`, scaled to `height` px and at most 92% of
// the width.
void centred_text(cv::Mat& plate, const std::string& text, int baseline, int height, const cv::Scalar& ink) {
  const int thickness = std::max(1, height / 7);
  const double scale = cv::getFontScaleFromHeight(cv::FONT_HERSHEY_SIMPLEX, height, thickness);
  int below = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &below);
  const double fit = std::min(1.0, 0.92 * plate.cols / size.width);
  cv::putText(plate, text, cv::Point(static_cast<int>((plate.cols - size.width * fit) / 2), baseline),
              cv::FONT_HERSHEY_SIMPLEX, scale * fit, ink, std::max(1, static_cast<int>(thickness * fit)), cv::LINE_AA);
}

cv::Mat render_american(int width, std::mt19937& rng, std::string* text_out) {
  const int height = plate_height(width, PlateLayout::american);
  const int paper = uniform(rng, 220, 250);
  cv::Mat plate(height, width, CV_8UC3, cv::Scalar(paper, paper, uniform(rng, paper - 30, paper)));
  const cv::Scalar ink = uniform(rng, 0, 1) ? cv::Scalar(uniform(rng, 10, 40), uniform(rng, 20, 50), uniform(rng, 90, 140))
                                            : cv::Scalar(uniform(rng, 10, 40), uniform(rng, 10, 40), uniform(rng, 10, 40));
  std::string state;
  for (int i = uniform(rng, 5, 10); i > 0; --i) state += static_cast<char>('A' + uniform(rng, 0, 25));
  centred_text(plate, state, height * 22 / 100, height * 13 / 100, ink);
  const std::string text = american_registration(rng);
  centred_text(plate, text, height * 80 / 100, height * 45 / 100, ink);
  plate.convertTo(plate, -1, uniform_real(rng, 0.7, 1.0), 0.0);
  if (text_out != nullptr) *text_out = text;
  return plate;
}

// A straight-line blur `length` px long at `angle` degrees over `region` (the plate and its surroundings).
void motion_blur(cv::Mat& region, double length, double angle) {
  const int side = std::max(3, static_cast<int>(std::ceil(length)) | 1);
  cv::Mat kernel = cv::Mat::zeros(side, side, CV_32F);
  const cv::Point2f c(side / 2.0f, side / 2.0f);
  const cv::Point2f d(static_cast<float>(std::cos(angle * CV_PI / 180) * length / 2),
                      static_cast<float>(std::sin(angle * CV_PI / 180) * length / 2));
  cv::line(kernel, c - d, c + d, cv::Scalar(1.0), 1, cv::LINE_AA);
  kernel /= cv::sum(kernel)[0];
  cv::filter2D(region.clone(), region, -1, kernel, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
}

// The plate drawn into `box` as a quadrilateral whose corners moved inwards by up to `amount` of its size
// (a plate seen at an angle); the image outside the quadrilateral keeps its pixels. Returns its bounds.
cv::Rect2f paste_in_perspective(cv::Mat& image, const cv::Mat& plate, const cv::Rect& box, double amount,
                                std::mt19937& rng) {
  const float w = static_cast<float>(box.width), h = static_cast<float>(box.height);
  const auto in = [&](float size) { return static_cast<float>(uniform_real(rng, 0.0, amount)) * size; };
  const cv::Point2f from[] = {{0, 0}, {w, 0}, {w, h}, {0, h}};
  const cv::Point2f to[] = {{in(w), in(h)}, {w - in(w), in(h)}, {w - in(w), h - in(h)}, {in(w), h - in(h)}};
  cv::Mat warped, mask;
  const cv::Mat transform = cv::getPerspectiveTransform(from, to);
  cv::warpPerspective(plate, warped, transform, box.size(), cv::INTER_LINEAR);
  cv::warpPerspective(cv::Mat(plate.size(), CV_8U, cv::Scalar(255)), mask, transform, box.size(), cv::INTER_NEAREST);
  warped.copyTo(image(box), mask);
  const cv::Rect2f bounds = cv::boundingRect(std::vector<cv::Point2f>(std::begin(to), std::end(to)));
  return bounds + cv::Point2f(static_cast<float>(box.x), static_cast<float>(box.y));
}

// The region encoded as JPEG at `quality` and decoded again, as a camera or a video codec leaves it.
void recompress(cv::Mat region, int quality) {
  std::vector<uchar> bytes;
  cv::imencode(".jpg", region, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
  cv::imdecode(bytes, cv::IMREAD_UNCHANGED).copyTo(region);
}

}  // namespace

int plate_height(int width, PlateLayout layout) {
  return std::max(8, layout == PlateLayout::american ? width / 2 : width * 112 / 520);
}

cv::Mat render_plate(int width, std::mt19937& rng, std::string* text_out, PlateLayout layout) {
  if (layout == PlateLayout::american) return render_american(width, rng, text_out);
  const int height = plate_height(width, layout);
  const int paper = uniform(rng, 215, 250);
  cv::Mat plate(height, width, CV_8UC3, cv::Scalar(paper, paper, uniform(rng, paper - 25, paper)));
  cv::rectangle(plate, cv::Rect(0, 0, width, height), cv::Scalar(20, 20, 20), std::max(1, height / 20));
  const std::string text = random_registration(rng);
  const int thickness = std::max(1, height / 12);
  const double scale = cv::getFontScaleFromHeight(cv::FONT_HERSHEY_SIMPLEX, height * 62 / 100, thickness);
  int baseline = 0;
  const cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  const double fit = std::min(1.0, 0.92 * width / size.width);
  const int ink = uniform(rng, 5, 40);
  cv::putText(plate, text, cv::Point(static_cast<int>((width - size.width * fit) / 2), height * 8 / 10),
              cv::FONT_HERSHEY_SIMPLEX, scale * fit, cv::Scalar(ink, ink, ink), std::max(1, static_cast<int>(thickness * fit)),
              cv::LINE_AA);
  // Light and focus vary between photos.
  plate.convertTo(plate, -1, uniform_real(rng, 0.7, 1.0), 0.0);
  const double sigma = uniform_real(rng, 0.0, 0.8);
  if (sigma > 0.3) cv::GaussianBlur(plate, plate, cv::Size(), sigma);
  if (text_out != nullptr) *text_out = text;
  return plate;
}

void paste_plates(cv::Mat& image, const PlateSetOptions& options, std::mt19937& rng, Detections& truth) {
  for (int i = 0; i < options.count; ++i) {
    const int width = uniform(rng, options.min_width, options.max_width);
    const auto place = free_place(image.size(), cv::Size(width, plate_height(width, options.layout)), truth, rng);
    if (!place) break;
    const cv::Rect box(*place);
    cv::Mat drawn = render_plate(width, rng, nullptr, options.layout);
    if (options.dark_share > 0 && uniform_real(rng, 0.0, 1.0) < options.dark_share) drawn = cv::Scalar::all(255) - drawn;
    cv::Rect2f found = *place;
    if (options.perspective > 0) {
      found = paste_in_perspective(image, drawn, box, options.perspective, rng);
    } else {
      drawn.copyTo(image(box));
    }
    if (options.motion_blur > 0) {
      const double length = uniform_real(rng, 0.0, options.motion_blur) * width;
      const int grow = static_cast<int>(std::ceil(length));
      const cv::Rect around = cv::Rect(box.x - grow, box.y - grow, box.width + 2 * grow, box.height + 2 * grow) &
                              cv::Rect(0, 0, image.cols, image.rows);
      cv::Mat region = image(around);
      if (length >= 2) motion_blur(region, length, uniform_real(rng, 0.0, 180.0));
    }
    if (options.jpeg_quality > 0) {
      const cv::Rect around = cv::Rect(box.x - 8, box.y - 8, box.width + 16, box.height + 16) &
                              cv::Rect(0, 0, image.cols, image.rows);
      recompress(image(around), uniform(rng, options.jpeg_quality, 95));
    }
    truth.push_back({found, 1.0f, plate});
  }
}

}  // namespace nfx::privacy
