#include "synthetic_plates.hpp"

#include "placement.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>

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

}  // namespace

cv::Mat render_plate(int width, std::mt19937& rng, std::string* text_out) {
  const int height = std::max(8, width * 112 / 520);
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
    const auto place = free_place(image.size(), cv::Size(width, std::max(8, width * 112 / 520)), truth, rng);
    if (!place) break;
    render_plate(width, rng).copyTo(image(cv::Rect(*place)));
    truth.push_back({*place, 1.0f, plate});
  }
}

}  // namespace nfx::privacy
