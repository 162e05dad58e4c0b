#include "image_header.hpp"

#include <cctype>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <vector>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>
#include <webp/decode.h>

namespace nfx::io {

namespace {

using File = std::unique_ptr<FILE, int (*)(FILE*)>;

std::vector<unsigned char> first_bytes(const std::filesystem::path& path, size_t count) {
  std::ifstream in(path, std::ios::binary);
  std::vector<unsigned char> bytes(count);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(count));
  bytes.resize(static_cast<size_t>(in.gcount()));
  return bytes;
}

// libpng and libjpeg report errors by longjmp; nothing with a destructor lives between setjmp and the jump.
void png_fail(png_structp png, png_const_charp) { png_longjmp(png, 1); }
void png_quiet(png_structp, png_const_charp) {}

std::optional<DeclaredSize> png_size(FILE* file) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, nullptr, png_fail, png_quiet);
  if (png == nullptr) return std::nullopt;
  png_infop info = png_create_info_struct(png);
  DeclaredSize size;
  volatile bool ok = false;  // volatile: read after a longjmp
  if (info != nullptr && setjmp(png_jmpbuf(png)) == 0) {
    png_init_io(png, file);
    png_read_info(png, info);
    size.width = png_get_image_width(png, info);
    size.height = png_get_image_height(png, info);
    ok = true;
  }
  png_destroy_read_struct(&png, info != nullptr ? &info : nullptr, nullptr);
  return ok ? std::optional<DeclaredSize>(size) : std::nullopt;
}

struct JpegErrors {
  jpeg_error_mgr manager;
  std::jmp_buf jump;
};
void jpeg_fail(j_common_ptr info) { std::longjmp(reinterpret_cast<JpegErrors*>(info->err)->jump, 1); }
void jpeg_quiet(j_common_ptr, int) {}

std::optional<DeclaredSize> jpeg_size(FILE* file) {
  jpeg_decompress_struct info;
  JpegErrors errors;
  info.err = jpeg_std_error(&errors.manager);
  errors.manager.error_exit = jpeg_fail;
  errors.manager.emit_message = jpeg_quiet;
  DeclaredSize size;
  volatile bool ok = false;  // volatile: read after a longjmp
  if (setjmp(errors.jump) == 0) {
    jpeg_create_decompress(&info);
    jpeg_stdio_src(&info, file);
    jpeg_read_header(&info, TRUE);
    size.width = info.image_width;
    size.height = info.image_height;
    ok = true;
  }
  jpeg_destroy_decompress(&info);
  return ok ? std::optional<DeclaredSize>(size) : std::nullopt;
}

std::optional<DeclaredSize> tiff_size(const std::filesystem::path& path) {
  TIFFSetErrorHandler(nullptr);
  TIFFSetWarningHandler(nullptr);
  TIFF* tiff = TIFFOpen(path.c_str(), "r");
  if (tiff == nullptr) return std::nullopt;
  uint32_t width = 0, height = 0;
  const bool ok = TIFFGetField(tiff, TIFFTAG_IMAGEWIDTH, &width) == 1 && TIFFGetField(tiff, TIFFTAG_IMAGELENGTH, &height) == 1;
  TIFFClose(tiff);
  return ok ? std::optional<DeclaredSize>(DeclaredSize{width, height}) : std::nullopt;
}

uint32_t little_endian(const unsigned char* p) {
  return uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
}

// P1..P6: magic, width, height, separated by whitespace and '#' comments.
std::optional<DeclaredSize> pnm_size(const std::vector<unsigned char>& head) {
  size_t i = 2;
  int64_t numbers[2] = {0, 0};
  for (int64_t& n : numbers) {
    while (i < head.size() && (std::isspace(head[i]) || head[i] == '#')) {
      if (head[i] == '#') {
        while (i < head.size() && head[i] != '\n') ++i;
      } else {
        ++i;
      }
    }
    if (i >= head.size() || !std::isdigit(head[i])) return std::nullopt;
    for (; i < head.size() && std::isdigit(head[i]) && n < (int64_t{1} << 40); ++i) n = n * 10 + (head[i] - '0');
  }
  return DeclaredSize{numbers[0], numbers[1]};
}

}  // namespace

std::optional<DeclaredSize> declared_size(const std::filesystem::path& path) {
  const std::vector<unsigned char> head = first_bytes(path, 4096);
  auto starts = [&](const char* magic, size_t n) { return head.size() >= n && std::memcmp(head.data(), magic, n) == 0; };
  if (starts("\x89PNG\r\n\x1a\n", 8) || starts("\xff\xd8\xff", 3)) {
    File file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) return std::nullopt;
    return head[0] == 0x89 ? png_size(file.get()) : jpeg_size(file.get());
  }
  if (starts("II*\0", 4) || starts("MM\0*", 4)) return tiff_size(path);
  if (starts("RIFF", 4) && head.size() >= 12 && std::memcmp(head.data() + 8, "WEBP", 4) == 0) {
    int width = 0, height = 0;
    if (WebPGetInfo(head.data(), head.size(), &width, &height) == 0) return std::nullopt;
    return DeclaredSize{width, height};
  }
  if (starts("BM", 2) && head.size() >= 26) {
    const auto height = static_cast<int32_t>(little_endian(head.data() + 22));  // negative: stored top-down
    return DeclaredSize{static_cast<int32_t>(little_endian(head.data() + 18)), height < 0 ? -int64_t{height} : height};
  }
  if (head.size() >= 2 && head[0] == 'P' && head[1] >= '1' && head[1] <= '6') return pnm_size(head);
  return std::nullopt;
}

}  // namespace nfx::io
