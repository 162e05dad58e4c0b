// Writing files atomically: a temporary file in the same folder, then a rename, so a reader never sees a
// half-written file and an interrupted run leaves the old file (or none).
#pragma once

#include <nfx/nfx.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace nfx::plugins {

// A temporary name next to `path` that keeps its extension (encoders pick the format from it).
inline std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  const std::string stem = "." + path.stem().string() + ".tmp" + std::to_string(::getpid()) + "_" +
                           std::to_string(counter.fetch_add(1));
  return path.parent_path() / (stem + path.extension().string());
}

// Writes `size` bytes to `path` through temporary_sibling and a rename; throws nfx::Error naming the file.
inline void write_file_atomically(const std::filesystem::path& path, const void* data, size_t size) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  const fs::path temp = temporary_sibling(path);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) {
      fs::remove(temp, ec);
      throw nfx::Error(path.string() + ": cannot write (disk full or no permission?)", NFX_ERR_IO);
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw nfx::Error(path.string() + ": cannot move the finished file into place: " + ec.message(), NFX_ERR_IO);
  }
}

}  // namespace nfx::plugins
