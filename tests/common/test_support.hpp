// Shared helpers for nfx's tests: where things are, a host with the build's plugins, temp folders, shell
// commands.
#pragma once

#include <nfx/base.hpp>
#include <nfx/data_dir.hpp>
#include <nfx/host.hpp>

#include <gtest/gtest.h>

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace nfx::test {

namespace fs = std::filesystem;

inline std::string test_plugins(const std::string& name) { return std::string(NFX_TEST_PLUGINS_DIR) + "/" + name; }

// A host that loads the build's plugins (core, io ...), the test nodes when asked, and what `options` adds
// (more plugin folders, a log); nothing from the environment.
inline std::unique_ptr<Host> make_host(bool with_test_nodes = true, HostOptions options = {}) {
  options.use_env_path = false;
  options.use_install_dir = false;
  options.plugin_paths.insert(options.plugin_paths.begin(), NFX_TEST_PLUGIN_DIR);
  if (with_test_nodes) options.plugin_paths.push_back(test_plugins("test_nodes"));
  auto host = std::make_unique<Host>(options);
  auto errors = host->load_plugins();
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].path + ": " + errors[0].message);
  return host;
}

// The message a graph's run fails with (nfx::RunError); empty when the run does not fail.
inline std::string run_error(Graph graph, const RunOptions& options = {}) {
  try {
    graph.run(options);
  } catch (const RunError& e) {
    return e.what();
  }
  return "";
}

// The message of whatever a graph given as TOML text fails with, when it is parsed or when it runs; "no
// error" when it runs through.
inline std::string graph_error(Host& host, const std::string& toml, const std::string& name = "graph.toml") {
  try {
    host.parse_graph(toml, name).run();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

// The message of the nfx::Error that `call` throws; "no error" when it returns.
template <class Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const nfx::Error& e) {
    return e.what();
  }
  return "no error";
}

struct ShellResult {
  int code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line; its exit code (-1 when it did not exit normally) and all it printed.
inline ShellResult shell(const std::string& command) {
  ShellResult r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) r.output.append(buffer.data(), n);
  const int status = pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Runs `command` (an nfx run) in the background with its output into `log`, sends it one SIGTERM once `marker`
// shows in the log (at most 60 s later), and gives its exit code and log. A run that ignores the signal is
// killed after 120 s in all (the result is then 124 or 137).
inline ShellResult sigterm_once_logged(const std::string& command, const std::string& log, const std::string& marker) {
  return shell("timeout -k 5 120 bash -c '" + command + " > " + log + " 2>&1 & pid=$!; for i in $(seq 600); do grep -qs \"" +
               marker + "\" " + log + " && break; sleep 0.1; done; kill -TERM $pid; wait $pid; status=$?; cat " + log +
               "; exit $status'");
}

// A fresh empty folder, removed when the object goes.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("nfx_test_" + std::to_string(rd()) + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// The sample data of scripts/fetch-data.sh (same default as the ${data} graph variable).
inline fs::path data_dir() { return nfx::default_data_dir(); }

inline fs::path sample(const std::string& relative) {
  fs::path p = data_dir() / relative;
  if (!fs::exists(p)) ADD_FAILURE() << p << " is missing: run scripts/fetch-data.sh";
  return p;
}

}  // namespace nfx::test
