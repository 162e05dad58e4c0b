#include "crash_report.hpp"

#include <csignal>
#include <sstream>
#include <utility>
#include <vector>

#include <unistd.h>

namespace nfx::detail {

namespace {

constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
constexpr char kPrefix[] = "nfx-crash\t";

// Plain values only: the handler reads them, so no constructor, no allocation (initial-exec: reading them
// never allocates thread storage inside a signal handler).
__attribute__((tls_model("initial-exec"))) thread_local const char* t_line = nullptr;
__attribute__((tls_model("initial-exec"))) thread_local size_t t_line_size = 0;
volatile sig_atomic_t g_fd = -1;
struct sigaction g_previous[sizeof kSignals / sizeof kSignals[0]];

extern "C" void on_fatal_signal(int signal) {
  if (t_line != nullptr && g_fd >= 0) (void)!::write(g_fd, t_line, t_line_size);
  // SA_RESETHAND restored the default action: a fault happens again on return, a raised signal is
  // delivered again once the handler ends; either way the process dies by it, as without this handler.
  ::raise(signal);
}

// Tabs and line breaks in an item name would split the line.
std::string printable(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

}  // namespace

std::string CrashLine::format() const {
  return std::string(kPrefix) + (skip ? "1" : "0") + "\t" + std::to_string(item) + "\t" + node + "\t" +
         printable(item_name) + "\n";
}

bool CrashLine::parse(const std::string& line, CrashLine& out) {
  if (line.rfind(kPrefix, 0) != 0) return false;
  std::vector<std::string> parts;
  std::stringstream s(line.substr(sizeof kPrefix - 1));
  for (std::string part; std::getline(s, part, '\t');) parts.push_back(part);
  if (parts.size() < 3) return false;
  try {
    out.item = std::stoll(parts[1]);
  } catch (const std::exception&) {
    return false;
  }
  out.skip = parts[0] == "1";
  out.node = parts[2];
  out.item_name = parts.size() > 3 ? parts[3] : "";
  return true;
}

CrashReportHandlers::CrashReportHandlers(int fd) {
  g_fd = fd;
  struct sigaction action {};
  action.sa_handler = &on_fatal_signal;
  action.sa_flags = SA_RESETHAND | SA_ONSTACK;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) ::sigaction(kSignals[i], &action, &g_previous[i]);
}

CrashReportHandlers::~CrashReportHandlers() {
  for (size_t i = 0; i < sizeof kSignals / sizeof kSignals[0]; ++i) ::sigaction(kSignals[i], &g_previous[i], nullptr);
  g_fd = -1;
}

void CrashScope::enter(std::string text) {
  text_ = std::move(text);
  previous_data_ = t_line;
  previous_size_ = t_line_size;
  t_line_size = text_.size();
  t_line = text_.data();
}

CrashScope::~CrashScope() {
  if (!active_) return;
  t_line = previous_data_;
  t_line_size = previous_size_;
}

}  // namespace nfx::detail
