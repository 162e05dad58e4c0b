// EXIF metadata as JPEG files carry it: the payload of the APP1 segment that starts with "Exif\0\0"
// (a TIFF structure). Read from an input file, copied into an encoded output when the user asks to keep
// metadata.
#pragma once

#include <vector>

namespace nfx::io {

// The EXIF payload of a JPEG file's bytes ("Exif\0\0" + TIFF), or empty when there is none (or the
// bytes are not a JPEG file).
std::vector<unsigned char> jpeg_exif(const std::vector<unsigned char>& jpeg);

// Makes EXIF fit to copy into a scrubbed image:
// - the Orientation tag (if present) becomes 1, "upright": the decoder has already turned the pixels
//   upright, so the original value would make viewers turn them again;
// - the thumbnail (the second IFD, a small JPEG or uncompressed strips of the *unscrubbed* photo) is
//   unlinked and its bytes are zeroed, so it cannot show what was painted out;
// - the maker's notes and the camera owner, body and lens serial numbers are zeroed: they identify the
//   camera, and so its owner.
void sanitize_exif(std::vector<unsigned char>& exif);

// The JPEG bytes with an APP1 segment holding `exif` inserted after the start marker and any APP0 (JFIF)
// segment. Returns the bytes unchanged when exif is empty or too large for one segment.
std::vector<unsigned char> with_exif(const std::vector<unsigned char>& jpeg, const std::vector<unsigned char>& exif);

}  // namespace nfx::io
