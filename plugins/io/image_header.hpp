// The size an image file declares, read from its header without decoding its pixels, so a decompression
// bomb (a small file declaring 32000 x 32000 pixels) is refused before any memory is spent on it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>

namespace nfx::io {

struct DeclaredSize {
  int64_t width = 0, height = 0;
};

// From the header alone: PNG (libpng), JPEG (libjpeg), TIFF (libtiff, first page), WebP (libwebp), BMP and
// PNM. nullopt for another format or a header that cannot be read: the decoder then reports the file.
std::optional<DeclaredSize> declared_size(const std::filesystem::path& path);

}  // namespace nfx::io
