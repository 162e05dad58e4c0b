#include "plate_verifier.hpp"

#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <vector>

namespace nfx::privacy {

namespace {

constexpr int kHeight = 48;  // candidates are compared at this height

// The character-like blobs of one polarity: foreground = pixels beyond Otsu's threshold on the `dark` side.
std::vector<cv::Rect> character_blobs(const cv::Mat& gray, bool dark) {
  cv::Mat ink;
  cv::threshold(gray, ink, 0, 255, (dark ? cv::THRESH_BINARY_INV : cv::THRESH_BINARY) | cv::THRESH_OTSU);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(ink, labels, stats, centroids, 8);
  std::vector<cv::Rect> blobs;
  for (int i = 1; i < n; ++i) {
    const cv::Rect r(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                     stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const double fill = static_cast<double>(stats.at<int>(i, cv::CC_STAT_AREA)) / r.area();
    const bool tall_enough = r.height >= 0.25 * gray.rows && r.height <= 0.95 * gray.rows;
    const bool narrow = r.width >= 0.08 * r.height && r.width <= 1.0 * r.height;
    if (tall_enough && narrow && fill > 0.15 && fill < 0.95) blobs.push_back(r);
  }
  return blobs;
}

// The largest set of blobs on one line: centres within 15% of the height, heights within 30%.
size_t longest_row(const std::vector<cv::Rect>& blobs, int height) {
  size_t best = 0;
  for (const cv::Rect& a : blobs) {
    const double centre = a.y + a.height / 2.0;
    const size_t row = static_cast<size_t>(std::count_if(blobs.begin(), blobs.end(), [&](const cv::Rect& b) {
      return std::abs(b.y + b.height / 2.0 - centre) <= 0.15 * height && std::abs(b.height - a.height) <= 0.3 * a.height;
    }));
    best = std::max(best, row);
  }
  return best;
}

}  // namespace

bool looks_like_plate(const cv::Mat& candidate, const PlateCheck& check) {
  if (candidate.empty()) return false;
  cv::Mat gray;
  const double scale = static_cast<double>(kHeight) / candidate.rows;
  cv::resize(candidate, gray, {}, scale, scale, scale < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  for (const bool dark : {true, false}) {
    if (longest_row(character_blobs(gray, dark), gray.rows) >= static_cast<size_t>(check.min_characters)) return true;
  }
  return false;
}

}  // namespace nfx::privacy
