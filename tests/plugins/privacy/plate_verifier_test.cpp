// The plate check: synthetic plates of every size pass it, plate-shaped windows of text-free images do not.
#include <plate_verifier.hpp>
#include <synthetic_plates.hpp>

#include "test_support.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <random>

using namespace nfx::test;

TEST(PlateCheck, SyntheticPlatesHoldALineOfCharacters) {
  std::mt19937 rng(7);
  int passed = 0;
  const int total = 60;
  for (int i = 0; i < total; ++i) {
    const int width = 80 + (i * 160) / total;
    cv::Mat gray;
    cv::cvtColor(nfx::privacy::render_plate(width, rng), gray, cv::COLOR_RGB2GRAY);
    passed += nfx::privacy::looks_like_plate(gray) ? 1 : 0;
  }
  std::printf("synthetic plates passed: %d of %d\n", passed, total);
  EXPECT_GE(passed, total * 95 / 100);
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
