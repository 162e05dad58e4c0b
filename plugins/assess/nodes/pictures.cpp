#include "nodes/pictures.hpp"

#include <nfx/base.hpp>
#include <nfx/common/atomic_file.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>

namespace nfx::assess {

namespace {

const cv::Scalar kInk(40, 40, 40), kPaper(255, 255, 255), kLine(170, 90, 30), kMark(40, 40, 200), kGrid(225, 225, 225);  // BGR
constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;

void text(cv::Mat& canvas, const std::string& s, int x, int y, double scale = 0.45, const cv::Scalar& colour = kInk) {
  cv::putText(canvas, s, cv::Point(x, y), kFont, scale, colour, 1, cv::LINE_AA);
}

void write_png(const std::string& path, const cv::Mat& canvas) {
  std::vector<uint8_t> png;
  if (!cv::imencode(".png", canvas, png)) throw nfx::Error(path + ": cannot encode the picture", NFX_ERR_IO);
  nfx::plugins::write_file_atomically(path, png.data(), png.size());
}

// Room for the widest class name at the left of a picture.
int label_width(const std::vector<std::string>& classes) {
  int widest = 0;
  for (const std::string& c : classes) {
    int baseline = 0;
    widest = std::max(widest, cv::getTextSize(c, kFont, 0.45, 1, &baseline).width);
  }
  return widest + 16;
}

}  // namespace

void write_sample_grid(const std::string& path, const torch::Tensor& samples, const std::vector<std::string>& classes) {
  const int rows = static_cast<int>(samples.size(0)), count = static_cast<int>(samples.size(1));
  const int channels = static_cast<int>(samples.size(2)), size = static_cast<int>(samples.size(3));
  const int scale = std::max(1, 56 / size), cell = size * scale + 4, left = label_width(classes);
  cv::Mat canvas(rows * cell + 8, left + count * cell + 8, CV_8UC3, kPaper);
  for (int r = 0; r < rows; ++r) {
    text(canvas, classes.at(static_cast<size_t>(r)), 8, 4 + r * cell + cell / 2 + 5);
    for (int i = 0; i < count; ++i) {
      const torch::Tensor hwc = samples[r][i].permute({1, 2, 0}).contiguous();  // planar -> interleaved
      cv::Mat image(size, size, CV_8UC(channels), hwc.data_ptr<uint8_t>()), bgr;
      cv::cvtColor(image, bgr, channels == 1 ? cv::COLOR_GRAY2BGR : cv::COLOR_RGB2BGR);
      cv::resize(bgr, bgr, cv::Size(size * scale, size * scale), 0, 0, cv::INTER_NEAREST);
      bgr.copyTo(canvas(cv::Rect(left + i * cell + 2, 4 + r * cell + 2, size * scale, size * scale)));
    }
  }
  write_png(path, canvas);
}

void write_confusion_png(const std::string& path, const torch::Tensor& confusion, const std::vector<std::string>& classes) {
  const torch::Tensor counts = confusion.to(torch::kInt64).contiguous();
  const int n = static_cast<int>(counts.size(0)), cell = 44, left = label_width(classes), top = 40;
  cv::Mat canvas(top + n * cell + 30, left + n * cell + 10, CV_8UC3, kPaper);
  text(canvas, "rows: true class; columns: predicted, same order; shade: share of the row", 8, 16, 0.4);
  for (int r = 0; r < n; ++r) {
    text(canvas, classes.at(static_cast<size_t>(r)), 8, top + r * cell + cell / 2 + 5);
    const double row_total = std::max<double>(1, counts[r].sum().item<double>());
    for (int c = 0; c < n; ++c) {
      const int64_t value = counts[r][c].item<int64_t>();
      const double share = static_cast<double>(value) / row_total;
      // White to blue on the diagonal (right), white to red off it (confusions).
      const cv::Scalar shade = r == c ? cv::Scalar(255, 255 - 140 * share, 255 - 200 * share) : cv::Scalar(255 - 200 * share, 255 - 200 * share, 255);
      const cv::Rect box(left + c * cell, top + r * cell, cell - 2, cell - 2);
      cv::rectangle(canvas, box, shade, cv::FILLED);
      text(canvas, std::to_string(value), box.x + 4, box.y + cell / 2 + 4, 0.38, share > 0.6 ? kPaper : kInk);
    }
  }
  write_png(path, canvas);
}

void write_review_curve_png(const std::string& path, const std::vector<std::pair<double, double>>& points, std::pair<double, double> chosen) {
  const int width = 560, height = 360, left = 60, right = 20, top = 30, bottom = 50;
  cv::Mat canvas(height, width, CV_8UC3, kPaper);
  double top_error = 0.01;
  for (const auto& point : points) top_error = std::max(top_error, point.second);
  const auto at = [&](double review, double error) {
    return cv::Point(left + static_cast<int>(review * (width - left - right)), height - bottom - static_cast<int>(error / top_error * (height - top - bottom)));
  };
  for (int i = 0; i <= 4; ++i) {
    cv::line(canvas, at(i / 4.0, 0), at(i / 4.0, top_error), kGrid);
    cv::line(canvas, at(0, top_error * i / 4.0), at(1, top_error * i / 4.0), kGrid);
    char label[32];
    std::snprintf(label, sizeof label, "%.0f%%", 100.0 * i / 4.0);
    text(canvas, label, at(i / 4.0, 0).x - 12, height - bottom + 18, 0.4);
    std::snprintf(label, sizeof label, "%.1f%%", 100.0 * top_error * i / 4.0);
    text(canvas, label, 6, at(0, top_error * i / 4.0).y + 4, 0.4);
  }
  for (size_t i = 1; i < points.size(); ++i) {
    cv::line(canvas, at(points[i - 1].first, points[i - 1].second), at(points[i].first, points[i].second), kLine, 2, cv::LINE_AA);
  }
  cv::circle(canvas, at(chosen.first, chosen.second), 5, kMark, cv::FILLED, cv::LINE_AA);
  text(canvas, "share of items sent to review", left + 140, height - 12, 0.45);
  text(canvas, "error among the items decided without a person (dot: the model's thresholds)", 8, 18, 0.4);
  write_png(path, canvas);
}

}  // namespace nfx::assess
