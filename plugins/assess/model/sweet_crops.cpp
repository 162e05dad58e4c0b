#include "model/sweet_crops.hpp"

#include <nfx/base.hpp>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <map>
#include <random>

namespace nfx::assess {

namespace {

constexpr int kCropSize = 32;

struct Sweet {
  cv::Point2d centre;
  double radius = 0;
  bool cut = false;  // by the picture's edge
};

// The sweets' colours by their median hue (OpenCV's 0..180) and brightness: brown is dark whatever its
// hue; the others by hue band.
std::string colour_of(double hue, double value) {
  if (value < 110) return "brown";
  if (hue < 4 || hue >= 165) return "red";
  if (hue < 25) return "orange";
  if (hue < 90) return "green";
  return "blue";
}

double median(std::vector<uint8_t> v) {
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

// Hue and brightness medians inside the sweet's inner disc (its rim is shaded and its highlight white).
// Red wraps around hue 0, so hues are shifted by 90 before the median when most are near the ends.
std::pair<double, double> hue_and_value(const cv::Mat& hsv, const Sweet& s) {
  std::vector<uint8_t> hues, values;
  const int r = static_cast<int>(s.radius * 0.6);
  for (int y = -r; y <= r; ++y) {
    for (int x = -r; x <= r; ++x) {
      const cv::Point p(static_cast<int>(s.centre.x) + x, static_cast<int>(s.centre.y) + y);
      if (x * x + y * y > r * r || p.x < 0 || p.y < 0 || p.x >= hsv.cols || p.y >= hsv.rows) continue;
      const cv::Vec3b v = hsv.at<cv::Vec3b>(p);
      hues.push_back(v[0]);
      values.push_back(v[2]);
    }
  }
  const auto near_ends = std::count_if(hues.begin(), hues.end(), [](uint8_t h) { return h < 20 || h > 160; });
  double hue = 0;
  if (2 * near_ends > static_cast<std::ptrdiff_t>(hues.size())) {
    for (uint8_t& h : hues) h = static_cast<uint8_t>((h + 90) % 180);
    hue = std::fmod(median(hues) + 90, 180);
  } else {
    hue = median(hues);
  }
  return {hue, median(values)};
}

// One view of a sweet: turned, maybe mirrored, lit brighter or darker, shifted a little, on white.
cv::Mat view_of(const cv::Mat& picture, const Sweet& s, std::mt19937_64& random) {
  std::uniform_real_distribution<double> angle(0, 360), light(0.8, 1.2), shift(-0.08, 0.08);
  const double side = s.radius * 2.5;
  const double scale = kCropSize / side;
  cv::Mat turn = cv::getRotationMatrix2D(s.centre, angle(random), scale);
  turn.at<double>(0, 2) += kCropSize / 2.0 - s.centre.x + shift(random) * kCropSize;
  turn.at<double>(1, 2) += kCropSize / 2.0 - s.centre.y + shift(random) * kCropSize;
  cv::Mat crop;
  cv::warpAffine(picture, crop, turn, cv::Size(kCropSize, kCropSize), cv::INTER_AREA, cv::BORDER_CONSTANT, cv::Scalar(255, 255, 255));
  if (random() % 2) cv::flip(crop, crop, 1);
  crop.convertTo(crop, -1, light(random), 0);
  return crop;
}

}  // namespace

SweetSet cut_sweets(const std::string& path, uint64_t seed, int views) {
  cv::Mat picture;
  try {
    picture = cv::imread(path, cv::IMREAD_COLOR);
  } catch (const cv::Exception&) {
  }
  if (picture.empty()) throw nfx::Error(path + ": cannot be read as an image", NFX_ERR_IO);
  cv::Mat hsv;
  cv::cvtColor(picture, hsv, cv::COLOR_BGR2HSV);
  // The ground is white and the shadows grey: a sweet is saturated, or dark (brown).
  cv::Mat saturation, value, mask;
  cv::extractChannel(hsv, saturation, 1);
  cv::extractChannel(hsv, value, 2);
  mask = (saturation > 70) | (value < 90);
  cv::morphologyEx(mask, mask, cv::MORPH_OPEN, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  cv::morphologyEx(mask, mask, cv::MORPH_CLOSE, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(5, 5)));
  // One sweet per peak of the distance to the ground (touching sweets keep a peak each): a pixel that is
  // the farthest from the ground within most of a sweet's radius around it.
  cv::Mat distance, grown;
  cv::distanceTransform(mask, distance, cv::DIST_L2, 5);
  double widest = 0;
  cv::minMaxLoc(distance, nullptr, &widest);
  const int reach = 2 * static_cast<int>(widest * 0.8) + 1;
  cv::dilate(distance, grown, cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(reach, reach)));
  const cv::Mat peaks = (distance >= grown) & (distance > 0.2 * widest);
  cv::Mat labels, stats, centroids;
  const int found = cv::connectedComponentsWithStats(peaks, labels, stats, centroids);
  std::vector<Sweet> sweets;
  for (int c = 1; c < found; ++c) {
    Sweet s;
    s.centre = cv::Point2d(centroids.at<double>(c, 0), centroids.at<double>(c, 1));
    // A sweet cut by the picture's edge is still a sweet (its peak lies on the edge): give it the widest
    // sweet's radius.
    const bool cut = s.centre.x < widest || s.centre.y < widest || s.centre.x > picture.cols - widest || s.centre.y > picture.rows - widest;
    s.cut = cut;
    s.radius = cut ? widest : distance.at<float>(cv::Point(static_cast<int>(s.centre.x), static_cast<int>(s.centre.y)));
    sweets.push_back(s);
  }
  SweetSet set;
  std::map<std::string, std::vector<size_t>> by_colour;
  for (size_t i = 0; i < sweets.size(); ++i) {
    const auto [hue, v] = hue_and_value(hsv, sweets[i]);
    by_colour[colour_of(hue, v)].push_back(i);
  }
  for (const auto& [name, members] : by_colour) {
    if (members.size() < 2) {
      throw nfx::Error(path + ": " + std::to_string(members.size()) + " " + name + " sweet(s) found; each colour needs 2 (one to train, one to test)",
                       NFX_ERR_IO);
    }
    set.colours.push_back(name);
  }
  std::mt19937_64 random(seed);
  int sweet_number = 0;
  for (size_t colour = 0; colour < set.colours.size(); ++colour) {
    std::vector<size_t> members = by_colour[set.colours[colour]];
    // Whole sweets first, so training gets a whole one of each colour; then left to right.
    std::sort(members.begin(), members.end(), [&](size_t a, size_t b) {
      return std::make_pair(sweets[a].cut, sweets[a].centre.x) < std::make_pair(sweets[b].cut, sweets[b].centre.x);
    });
    for (size_t k = 0; k < members.size(); ++k, ++sweet_number) {
      for (int v = 0; v < views; ++v) {
        set.crops.push_back({view_of(picture, sweets[members[k]], random), static_cast<int>(colour), sweet_number, v, k % 2 == 0});
      }
    }
  }
  set.sweets = sweet_number;
  return set;
}

}  // namespace nfx::assess
