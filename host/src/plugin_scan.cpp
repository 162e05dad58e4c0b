#include "plugin_scan.hpp"

#include <nfx/nfx.h>

#define BOOST_DLL_USE_STD_FS
#include <boost/dll/runtime_symbol_info.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nfx::detail {

namespace fs = std::filesystem;

namespace {

constexpr char kUsableLine[] = "nfx-scan: usable";
constexpr char kRefusedPrefix[] = "nfx-scan: refused: ";
constexpr size_t kMaxOutput = 64 * 1024;  // what a chatty plugin prints beyond this is dropped

// One line per value: backslash, tab and newline escaped.
std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\t') out += "\\t";
    else out += c;
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    out += c == 'n' ? '\n' : c == 't' ? '\t' : c;
  }
  return out;
}

std::vector<std::string> split(const std::string& line, char separator) {
  std::vector<std::string> parts;
  std::stringstream s(line);
  for (std::string part; std::getline(s, part, separator);) parts.push_back(part);
  return parts;
}

// Size and modification time identify a version of a file; false when it cannot be read.
bool file_stamp(const std::string& path, uintmax_t& size, int64_t& mtime_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return false;
  size = static_cast<uintmax_t>(st.st_size);
  mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  return true;
}

// The cache is only valid for the scanner that wrote it (a rebuilt host may judge libraries differently).
std::string cache_header(const std::string& scanner) {
  uintmax_t size = 0;
  int64_t mtime = 0;
  file_stamp(scanner, size, mtime);
  return "nfx plugin scan cache 1, ABI " + std::to_string(NFX_ABI_MAJOR) + "." + std::to_string(NFX_ABI_MINOR) +
         ", scanner " + std::to_string(size) + " " + std::to_string(mtime) + " " + escape(scanner);
}

// The last few lines a crashed library printed: often the reason (a missing symbol, an assertion).
std::string output_tail(const std::string& output) {
  std::vector<std::string> lines;
  for (const std::string& line : split(output, '\n')) {
    if (!line.empty() && line.rfind("nfx-scan: ", 0) != 0) lines.push_back(line);
  }
  std::string tail;
  for (size_t i = lines.size() > 3 ? lines.size() - 3 : 0; i < lines.size(); ++i) tail += "\n  " + lines[i];
  return tail.empty() ? "" : "; it printed:" + tail;
}

}  // namespace

std::string scan_report(const std::vector<std::string>& refusals) {
  if (refusals.empty()) return std::string(kUsableLine) + "\n";
  std::string report;
  for (const std::string& r : refusals) report += kRefusedPrefix + escape(r) + "\n";
  return report;
}

std::string default_scanner_path() {
  if (const char* env = std::getenv("NFX_PLUGIN_SCANNER"); env && *env) return ::access(env, X_OK) == 0 ? env : "";
  std::error_code ec;
  const fs::path library = boost::dll::this_line_location(ec);
  if (ec) return "";
  const fs::path scanner = library.parent_path() / "nfx" / "nfx-plugin-scanner";
  return fs::exists(scanner, ec) ? scanner.string() : "";
}

std::string default_scan_cache_file() {
  fs::path root;
  if (const char* c = std::getenv("NFX_CACHE"); c && *c) root = c;
  else if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) root = fs::path(x) / "nfx";
  else if (const char* h = std::getenv("HOME"); h && *h) root = fs::path(h) / ".cache" / "nfx";
  else return "";
  return (root / "plugin-scan.txt").string();
}

ScanVerdict PluginScanner::scan(const std::string& path) {
  Entry stamp;
  const bool stamped = file_stamp(path, stamp.size, stamp.mtime_ns);
  if (stamped && !settings_.cache_file.empty()) {
    std::lock_guard<std::mutex> lock(mutex_);
    read_cache();
    auto it = cache_.find(path);
    if (it != cache_.end() && it->second.size == stamp.size && it->second.mtime_ns == stamp.mtime_ns) {
      return {it->second.refusals, false, false};
    }
  }
  ScanVerdict verdict = run_scanner(path);
  // A time-out may only mean a busy machine: it is not remembered, the next start tries again.
  if (stamped && !verdict.timed_out && !settings_.cache_file.empty()) {
    stamp.refusals = verdict.refusals;
    std::lock_guard<std::mutex> lock(mutex_);
    cache_[path] = stamp;
    write_cache(path, stamp);
  }
  return verdict;
}

ScanVerdict PluginScanner::run_scanner(const std::string& path) const {
  ScanVerdict verdict;
  verdict.spawned = true;
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    verdict.refusals.push_back(std::string("cannot start the plugin scanner: pipe: ") + std::strerror(errno));
    return verdict;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
  std::string scanner = settings_.scanner, library = path;
  char* argv[] = {scanner.data(), library.data(), nullptr};
  pid_t pid = -1;
  const int spawn_error = ::posix_spawn(&pid, scanner.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (spawn_error != 0) {
    ::close(pipe_fds[0]);
    verdict.refusals.push_back("cannot start the plugin scanner " + scanner + ": " + std::strerror(spawn_error));
    return verdict;
  }

  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(settings_.timeout_seconds);
  std::string output;
  bool timed_out = false;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      timed_out = true;
      break;
    }
    pollfd p{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char buffer[4096];
    const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN)) break;  // end: the scanner is done
    if (n > 0 && output.size() < kMaxOutput) output.append(buffer, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  if (timed_out) ::kill(pid, SIGKILL);
  for (;;) {  // the scanner may close its output and still not end
    const pid_t done = ::waitpid(pid, &status, timed_out ? 0 : WNOHANG);
    if (done == pid || (done < 0 && errno != EINTR)) break;
    if (done == 0 && Clock::now() >= deadline) {
      timed_out = true;
      ::kill(pid, SIGKILL);
    } else if (done == 0) {
      ::usleep(5000);
    }
  }

  bool usable = false;
  for (const std::string& line : split(output, '\n')) {
    if (line == kUsableLine) usable = true;
    if (line.rfind(kRefusedPrefix, 0) == 0) verdict.refusals.push_back(unescape(line.substr(sizeof kRefusedPrefix - 1)));
  }
  if (usable || !verdict.refusals.empty()) return verdict;  // the scanner's word, whatever happened after it
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%g", settings_.timeout_seconds);
  verdict.timed_out = timed_out;
  if (timed_out) {
    verdict.refusals.push_back(std::string("hung while loading: no answer within ") + seconds +
                               " s (the scanner was stopped)" + output_tail(output));
  } else if (WIFSIGNALED(status)) {
    verdict.refusals.push_back("crashed while loading (signal " + std::to_string(WTERMSIG(status)) + ", " +
                               strsignal(WTERMSIG(status)) + ")" + output_tail(output));
  } else {
    verdict.refusals.push_back("crashed while loading (the scanner exited with status " +
                               std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : -1) + " and no answer)" +
                               output_tail(output));
  }
  return verdict;
}

void PluginScanner::read_cache() {
  if (cache_read_) return;
  cache_read_ = true;
  std::ifstream in(settings_.cache_file);
  std::string line;
  if (!std::getline(in, line) || line != cache_header(settings_.scanner)) return;
  while (std::getline(in, line)) {
    const std::vector<std::string> parts = split(line, '\t');
    if (parts.size() < 3) continue;
    Entry entry;
    try {
      entry.size = std::stoull(parts[0]);
      entry.mtime_ns = std::stoll(parts[1]);
    } catch (const std::exception&) {
      continue;  // a damaged line: that library is scanned again
    }
    for (size_t i = 3; i < parts.size(); ++i) entry.refusals.push_back(unescape(parts[i]));
    cache_[unescape(parts[2])] = std::move(entry);
  }
}

// Other hosts may have added lines since this one read the file: they are kept. Written to a temporary
// file and renamed, so a reader sees the old or the new cache, never half of one.
void PluginScanner::write_cache(const std::string& path, const Entry& entry) {
  cache_read_ = false;
  read_cache();
  cache_[path] = entry;
  std::error_code ec;
  for (auto it = cache_.begin(); it != cache_.end();) {  // libraries that are gone (test folders, old builds)
    it = fs::exists(it->first, ec) ? std::next(it) : cache_.erase(it);
  }
  const fs::path file = settings_.cache_file;
  fs::create_directories(file.parent_path(), ec);
  const fs::path temp = file.parent_path() / ("." + file.filename().string() + ".tmp" + std::to_string(::getpid()));
  {
    std::ofstream out(temp, std::ios::trunc);
    out << cache_header(settings_.scanner) << "\n";
    for (const auto& [library, e] : cache_) {
      out << e.size << "\t" << e.mtime_ns << "\t" << escape(library);
      for (const std::string& r : e.refusals) out << "\t" << escape(r);
      out << "\n";
    }
    if (!out.flush()) {
      fs::remove(temp, ec);
      return;  // no cache (read-only home, disk full): every start scans, nothing else changes
    }
  }
  fs::rename(temp, file, ec);
  if (ec) fs::remove(temp, ec);
}

}  // namespace nfx::detail
