// Shared helpers for nfx's tests: where things are, a host with the build's plugins, temp folders.
#pragma once

#include <nfx/data_dir.hpp>
#include <nfx/host.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

namespace nfx::test {

namespace fs = std::filesystem;

inline std::string test_plugins(const std::string& name) { return std::string(NFX_TEST_PLUGINS_DIR) + "/" + name; }

// A host that loads the build's plugins (core, io) and the test nodes, and nothing from the environment.
inline std::unique_ptr<Host> make_host(bool with_test_nodes = true) {
  HostOptions options;
  options.use_env_path = false;
  options.use_install_dir = false;
  options.plugin_paths.push_back(NFX_TEST_PLUGIN_DIR);
  if (with_test_nodes) options.plugin_paths.push_back(test_plugins("test_nodes"));
  auto host = std::make_unique<Host>(options);
  auto errors = host->load_plugins();
  EXPECT_TRUE(errors.empty()) << (errors.empty() ? "" : errors[0].path + ": " + errors[0].message);
  return host;
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
