// A seeded sample of a raster's pixels taken while its blocks stream past, the same whatever the block size
// (bottom-k sampling): each pixel gets a pseudo-random priority from the seed and its place in the raster,
// and the `capacity` pixels of lowest priority are kept. A later sample (evaluation) leaves out the pixels
// a model was fitted on by their priority under the training seed, so its figures are on pixels the
// model never saw.
#pragma once

#include <cstddef>
#include <cstdint>
#include <queue>
#include <utility>
#include <vector>

namespace nfx::mapper {

// The priority of the pixel at `position` (row * width + column) under `seed`: uniform in [0, 1).
double pixel_priority(uint64_t seed, int64_t position);

class PixelSample {
 public:
  // `d` features per pixel.
  PixelSample(int64_t capacity, int64_t d, uint64_t seed);

  void offer(int64_t position, const float* features);
  int64_t offered() const { return offered_; }
  int64_t size() const { return static_cast<int64_t>(positions_.size()); }
  // The highest priority kept: a pixel's priority under this seed at or below it means it is in the sample
  // (1 when the sample is not full yet).
  double threshold() const { return size() < capacity_ ? 1.0 : heap_.top().first; }
  // The kept pixels' features, in raster order: size() x d.
  std::vector<float> features() const;

 private:
  int64_t capacity_, d_;
  uint64_t seed_;
  int64_t offered_ = 0;
  std::vector<int64_t> positions_;  // per slot
  std::vector<float> values_;       // per slot, d each
  std::priority_queue<std::pair<double, size_t>> heap_;  // priority, slot: the highest on top
};

}  // namespace nfx::mapper
