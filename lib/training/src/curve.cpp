#include <nfx/training/curve.hpp>

#include <nfx/common/atomic_file.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>

namespace nfx::training {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_commas(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream in(line);
  std::string field;
  while (std::getline(in, field, ',')) fields.push_back(field);
  return fields;
}

std::string header_of(const Values& row) {
  std::string header;
  for (const auto& [name, value] : row) header += (header.empty() ? "" : ",") + name;
  return header;
}

std::string format_value(double v) {
  char text[64];
  if (std::isfinite(v) && v == std::floor(v) && std::abs(v) < 1e15) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(v));
  } else {
    std::snprintf(text, sizeof text, "%.6g", v);
  }
  return text;
}

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<double>> rows;
};

Table read_table(const std::string& csv_path) {
  std::ifstream in(csv_path);
  if (!in) throw std::runtime_error(csv_path + ": cannot read the training curve");
  Table table;
  std::string line;
  std::getline(in, line);
  table.columns = split_commas(line);
  while (std::getline(in, line)) {
    const std::vector<std::string> fields = split_commas(line);
    if (fields.size() != table.columns.size()) continue;  // a row cut short by a killed run
    std::vector<double> row;
    for (const std::string& f : fields) row.push_back(f.empty() ? NAN : std::strtod(f.c_str(), nullptr));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string unit_of(const std::string& column) {
  const size_t underscore = column.rfind('_');
  return underscore == std::string::npos ? column : column.substr(underscore + 1);
}

const cv::Scalar kColors[] = {{200, 120, 30}, {30, 30, 200}, {40, 150, 40}, {150, 40, 150}, {20, 140, 200}, {90, 90, 90}};

// One panel: the named columns against column 0 in the rectangle `box`.
void draw_panel(cv::Mat& image, const cv::Rect& box, const Table& table, const std::vector<size_t>& series,
                const std::string& unit) {
  const cv::Scalar axis(60, 60, 60);
  const int left = box.x + 70, right = box.x + box.width - 20, top = box.y + 30, bottom = box.y + box.height - 35;
  cv::line(image, {left, top}, {left, bottom}, axis);
  cv::line(image, {left, bottom}, {right, bottom}, axis);
  std::string title = unit + ":";
  for (size_t k = 0; k < series.size(); ++k) title += " " + table.columns[series[k]];
  cv::putText(image, title, {left, box.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.5, axis, 1, cv::LINE_AA);
  for (size_t k = 0; k < series.size(); ++k) {  // a colour key under the title
    cv::line(image, {right - 20 * static_cast<int>(series.size() - k), box.y + 15},
             {right - 20 * static_cast<int>(series.size() - k) + 14, box.y + 15}, kColors[k % 6], 3);
  }
  double lo = INFINITY, hi = -INFINITY, first = INFINITY, last = -INFINITY;
  for (const auto& row : table.rows) {
    first = std::min(first, row[0]);
    last = std::max(last, row[0]);
    for (size_t s : series) {
      if (std::isfinite(row[s])) lo = std::min(lo, row[s]), hi = std::max(hi, row[s]);
    }
  }
  if (!std::isfinite(lo)) return;
  if (hi - lo < 1e-9) hi = lo + 1.0;
  auto at = [&](double x, double y) {
    const double fx = last > first ? (x - first) / (last - first) : 0.5;
    return cv::Point(left + static_cast<int>(fx * (right - left)), bottom - static_cast<int>((y - lo) / (hi - lo) * (bottom - top)));
  };
  for (size_t k = 0; k < series.size(); ++k) {
    const size_t s = series[k];
    const std::vector<double>* previous = nullptr;
    for (const auto& row : table.rows) {
      if (!std::isfinite(row[s])) continue;
      cv::circle(image, at(row[0], row[s]), 3, kColors[k % 6], cv::FILLED);
      if (previous) cv::line(image, at((*previous)[0], (*previous)[s]), at(row[0], row[s]), kColors[k % 6], 2, cv::LINE_AA);
      previous = &row;
    }
  }
  char label[64];
  for (double v : {lo, hi}) {
    std::snprintf(label, sizeof label, "%.4g", v);
    cv::putText(image, label, {box.x + 5, at(first, v).y + 5}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
  }
  for (double x : {first, last}) {
    std::snprintf(label, sizeof label, "%.0f", x);
    cv::putText(image, label, {at(x, lo).x - 5, bottom + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.45, axis, 1, cv::LINE_AA);
  }
}

}  // namespace

std::string with_curve_row(const std::string& csv, const Values& row) {
  std::string line;
  for (const auto& [name, value] : row) line += (line.empty() ? "" : ",") + format_value(value);
  if (csv.empty()) return header_of(row) + "\n" + line + "\n";
  const std::string header = csv.substr(0, csv.find('\n'));
  if (header != header_of(row)) {
    throw std::runtime_error("the curve has columns '" + header + "', this run writes '" + header_of(row) + "'");
  }
  return csv + (csv.back() == '\n' ? "" : "\n") + line + "\n";
}

void write_curve(const std::string& csv_path, const std::string& csv) {
  nfx::plugins::write_file_atomically(csv_path, csv.data(), csv.size());
}

void append_curve_row(const std::string& csv_path, const Values& row) {
  std::string csv;
  std::error_code ec;
  if (fs::exists(csv_path, ec)) {
    std::ifstream in(csv_path, std::ios::binary);
    csv.assign(std::istreambuf_iterator<char>(in), {});
  }
  try {
    csv = with_curve_row(csv, row);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(csv_path + ": " + e.what() + "; delete it or choose another folder");
  }
  write_curve(csv_path, csv);
}

void plot_curve(const std::string& csv_path, const std::string& png_path) {
  const Table table = read_table(csv_path);
  std::map<std::string, std::vector<size_t>> panels;
  std::vector<std::string> order;
  for (size_t c = 1; c < table.columns.size(); ++c) {
    const std::string& name = table.columns[c];
    if (name == "epoch" || name == "step" || name == "seconds") continue;
    const std::string unit = unit_of(name);
    if (!panels.count(unit)) order.push_back(unit);
    panels[unit].push_back(c);
  }
  constexpr int kWidth = 800, kPanel = 320;
  const int panel_count = std::max<int>(1, static_cast<int>(order.size()));
  cv::Mat image(kPanel * panel_count, kWidth, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int p = 0; p < static_cast<int>(order.size()); ++p) {
    draw_panel(image, cv::Rect(0, p * kPanel, kWidth, kPanel), table, panels[order[p]], order[p]);
  }
  const std::string temporary = png_path + ".partial.png";
  bool written = false;
  try {
    written = cv::imwrite(temporary, image);
  } catch (const cv::Exception&) {
  }
  std::error_code ec;
  if (!written) {
    fs::remove(temporary, ec);
    throw std::runtime_error(png_path + ": cannot write the plot");
  }
  fs::rename(temporary, png_path, ec);
  if (ec) throw std::runtime_error(png_path + ": cannot move the plot into place: " + ec.message());
}

}  // namespace nfx::training
