// Naming the node and item that crashed the process: while a run with RunOptions::crash_report_fd runs
// plugin code, a fatal signal on that thread writes one line to the descriptor (for nfx run --isolate's
// supervising process), then the process dies by the signal as it would have anyway.
#pragma once

#include <cstdint>
#include <string>

namespace nfx::detail {

// The line the supervisor reads: "nfx-crash<TAB>skip<TAB>item<TAB>node<TAB>item name", skip 1 when the
// node has on_error = "skip", item -1 outside items (create, finish).
struct CrashLine {
  bool skip = false;
  int64_t item = -1;
  std::string node;
  std::string item_name;
  std::string format() const;
  static bool parse(const std::string& line, CrashLine& out);
};

// Installs the handlers for SIGSEGV, SIGBUS, SIGFPE, SIGILL and SIGABRT writing to `fd` for as long as
// the object lives (one at a time per process); the previous handlers come back after it.
class CrashReportHandlers {
 public:
  explicit CrashReportHandlers(int fd);
  ~CrashReportHandlers();
  CrashReportHandlers(const CrashReportHandlers&) = delete;
  CrashReportHandlers& operator=(const CrashReportHandlers&) = delete;
};

// Marks this thread as running the node and item of `make_line()` until the scope ends; inactive when
// `active` is false, and then make_line is not called (runs without a crash report pay nothing).
class CrashScope {
 public:
  template <typename MakeLine>
  CrashScope(bool active, MakeLine&& make_line) : active_(active) {
    if (active_) enter(make_line().format());
  }
  ~CrashScope();
  CrashScope(const CrashScope&) = delete;
  CrashScope& operator=(const CrashScope&) = delete;

 private:
  void enter(std::string text);
  bool active_;
  std::string text_;
  const char* previous_data_ = nullptr;
  size_t previous_size_ = 0;
};

}  // namespace nfx::detail
