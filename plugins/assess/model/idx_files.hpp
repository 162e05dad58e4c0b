// The IDX files of MNIST-style datasets (Fashion-MNIST as Debian's dataset-fashion-mnist ships it), plain
// or gzip'd: unsigned-byte images (magic 0x00000803: count, rows, columns) and labels (0x00000801: count).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::assess {

struct IdxImages {
  int64_t count = 0, rows = 0, columns = 0;
  std::vector<uint8_t> pixels;  // count x rows x columns
};

// Throws nfx::Error naming the file when it is missing, not IDX unsigned-byte images or labels, larger
// than its header allows (2^31 values), or shorter than its header says.
IdxImages read_idx_images(const std::string& path);
std::vector<uint8_t> read_idx_labels(const std::string& path);

}  // namespace nfx::assess
