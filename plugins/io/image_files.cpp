#include "image_files.hpp"

#include "image_header.hpp"

#include "exif_segment.hpp"

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <unistd.h>

namespace nfx::io {

namespace fs = std::filesystem;

namespace {

// '*' matches any run of characters, '?' one character. Greedy, going back only to the last '*': at most
// pattern x text steps (the recursive form took exponential time on patterns like *a*a*a*a*a*b).
bool glob_match(const char* pattern, const char* text) {
  const char* star = nullptr;  // the last '*' seen, and where in the text its match ends so far
  const char* star_text = nullptr;
  while (*text) {
    if (*pattern == '*') {
      star = pattern++;
      star_text = text;
    } else if (*pattern == '?' || *pattern == *text) {
      ++pattern;
      ++text;
    } else if (star != nullptr) {
      pattern = star + 1;  // let the last '*' swallow one more character
      text = ++star_text;
    } else {
      return false;
    }
  }
  while (*pattern == '*') ++pattern;
  return *pattern == '\0';
}

}  // namespace

bool has_image_extension(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  static const char* kKnown[] = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".pnm"};
  return std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return ext == k; });
}

std::vector<fs::path> find_images(const std::string& pattern, bool recursive) {
  std::vector<fs::path> files;
  const fs::path p(pattern);
  std::error_code ec;
  if (fs::is_regular_file(p, ec)) return {p};
  if (fs::is_directory(p, ec)) {
    // Hidden files (names starting with '.', such as nfx's own temporaries) are not read, and an entry
    // that cannot be examined (a symlink loop, a file removed meanwhile) is passed over.
    auto add = [&](const fs::directory_entry& e) {
      std::error_code entry_error;
      if (e.path().filename().string().rfind('.', 0) == 0) return;
      if (e.is_regular_file(entry_error) && has_image_extension(e.path())) files.push_back(e.path());
    };
    if (recursive) {
      for (fs::recursive_directory_iterator it(p, fs::directory_options::skip_permission_denied, ec), end;
           !ec && it != end; it.increment(ec)) {
        std::error_code entry_error;
        if (it->path().filename().string().rfind('.', 0) == 0 && it->is_directory(entry_error)) {
          it.disable_recursion_pending();  // a hidden folder is passed over whole
        }
        add(*it);
      }
    } else {
      for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) add(*it);
    }
  } else if (pattern.find_first_of("*?") != std::string::npos) {
    const fs::path dir = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    const std::string name_pattern = p.filename().string();
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      const std::string name = it->path().filename().string();
      std::error_code entry_error;
      if (name.rfind('.', 0) != 0 && it->is_regular_file(entry_error) && glob_match(name_pattern.c_str(), name.c_str())) {
        files.push_back(it->path());
      }
    }
  } else {
    throw nfx::Error(pattern + ": no such file or folder", NFX_ERR_IO);
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) throw nfx::Error(pattern + ": no image files found", NFX_ERR_IO);
  return files;
}

nfx::Tensor from_bgr_mat(const cv::Mat& bgr) {
  if (bgr.depth() != CV_8U) throw nfx::Error("only 8-bit images are supported");
  const int channels = bgr.channels();
  nfx::Tensor t(nfx::dtype_u8(), {bgr.rows, bgr.cols, channels});
  cv::Mat out(bgr.rows, bgr.cols, CV_8UC(channels), t.data<unsigned char>());
  if (channels == 3) cv::cvtColor(bgr, out, cv::COLOR_BGR2RGB);
  else if (channels == 4) cv::cvtColor(bgr, out, cv::COLOR_BGRA2RGBA);
  else bgr.copyTo(out);
  return t;
}

cv::Mat to_bgr_mat(const DLTensor& image) {
  cv::Mat rgb = as_mat(image);
  cv::Mat bgr;
  if (rgb.channels() == 3) cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  else if (rgb.channels() == 4) cv::cvtColor(rgb, bgr, cv::COLOR_RGBA2BGRA);
  else bgr = rgb;
  return bgr;
}

nfx::Tensor bytes_tensor(const std::vector<unsigned char>& bytes) {
  nfx::Tensor t(nfx::dtype_u8(), {static_cast<int64_t>(bytes.size())});
  std::copy(bytes.begin(), bytes.end(), t.data<unsigned char>());
  return t;
}

nfx::Tensor read_image_file(const fs::path& path, const std::string& color, int64_t max_pixels,
                            std::vector<unsigned char>* exif) {
  if (max_pixels > 0) {
    if (const std::optional<DeclaredSize> size = declared_size(path)) {
      const double pixels = static_cast<double>(size->width) * static_cast<double>(size->height);
      if (pixels > static_cast<double>(max_pixels)) {
        throw nfx::Error(path.string() + ": declares " + std::to_string(size->width) + " x " +
                             std::to_string(size->height) + " pixels, more than max_pixels = " +
                             std::to_string(max_pixels) + " (a decompression bomb?); raise max_pixels to read it",
                         NFX_ERR_INVALID_ARGUMENT);
      }
    }
    // Compressed pixels are never much larger than raw ones: 8 bytes a pixel plus room for metadata.
    std::error_code ec;
    const uintmax_t bytes = fs::file_size(path, ec);
    if (!ec && static_cast<double>(bytes) > 8.0 * static_cast<double>(max_pixels) + 64.0 * (1 << 20)) {
      throw nfx::Error(path.string() + ": " + std::to_string(bytes >> 20) + " MiB is more than an image of max_pixels = " +
                           std::to_string(max_pixels) + " needs; not an image file?", NFX_ERR_INVALID_ARGUMENT);
    }
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw nfx::Error(path.string() + ": cannot open the file", NFX_ERR_IO);
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (exif != nullptr) *exif = jpeg_exif(bytes);
  const int flags = color == "gray" ? cv::IMREAD_GRAYSCALE : color == "unchanged" ? cv::IMREAD_UNCHANGED : cv::IMREAD_COLOR;
  cv::Mat decoded;
  try {
    decoded = cv::imdecode(bytes, flags);
  } catch (const cv::Exception&) {
    decoded.release();
  }
  if (decoded.empty()) throw nfx::Error(path.string() + ": cannot decode the image (corrupt or not an image file)", NFX_ERR_IO);
  if (decoded.depth() != CV_8U) {
    cv::Mat eight;
    decoded.convertTo(eight, CV_8U, decoded.depth() == CV_16U ? 1.0 / 257 : 1.0);
    decoded = eight;
  }
  return from_bgr_mat(decoded);
}

}  // namespace nfx::io
