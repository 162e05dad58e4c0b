// The plate check: synthetic plates of every size pass it, plate-shaped windows of text-free images do not.
#include <plate_verifier.hpp>
#include <synthetic_plates.hpp>

#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>
#include <utility>

using namespace nfx::test;

// European plates (one line filling the plate: all pass) and American ones (a small state line over a
// registration a third of the plate high, whose thin characters touch at small sizes: most pass).
TEST(PlateCheck, SyntheticPlatesHoldALineOfCharacters) {
  using nfx::privacy::PlateLayout;
  for (const auto& [layout, least_share] : {std::pair{PlateLayout::european, 0.95}, std::pair{PlateLayout::american, 0.8}}) {
    std::mt19937 rng(7);
    int passed = 0;
    const int total = 60;
    for (int i = 0; i < total; ++i) {
      const int width = 80 + (i * 160) / total;
      cv::Mat gray;
      cv::cvtColor(nfx::privacy::render_plate(width, rng, nullptr, layout), gray, cv::COLOR_RGB2GRAY);
      passed += nfx::privacy::looks_like_plate(gray) ? 1 : 0;
    }
    std::printf("synthetic plates (layout %d) passed: %d of %d\n", static_cast<int>(layout), passed, total);
    EXPECT_GE(passed, least_share * total);
  }
}

// Plate-shaped windows (4.6 : 1) all over three photos without text: fur, paint strokes, fruit.
TEST(PlateCheck, TextFreeTexturesDoNot) {
  int windows = 0, passed = 0;
  for (const char* name : {"images/baboon.jpg", "images/starry_night.jpg", "images/fruits.jpg"}) {
    const cv::Mat gray = cv::imread(sample(name).string(), cv::IMREAD_GRAYSCALE);
    ASSERT_FALSE(gray.empty()) << name;
    for (int width = 92; width <= 276; width *= 3) {
      const int height = width * 10 / 46;
      for (int y = 0; y + height <= gray.rows; y += height / 2) {
        for (int x = 0; x + width <= gray.cols; x += width / 2) {
          ++windows;
          passed += nfx::privacy::looks_like_plate(gray(cv::Rect(x, y, width, height))) ? 1 : 0;
        }
      }
    }
  }
  std::printf("text-free windows passed: %d of %d\n", passed, windows);
  EXPECT_LE(passed * 20, windows) << "at most 5% of the windows look like a plate";
}
