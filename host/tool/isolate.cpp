#include "isolate.hpp"

#include "crash_report.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <set>
#include <stdexcept>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nfx::tool {

namespace {

constexpr int kReportFd = 3;  // where the worker writes its crash line
volatile sig_atomic_t g_worker = 0;

// The worker has a process group of its own, so Ctrl-C on the terminal reaches this process alone, once,
// and is passed on like SIGTERM: the worker stops after its items in progress, as `nfx run` does.
extern "C" void forward_signal(int signal) {
  if (g_worker > 0) ::kill(g_worker, signal);
}

struct WorkerEnd {
  int status = 0;
  bool reported = false;
  detail::CrashLine crash;
};

WorkerEnd run_worker(std::vector<std::string> args, const std::set<int64_t>& excluded) {
  WorkerEnd end;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot start a worker: ") + std::strerror(errno));
  args.push_back("--crash-report-fd=" + std::to_string(kReportFd));
  if (!excluded.empty()) {
    std::string list;
    for (int64_t item : excluded) list += (list.empty() ? "" : ",") + std::to_string(item);
    args.push_back("--exclude-items=" + list);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], kReportFd);  // dup2 clears O_CLOEXEC on the copy
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, "/proc/self/exe", &actions, &attributes, argv.data(), environ);
  posix_spawnattr_destroy(&attributes);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[1]);
  if (error != 0) {
    ::close(fds[0]);
    throw std::runtime_error(std::string("cannot start a worker: ") + std::strerror(error));
  }
  g_worker = pid;
  std::string report;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;) {
    if (n > 0) report.append(buffer, static_cast<size_t>(n));
    else if (errno != EINTR) break;
  }
  ::close(fds[0]);
  while (::waitpid(pid, &end.status, 0) < 0 && errno == EINTR) {
  }
  g_worker = 0;
  // The last complete line: the thread that crashed (others may have crashed after it, dying anyway).
  for (size_t start = 0, stop; (stop = report.find('\n', start)) != std::string::npos; start = stop + 1) {
    detail::CrashLine line;
    if (detail::CrashLine::parse(report.substr(start, stop - start), line)) {
      end.crash = line;
      end.reported = true;
    }
  }
  return end;
}

std::string describe(const detail::CrashLine& c, int signal) {
  std::string where = "node '" + c.node + "' crashed the worker (signal " + std::to_string(signal) + ", " +
                      strsignal(signal) + ")";
  if (c.item < 0) return where + " outside any item (while starting or finishing)";
  return where + " on item " + std::to_string(c.item) + (c.item_name.empty() ? "" : " '" + c.item_name + "'");
}

}  // namespace

int run_isolated(const std::vector<std::string>& worker_args) {
  std::signal(SIGINT, forward_signal);
  std::signal(SIGTERM, forward_signal);
  std::set<int64_t> excluded;
  for (;;) {
    const WorkerEnd end = run_worker(worker_args, excluded);
    if (WIFEXITED(end.status)) {
      if (!excluded.empty()) {
        std::fprintf(stderr, "nfx: %zu item%s left out after crashing a worker (see above)\n", excluded.size(),
                     excluded.size() == 1 ? "" : "s");
      }
      return WEXITSTATUS(end.status);
    }
    const int signal = WIFSIGNALED(end.status) ? WTERMSIG(end.status) : 0;
    if (!end.reported) {
      std::fprintf(stderr, "\nnfx: the worker died (signal %d, %s) outside any node (killed from outside, or out of "
                           "memory?); the run stopped\n", signal, strsignal(signal));
      return 1;
    }
    if (!end.crash.skip || excluded.count(end.crash.item)) {
      std::fprintf(stderr, "\nnfx: %s; the run stopped (on_error = \"skip\" on that node would leave the item out "
                           "and go on)\n", describe(end.crash, signal).c_str());
      return 1;
    }
    std::fprintf(stderr, "\nnfx: %s; item skipped (on_error = \"skip\"), the run starts again without it\n",
                 describe(end.crash, signal).c_str());
    excluded.insert(end.crash.item);
  }
}

}  // namespace nfx::tool
