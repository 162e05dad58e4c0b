#include "curve.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace nfx::flow {

namespace fs = std::filesystem;

void append_curve_row(const std::string& csv_path, const CurveRow& row) {
  std::error_code ec;
  const bool fresh = !fs::exists(csv_path, ec) || fs::file_size(csv_path, ec) == 0;
  std::ofstream out(csv_path, std::ios::app);
  if (!out) throw std::runtime_error(csv_path + ": cannot write the training curve");
  if (fresh) out << "epoch,step,seconds,train_bpd,held_out_bpd\n";
  char line[160];
  std::snprintf(line, sizeof line, "%lld,%lld,%.1f,%.5f,%.5f\n", static_cast<long long>(row.epoch),
                static_cast<long long>(row.step), row.seconds, row.train_bpd, row.held_out_bpd);
  out << line;
}

namespace {

std::vector<CurveRow> read_rows(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw std::runtime_error(csv_path + ": cannot read the training curve");
  std::vector<CurveRow> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    CurveRow r{};
    long long epoch = 0, step = 0;
    if (std::sscanf(line.c_str(), "%lld,%lld,%lf,%lf,%lf", &epoch, &step, &r.seconds, &r.train_bpd,
                    &r.held_out_bpd) == 5) {
      r.epoch = epoch;
      r.step = step;
      rows.push_back(r);
    }
  }
  return rows;
}

}  // namespace

void plot_curve(const std::string& csv_path, const std::string& png_path) {
  const std::vector<CurveRow> rows = read_rows(csv_path);
  constexpr int kWidth = 800, kHeight = 500, kLeft = 70, kRight = 20, kTop = 40, kBottom = 50;
  cv::Mat image(kHeight, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Scalar axis(60, 60, 60), train(200, 120, 30), held(30, 30, 200);
  cv::line(image, {kLeft, kTop}, {kLeft, kHeight - kBottom}, axis);
  cv::line(image, {kLeft, kHeight - kBottom}, {kWidth - kRight, kHeight - kBottom}, axis);
  cv::putText(image, "bits/dim by epoch: train (blue), held out (red)", {kLeft, 25}, cv::FONT_HERSHEY_SIMPLEX, 0.6,
              axis, 1, cv::LINE_AA);
  if (!rows.empty()) {
    double lo = 1e300, hi = -1e300;
    for (const CurveRow& r : rows) {
      lo = std::min({lo, r.train_bpd, r.held_out_bpd});
      hi = std::max({hi, r.train_bpd, r.held_out_bpd});
    }
    if (hi - lo < 1e-6) hi = lo + 1.0;
    const double first = static_cast<double>(rows.front().epoch), last = static_cast<double>(rows.back().epoch);
    auto at = [&](double epoch, double bpd) {
      const double fx = last > first ? (epoch - first) / (last - first) : 0.5;
      return cv::Point(kLeft + static_cast<int>(fx * (kWidth - kLeft - kRight)),
                       kHeight - kBottom - static_cast<int>((bpd - lo) / (hi - lo) * (kHeight - kTop - kBottom)));
    };
    for (size_t i = 0; i < rows.size(); ++i) {
      const CurveRow& r = rows[i];
      cv::circle(image, at(r.epoch, r.train_bpd), 3, train, cv::FILLED);
      cv::circle(image, at(r.epoch, r.held_out_bpd), 3, held, cv::FILLED);
      if (i > 0) {
        const CurveRow& p = rows[i - 1];
        cv::line(image, at(p.epoch, p.train_bpd), at(r.epoch, r.train_bpd), train, 2, cv::LINE_AA);
        cv::line(image, at(p.epoch, p.held_out_bpd), at(r.epoch, r.held_out_bpd), held, 2, cv::LINE_AA);
      }
    }
    char label[64];
    for (double v : {lo, hi}) {
      std::snprintf(label, sizeof label, "%.3f", v);
      cv::putText(image, label, {5, at(first, v).y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
    }
    for (double e : {first, last}) {
      std::snprintf(label, sizeof label, "%.0f", e);
      cv::putText(image, label, {at(e, lo).x - 5, kHeight - kBottom + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1,
                  cv::LINE_AA);
    }
  }
  const std::string temporary = png_path + ".partial.png";
  if (!cv::imwrite(temporary, image)) throw std::runtime_error(png_path + ": cannot write the plot");
  fs::rename(temporary, png_path);
}

}  // namespace nfx::flow
