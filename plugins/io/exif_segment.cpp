#include "exif_segment.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <utility>

namespace nfx::io {

namespace {

constexpr unsigned char kExifHeader[6] = {'E', 'x', 'i', 'f', 0, 0};

// Segment lengths are big-endian and count their own two bytes.
size_t segment_length(const std::vector<unsigned char>& b, size_t at) { return (size_t{b[at]} << 8) | b[at + 1]; }

}  // namespace

std::vector<unsigned char> jpeg_exif(const std::vector<unsigned char>& jpeg) {
  if (jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return {};
  size_t at = 2;
  while (at + 4 <= jpeg.size() && jpeg[at] == 0xFF) {
    const unsigned char marker = jpeg[at + 1];
    if (marker == 0xDA || marker == 0xD9) break;  // image data or end: no metadata after this
    const size_t length = segment_length(jpeg, at + 2);
    if (length < 2 || at + 2 + length > jpeg.size()) break;
    const unsigned char* payload = jpeg.data() + at + 4;
    if (marker == 0xE1 && length - 2 >= sizeof kExifHeader && std::memcmp(payload, kExifHeader, sizeof kExifHeader) == 0) {
      return std::vector<unsigned char>(payload, payload + length - 2);
    }
    at += 2 + length;
  }
  return {};
}

void sanitize_exif(std::vector<unsigned char>& exif) {
  const size_t tiff = sizeof kExifHeader;  // TIFF offsets count from here
  if (exif.size() < tiff + 8) return;
  const bool little = exif[tiff] == 'I';
  auto read16 = [&](size_t at) -> uint32_t {
    return little ? exif[at] | (exif[at + 1] << 8) : (exif[at] << 8) | exif[at + 1];
  };
  auto read32 = [&](size_t at) -> uint32_t {
    return little ? read16(at) | (read16(at + 2) << 16) : (read16(at) << 16) | read16(at + 2);
  };
  // An IFD: a 2-byte entry count, 12-byte entries (tag, type, count, value), the next IFD's offset.
  auto entries_of = [&](size_t ifd) { return ifd + 2 <= exif.size() ? read16(ifd) : 0u; };
  auto entry_at = [&](size_t ifd, uint32_t i) { return ifd + 2 + 12 * size_t{i}; };
  // The bytes of an entry's value: inline in its last 4 bytes when they fit, else at an offset.
  auto value_bytes = [&](size_t entry) -> std::pair<size_t, size_t> {
    static const uint32_t kTypeSize[] = {0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8};
    const uint32_t type = read16(entry + 2);
    const uint64_t bytes = uint64_t{type < 13 ? kTypeSize[type] : 0} * read32(entry + 4);
    const size_t at = bytes <= 4 ? entry + 8 : tiff + read32(entry + 8);
    if (bytes == 0 || at > exif.size() || bytes > exif.size() - at) return {0, 0};
    return {at, static_cast<size_t>(bytes)};
  };
  auto zero_value = [&](size_t entry) {
    const auto [at, bytes] = value_bytes(entry);
    std::fill_n(exif.begin() + static_cast<std::ptrdiff_t>(at), bytes, 0);
  };
  // Value k of a SHORT or LONG array entry (strip offsets and lengths).
  auto array_value = [&](size_t entry, uint32_t k) -> uint64_t {
    const auto [at, bytes] = value_bytes(entry);
    const size_t width = read16(entry + 2) == 3 ? 2 : 4;
    if (at + width * (size_t{k} + 1) > at + bytes) return 0;
    return width == 2 ? read16(at + width * k) : read32(at + width * k);
  };
  const size_t ifd0 = tiff + read32(tiff + 4);
  const uint32_t count0 = entries_of(ifd0);
  const size_t next_field = entry_at(ifd0, count0);
  if (next_field + 4 > exif.size()) return;
  for (uint32_t i = 0; i < count0; ++i) {
    const size_t entry = entry_at(ifd0, i);
    if (read16(entry) == 0x0112) {  // Orientation: a SHORT in the value field
      exif[entry + 8] = little ? 1 : 0;
      exif[entry + 9] = little ? 0 : 1;
    }
    if (read16(entry) == 0x8769) {  // the Exif IFD: the maker's notes and serial numbers go
      const size_t sub = tiff + read32(entry + 8);
      for (uint32_t j = 0, n = entries_of(sub); j < n && entry_at(sub, j) + 12 <= exif.size(); ++j) {
        const uint32_t tag = read16(entry_at(sub, j));
        // MakerNote (camera serials, lens data), CameraOwnerName, BodySerialNumber, LensSerialNumber.
        if (tag == 0x927C || tag == 0xA430 || tag == 0xA431 || tag == 0xA435) zero_value(entry_at(sub, j));
      }
    }
  }
  const uint32_t ifd1_offset = read32(next_field);
  if (ifd1_offset == 0) return;
  // IFD1 describes the thumbnail, a small copy of the unscrubbed photo: a JPEG (JPEGInterchangeFormat and
  // its length) or uncompressed strips (StripOffsets and StripByteCounts). Its bytes are zeroed.
  const size_t ifd1 = tiff + ifd1_offset;
  uint32_t thumbnail_offset = 0, thumbnail_length = 0;
  size_t strip_offsets = 0, strip_lengths = 0;
  for (uint32_t i = 0, n = entries_of(ifd1); i < n && entry_at(ifd1, i) + 12 <= exif.size(); ++i) {
    const size_t entry = entry_at(ifd1, i);
    if (read16(entry) == 0x0201) thumbnail_offset = read32(entry + 8);
    if (read16(entry) == 0x0202) thumbnail_length = read32(entry + 8);
    if (read16(entry) == 0x0111) strip_offsets = entry;
    if (read16(entry) == 0x0117) strip_lengths = entry;
  }
  auto zero_range = [&](uint64_t offset, uint64_t length) {
    if (offset > 0 && tiff + offset <= exif.size() && length <= exif.size() - tiff - offset) {
      std::fill_n(exif.begin() + static_cast<std::ptrdiff_t>(tiff + offset), length, 0);
    }
  };
  zero_range(thumbnail_offset, thumbnail_length);
  if (strip_offsets != 0 && strip_lengths != 0) {
    for (uint32_t k = 0, n = read32(strip_offsets + 4); k < n && k < 65536; ++k) {
      zero_range(array_value(strip_offsets, k), array_value(strip_lengths, k));
    }
  }
  std::fill_n(exif.begin() + static_cast<std::ptrdiff_t>(next_field), 4, 0);  // no second IFD
}

std::vector<unsigned char> with_exif(const std::vector<unsigned char>& jpeg, const std::vector<unsigned char>& exif) {
  if (exif.empty() || exif.size() + 2 > 0xFFFF || jpeg.size() < 4 || jpeg[0] != 0xFF || jpeg[1] != 0xD8) return jpeg;
  size_t insert_at = 2;
  if (jpeg[2] == 0xFF && jpeg[3] == 0xE0) insert_at = 4 + segment_length(jpeg, 4);  // after JFIF
  if (insert_at > jpeg.size()) return jpeg;
  std::vector<unsigned char> out(jpeg.begin(), jpeg.begin() + static_cast<std::ptrdiff_t>(insert_at));
  const size_t length = exif.size() + 2;
  out.insert(out.end(), {0xFF, 0xE1, static_cast<unsigned char>(length >> 8), static_cast<unsigned char>(length & 0xFF)});
  out.insert(out.end(), exif.begin(), exif.end());
  out.insert(out.end(), jpeg.begin() + static_cast<std::ptrdiff_t>(insert_at), jpeg.end());
  return out;
}

}  // namespace nfx::io
