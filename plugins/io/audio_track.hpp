// The audio of a source video put back beside frames OpenCV wrote (its writer keeps video only), through
// the ffmpeg program where it is installed.
#pragma once

#include <filesystem>
#include <string>

namespace nfx::io {

// ffmpeg on PATH, or empty.
std::filesystem::path find_ffmpeg();

// Writes `out`: the video stream of `video` (copied, not re-encoded) and the audio of `audio_from`
// (AAC), cut to the shorter of the two. A source without audio gives the video alone. Returns the empty
// string on success, else what went wrong (ffmpeg's exit status and its last message).
std::string mux_audio(const std::filesystem::path& ffmpeg, const std::filesystem::path& video,
                      const std::filesystem::path& audio_from, const std::filesystem::path& out);

}  // namespace nfx::io
