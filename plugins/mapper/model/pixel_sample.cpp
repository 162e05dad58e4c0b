#include "model/pixel_sample.hpp"

#include <nfx/base.hpp>

#include <algorithm>

namespace nfx::mapper {

double pixel_priority(uint64_t seed, int64_t position) {
  // splitmix64 of the seed and the position: a fixed, portable mix of 64 bits.
  uint64_t z = seed * 0x9E3779B97F4A7C15ULL + static_cast<uint64_t>(position) + 0x632BE59BD9B4E019ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53;
}

PixelSample::PixelSample(int64_t capacity, int64_t d, uint64_t seed) : capacity_(capacity), d_(d), seed_(seed) {
  if (capacity < 1 || d < 1) throw nfx::Error("a pixel sample of " + std::to_string(capacity) + " pixels of " + std::to_string(d) + " features");
}

void PixelSample::offer(int64_t position, const float* features) {
  ++offered_;
  const double priority = pixel_priority(seed_, position);
  if (size() < capacity_) {
    heap_.emplace(priority, positions_.size());
    positions_.push_back(position);
    values_.insert(values_.end(), features, features + d_);
    return;
  }
  if (priority >= heap_.top().first) return;
  const size_t slot = heap_.top().second;
  heap_.pop();
  heap_.emplace(priority, slot);
  positions_[slot] = position;
  std::copy(features, features + d_, values_.begin() + static_cast<int64_t>(slot) * d_);
}

std::vector<float> PixelSample::features() const {
  std::vector<size_t> order(positions_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return positions_[a] < positions_[b]; });
  std::vector<float> out;
  out.reserve(values_.size());
  for (size_t i : order) out.insert(out.end(), values_.begin() + static_cast<int64_t>(i) * d_, values_.begin() + static_cast<int64_t>(i + 1) * d_);
  return out;
}

}  // namespace nfx::mapper
