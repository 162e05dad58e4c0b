// The `nfx run` progress line: items done, rate and time left, redrawn in place on a terminal and
// printed every few seconds otherwise (logs, CI).
#pragma once

#include <nfx/host.hpp>

#include <chrono>
#include <cstdio>

namespace nfx::tool {

class ProgressLine {
 public:
  explicit ProgressLine(std::FILE* out);
  void update(const Progress& progress);  // from the run's callback, serialized by the host
  void finish(const RunStats& stats);     // final line

 private:
  std::FILE* out_;
  bool terminal_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

std::string format_duration(double seconds);

}  // namespace nfx::tool
