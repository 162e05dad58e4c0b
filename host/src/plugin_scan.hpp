// Trying a plugin library in a child process (nfx-plugin-scanner) before the host loads it, as GStreamer's
// plugin scanner does: a library that crashes or hangs while it loads, or while the host reads its
// descriptor, is refused with the reason instead of taking the host down. Verdicts are cached by path,
// size and modification time, so a start with unchanged plugins spawns nothing.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace nfx::detail {

struct ScanSettings {
  std::string scanner;     // the scanner executable
  std::string cache_file;  // empty: no cache
  double timeout_seconds = 60;
};

// What the scanner answers for one library: nothing (usable) or the reasons it is refused.
struct ScanVerdict {
  std::vector<std::string> refusals;
  bool spawned = false;    // false when the verdict came from the cache
  bool timed_out = false;  // the scanner gave no answer in time (not cached: the machine may be busy)
};

class PluginScanner {
 public:
  explicit PluginScanner(ScanSettings settings) : settings_(std::move(settings)) {}

  // Tries the library `path` (canonical) in a child process, or answers from the cache.
  ScanVerdict scan(const std::string& path);

 private:
  struct Entry {
    uintmax_t size = 0;
    int64_t mtime_ns = 0;
    std::vector<std::string> refusals;
  };
  ScanVerdict run_scanner(const std::string& path) const;
  void read_cache();
  void write_cache(const std::string& path, const Entry& entry);

  ScanSettings settings_;
  std::mutex mutex_;
  bool cache_read_ = false;
  std::map<std::string, Entry> cache_;
};

// The default scan settings: the scanner next to libnfx_host (<libdir>/nfx/nfx-plugin-scanner, or
// $NFX_PLUGIN_SCANNER), the cache in nfx's cache folder ($NFX_CACHE, $XDG_CACHE_HOME/nfx or ~/.cache/nfx).
std::string default_scanner_path();
std::string default_scan_cache_file();

// The scanner's side of the protocol: one line per refusal, or the line that says the library is usable.
std::string scan_report(const std::vector<std::string>& refusals);

}  // namespace nfx::detail
