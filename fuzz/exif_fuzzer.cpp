// JPEG files from bytes: finding the EXIF segment, sanitizing it (orientation, thumbnail, maker notes,
// serials) and putting it back, as io.write_images does with keep_metadata. Offsets inside EXIF are
// attacker-controlled: nothing may be read or written outside the buffers.
#include "exif_segment.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<unsigned char> jpeg(data, data + size);
  std::vector<unsigned char> exif = nfx::io::jpeg_exif(jpeg);
  nfx::io::sanitize_exif(exif);
  nfx::io::with_exif(jpeg, exif);
  // The segment itself as input too, so the fuzzer reaches the TIFF structure without a JPEG around it.
  std::vector<unsigned char> raw(data, data + size);
  nfx::io::sanitize_exif(raw);
  return 0;
}
