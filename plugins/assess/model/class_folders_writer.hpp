// Writing labelled images out in the class-folder layout (one sub-folder per class, PNG files), as the
// sample datasets are given to the assess graphs: Fashion-MNIST's IDX files become a folder a user could
// have made.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nfx::assess {

// Images `which` of `pixels` (count x rows x columns gray bytes) into `root`/<class name>/<index>.png,
// the index zero-padded to 5 digits. Creates the folders; throws nfx::Error naming a file that cannot be
// written. Returns the number of files written.
int64_t write_class_folders(const std::vector<uint8_t>& pixels, int64_t rows, int64_t columns, const std::vector<uint8_t>& labels,
                            const std::vector<std::string>& class_names, const std::vector<int64_t>& which, const std::string& root);

}  // namespace nfx::assess
