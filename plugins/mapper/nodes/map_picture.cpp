#include "nodes/map_picture.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace nfx::mapper {

namespace {

// Qualitative colours that stay apart for the usual k (4 .. 12), after Paul Tol's "muted" and "bright" sets.
constexpr uint8_t kPalette[][3] = {{51, 34, 136},  {136, 204, 238}, {68, 170, 153},  {17, 119, 51},   {153, 153, 51},
                                   {221, 204, 119}, {204, 102, 119}, {136, 34, 85},   {170, 68, 153},  {238, 102, 119},
                                   {34, 136, 51},   {204, 187, 68},  {102, 204, 238}, {170, 51, 119},  {68, 119, 170}};
constexpr int kPaletteSize = sizeof kPalette / sizeof kPalette[0];
const cv::Scalar kNoData(235, 235, 235), kInk(40, 40, 40), kPaper(255, 255, 255);  // BGR
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

cv::Scalar bgr(const nfx::rasters::RasterClass& c) { return cv::Scalar(c.blue, c.green, c.red); }

void text(cv::Mat& canvas, const std::string& s, int x, int y, double scale = 0.45, const cv::Scalar& colour = kInk) {
  cv::putText(canvas, s, cv::Point(x, y), kFont, scale, colour, 1, cv::LINE_AA);
}

}  // namespace

std::vector<nfx::rasters::RasterClass> class_legend(int k, const std::vector<std::string>& names) {
  std::vector<nfx::rasters::RasterClass> legend;
  for (int c = 0; c < k; ++c) {
    const uint8_t* rgb = kPalette[c % kPaletteSize];
    const double shade = std::pow(0.7, c / kPaletteSize);
    const auto scaled = [&](uint8_t v) { return static_cast<uint8_t>(std::lround(v * shade)); };
    const std::string name = static_cast<size_t>(c) < names.size() ? names[c] : "class " + std::to_string(c + 1);
    legend.push_back({c + 1, name, scaled(rgb[0]), scaled(rgb[1]), scaled(rgb[2])});
  }
  return legend;
}

MapPicture::MapPicture(int64_t width, int64_t height, int64_t picture_width) : width_(width), height_(height) {
  const double scale = static_cast<double>(picture_width) / static_cast<double>(width);
  classes_ = cv::Mat::zeros(std::max(1, static_cast<int>(std::lround(height * scale))), std::max(1, static_cast<int>(std::lround(width * scale))),
                            CV_8U);
}

void MapPicture::add_rows(int64_t y, int64_t rows, const uint8_t* classes) {
  // Each picture pixel shows the map pixel at its centre (nearest neighbour: classes do not blend).
  const double sy = static_cast<double>(height_) / classes_.rows, sx = static_cast<double>(width_) / classes_.cols;
  for (int r = 0; r < classes_.rows; ++r) {
    const int64_t source_row = std::min(height_ - 1, static_cast<int64_t>((r + 0.5) * sy));
    if (source_row < y || source_row >= y + rows) continue;
    uint8_t* out = classes_.ptr<uint8_t>(r);
    const uint8_t* in = classes + (source_row - y) * width_;
    for (int c = 0; c < classes_.cols; ++c) out[c] = in[std::min(width_ - 1, static_cast<int64_t>((c + 0.5) * sx))];
  }
}

cv::Mat MapPicture::render(const std::string& title, const std::vector<nfx::rasters::RasterClass>& legend, const std::vector<double>& shares,
                           const std::vector<double>& means, const std::vector<std::string>& band_names) const {
  const int k = static_cast<int>(legend.size()), bands = static_cast<int>(band_names.size());
  const int margin = 16, panel = 380, row = 22, chart_height = 220;
  const int legend_height = 40 + k * row + 30 + chart_height + 50;
  const int height = std::max(classes_.rows + 2 * margin + 24, legend_height + margin);
  cv::Mat canvas(height, classes_.cols + panel + 3 * margin, CV_8UC3, kPaper);
  text(canvas, title, margin, margin + 8, 0.5);

  // The map.
  cv::Mat map(classes_.size(), CV_8UC3, kNoData);
  for (int r = 0; r < classes_.rows; ++r) {
    for (int c = 0; c < classes_.cols; ++c) {
      const int v = classes_.at<uint8_t>(r, c);
      if (v >= 1 && v <= k) {
        const cv::Scalar colour = bgr(legend[v - 1]);
        map.at<cv::Vec3b>(r, c) = cv::Vec3b(static_cast<uint8_t>(colour[0]), static_cast<uint8_t>(colour[1]), static_cast<uint8_t>(colour[2]));
      }
    }
  }
  map.copyTo(canvas(cv::Rect(margin, margin + 24, map.cols, map.rows)));

  // The legend: colour, name, share of the mapped pixels.
  const int x0 = classes_.cols + 2 * margin;
  int y = margin + 24;
  char line[128];
  for (int c = 0; c < k; ++c) {
    cv::rectangle(canvas, cv::Rect(x0, y, 16, 16), bgr(legend[c]), cv::FILLED);
    std::snprintf(line, sizeof line, "%s  %.1f%%", legend[c].name.c_str(), 100 * (static_cast<size_t>(c) < shares.size() ? shares[c] : 0.0));
    text(canvas, line, x0 + 24, y + 13);
    y += row;
  }
  cv::rectangle(canvas, cv::Rect(x0, y, 16, 16), kNoData, cv::FILLED);
  text(canvas, "no data", x0 + 24, y + 13);
  y += row + 24;

  // The mean spectrum of each class: band values (the raster's units) over the bands.
  if (bands < 1 || means.size() < static_cast<size_t>(k * bands)) return canvas;
  text(canvas, "mean spectrum of each class", x0, y);
  y += 12;
  const cv::Rect chart(x0 + 40, y, panel - 60, chart_height);
  double low = means[0], high = means[0];
  for (double v : means) low = std::min(low, v), high = std::max(high, v);
  if (high <= low) high = low + 1;
  const auto at = [&](int b, double v) {
    const double fx = bands > 1 ? static_cast<double>(b) / (bands - 1) : 0.5;
    return cv::Point(chart.x + static_cast<int>(fx * chart.width), chart.y + chart.height - static_cast<int>((v - low) / (high - low) * chart.height));
  };
  cv::rectangle(canvas, chart, cv::Scalar(200, 200, 200));
  std::snprintf(line, sizeof line, "%.0f", high);
  text(canvas, line, x0, chart.y + 10, 0.35);
  std::snprintf(line, sizeof line, "%.0f", low);
  text(canvas, line, x0, chart.y + chart.height, 0.35);
  for (int c = 0; c < k; ++c) {
    for (int b = 0; b + 1 < bands; ++b) {
      cv::line(canvas, at(b, means[c * bands + b]), at(b + 1, means[c * bands + b + 1]), bgr(legend[c]), 2, cv::LINE_AA);
    }
    for (int b = 0; b < bands; ++b) cv::circle(canvas, at(b, means[c * bands + b]), 3, bgr(legend[c]), cv::FILLED, cv::LINE_AA);
  }
  for (int b = 0; b < bands; ++b) {
    const cv::Point p = at(b, low);
    int baseline = 0;
    const cv::Size size = cv::getTextSize(band_names[b], kFont, 0.35, 1, &baseline);
    text(canvas, band_names[b], p.x - size.width / 2, chart.y + chart.height + 16 + (b % 2) * 12, 0.35);
  }
  return canvas;
}

}  // namespace nfx::mapper
