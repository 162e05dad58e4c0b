// Images as files: finding them, decoding to and encoding from nfx images (HWC uint8, RGB/RGBA/gray),
// and writing files atomically.
#pragma once

#include <nfx/common/atomic_file.hpp>
#include <nfx/common/image_mat.hpp>

#include <nfx/nfx.hpp>

#include <opencv2/core.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace nfx::io {

// Image files for `pattern`: one file, every image in a folder (recursively if asked), or a glob whose
// last part holds '*' or '?'. Sorted by path. Throws nfx::Error when nothing matches.
std::vector<std::filesystem::path> find_images(const std::string& pattern, bool recursive);

bool has_image_extension(const std::filesystem::path& path);

// Decodes a file into an nfx image. color: "color" (RGB), "gray", "unchanged" (keeps alpha). The pixels
// are turned upright by the EXIF orientation. `exif`, when given, receives the file's EXIF payload
// (empty if none). Throws nfx::Error naming the file when it cannot be read or decoded, or when its header
// declares more than `max_pixels` pixels (0: no limit), before any pixel is decoded.
nfx::Tensor read_image_file(const std::filesystem::path& path, const std::string& color, int64_t max_pixels,
                            std::vector<unsigned char>* exif = nullptr);

// The default of the readers' max_pixels: 200 megapixels, above every camera sensor, below what would
// exhaust an ordinary machine with a few items in flight (Pillow's bomb guard errs at 179 MP).
constexpr int64_t kDefaultMaxPixels = 200'000'000;

// A rank-1 uint8 tensor holding bytes (an image's EXIF payload travels as one).
nfx::Tensor bytes_tensor(const std::vector<unsigned char>& bytes);

// An OpenCV (BGR-ordered) view or copy of an nfx image, and back.
cv::Mat to_bgr_mat(const DLTensor& image);
nfx::Tensor from_bgr_mat(const cv::Mat& bgr);

using nfx::plugins::as_mat;
using nfx::plugins::temporary_sibling;
using nfx::plugins::write_file_atomically;

}  // namespace nfx::io
