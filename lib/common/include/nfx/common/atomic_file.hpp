// Writing files atomically: a temporary file in the same folder, then a rename, so a reader never sees a
// half-written file and an interrupted run leaves the old file (or none).
#pragma once

#include <nfx/nfx.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <signal.h>
#include <unistd.h>

namespace nfx::plugins {

// A temporary name next to `path`: hidden (readers skip names starting with '.'), marked with the
// process id (remove_stale_temporaries finds those of processes that died), and keeping the extension
// (encoders pick the format from it). Shortened to fit the file system's 255-byte name limit.
inline std::filesystem::path temporary_sibling(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  const std::string mark = ".tmp" + std::to_string(::getpid()) + "_" + std::to_string(counter.fetch_add(1));
  const std::string ext = path.extension().string();
  std::string stem = path.stem().string();
  const size_t room = 255 - std::min<size_t>(255, 1 + mark.size() + ext.size());
  if (stem.size() > room) stem.resize(room);
  return path.parent_path() / ("." + stem + mark + ext);
}

// Removes the temporaries (temporary_sibling) in `dir` that processes no longer running left behind, e.g.
// after kill -9. Those of live processes, other nfx runs writing there now, stay.
inline void remove_stale_temporaries(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const size_t mark = name.rfind(".tmp");
    if (name.empty() || name[0] != '.' || mark == std::string::npos || mark == 0) continue;
    size_t digits = mark + 4, end_of_pid = digits;
    while (end_of_pid < name.size() && std::isdigit(static_cast<unsigned char>(name[end_of_pid]))) ++end_of_pid;
    if (end_of_pid == digits || end_of_pid >= name.size() || name[end_of_pid] != '_' || end_of_pid - digits > 9) continue;
    const pid_t pid = static_cast<pid_t>(std::stol(name.substr(digits, end_of_pid - digits)));
    if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    fs::remove(it->path(), ignored);
  }
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
      const std::string reason = std::strerror(errno);
      fs::remove(temp, ec);
      throw nfx::Error(path.string() + ": cannot write (" + reason + ")", NFX_ERR_IO);
    }
  }
  fs::rename(temp, path, ec);
  if (ec) {
    fs::remove(temp, ec);
    throw nfx::Error(path.string() + ": cannot move the finished file into place: " + ec.message(), NFX_ERR_IO);
  }
}

// A file a node writes over a whole run (a video, a raster): written under temporary() and moved to its
// place by publish() when the run ends well; removed unpublished when it goes, so a failed or cancelled run
// leaves nothing half-written. Created with the node: an existing file without `overwrite` is an error at
// the node's `path` parameter, and temporaries of dead runs in the folder are cleared.
class PendingFile {
 public:
  PendingFile(std::filesystem::path path, bool overwrite) : path_(std::move(path)) {
    if (!overwrite && std::filesystem::exists(path_)) {
      throw nfx::ParamError("path", path_.string() + " exists; set overwrite = true to replace it", NFX_ERR_IO);
    }
    remove_stale_temporaries(path_.parent_path().empty() ? std::filesystem::path(".") : path_.parent_path());
    temporary_ = temporary_sibling(path_);
  }
  ~PendingFile() {
    std::error_code ec;
    if (!published_) std::filesystem::remove(temporary_, ec);
  }
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  const std::filesystem::path& path() const { return path_; }
  const std::filesystem::path& temporary() const { return temporary_; }
  // Creates the folder the file goes into (for writers that open temporary() themselves).
  void create_folder() const {
    std::error_code ec;
    if (!path_.parent_path().empty()) std::filesystem::create_directories(path_.parent_path(), ec);
  }
  // Moves the finished temporary into place; throws nfx::Error naming the file.
  void publish() {
    std::error_code ec;
    std::filesystem::rename(temporary_, path_, ec);
    if (ec) throw nfx::Error(path_.string() + ": cannot move the finished file into place: " + ec.message(), NFX_ERR_IO);
    published_ = true;
  }

 private:
  std::filesystem::path path_, temporary_;
  bool published_ = false;
};

}  // namespace nfx::plugins
