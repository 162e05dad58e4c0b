#include "audio_track.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <vector>

extern char** environ;

namespace nfx::io {

namespace fs = std::filesystem;

fs::path find_ffmpeg() {
  const char* path = std::getenv("PATH");
  std::stringstream folders(path ? path : "");
  for (std::string folder; std::getline(folders, folder, ':');) {
    const fs::path candidate = fs::path(folder.empty() ? "." : folder) / "ffmpeg";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

std::string mux_audio(const fs::path& ffmpeg, const fs::path& video, const fs::path& audio_from, const fs::path& out) {
  // Arguments, not a shell line: file names go through as they are.
  std::vector<std::string> args{ffmpeg.string(), "-v", "error", "-nostdin", "-y", "-i", video.string(),
                                "-i", audio_from.string(), "-map", "0:v:0", "-map", "1:a?", "-c:v", "copy",
                                "-c:a", "aac", "-shortest", out.string()};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // ffmpeg's messages go to a file beside the output, read back for the error.
  const fs::path log = out.string() + ".log";
  posix_spawn_file_actions_t files;
  posix_spawn_file_actions_init(&files);
  posix_spawn_file_actions_addopen(&files, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&files, STDERR_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &files, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&files);
  if (spawned != 0) return "cannot start " + ffmpeg.string();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::ifstream messages(log);
  std::string last, line;
  while (std::getline(messages, line)) {
    if (!line.empty()) last = line;
  }
  std::error_code ec;
  fs::remove(log, ec);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return "";
  return "ffmpeg " + (WIFEXITED(status) ? "exited with " + std::to_string(WEXITSTATUS(status)) : std::string("was killed")) +
         (last.empty() ? "" : ": " + last);
}

}  // namespace nfx::io
