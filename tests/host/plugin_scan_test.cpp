// Plugins are tried in a child process (nfx-plugin-scanner) before the host loads them: one that crashes or
// hangs while loading is refused with the reason, and verdicts are cached by path, size and time (issue 13).
#include "test_support.hpp"

#include <fstream>
#include <mutex>

using namespace nfx::test;

namespace {

// A host that searches nothing by default and counts how often it started the scanner.
struct ScanningHost {
  explicit ScanningHost(const std::string& cache, double timeout_seconds = 60) {
    nfx::HostOptions o;
    o.use_env_path = false;
    o.use_install_dir = false;
    o.scan_cache = cache;
    o.scan_timeout_seconds = timeout_seconds;
    o.log = [this](nfx_log_level, const std::string&, const std::string& message) {
      std::lock_guard<std::mutex> lock(mutex);
      if (message.find("in nfx-plugin-scanner") != std::string::npos) ++scans;
    };
    host = std::make_unique<nfx::Host>(o);
  }
  std::unique_ptr<nfx::Host> host;
  std::mutex mutex;
  int scans = 0;
};

std::string crashing(const std::string& way) { return test_plugins("crashing_" + way) + "/nfx_crashing.so"; }

}  // namespace

TEST(PluginScan, ALibraryThatCrashesWhileLoadingIsRefusedAndTheHostGoesOn) {
  TempDir dir;
  for (const char* way : {"type_count", "port_count", "param_count", "crash_on_open"}) {
    ScanningHost h(dir / "cache.txt");
    const auto errors = h.host->load_plugin(crashing(way));
    ASSERT_EQ(errors.size(), 1u) << way;
    EXPECT_EQ(errors[0].path, crashing(way));
    EXPECT_NE(errors[0].message.find("crashed while loading"), std::string::npos) << way << ": " << errors[0].message;
    EXPECT_EQ(h.host->node_type("crashing.node"), nullptr) << way;
    // The host is still whole: the build's plugins load and run next to the refused one.
    h.host->add_plugin_path(NFX_TEST_PLUGIN_DIR);
    EXPECT_TRUE(h.host->load_plugins().empty()) << way;
    nfx::Graph g = h.host->parse_graph("[nodes.c]\ntype = \"core.constant\"\ncount = 3\n"
                                       "[nodes.n]\ntype = \"core.counter\"\nin.value = \"c.tensor\"\n", "g.toml");
    EXPECT_EQ(g.run().items, 3) << way;
  }
}

// The fixtures really are fatal: loaded without the scanner, the first one ends the process.
TEST(PluginScanDeathTest, WithoutTheScannerTheCrashingLibraryEndsTheProcess) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        nfx::HostOptions o;
        o.scan_plugins = false;
        nfx::Host host(o);
        host.load_plugin(crashing("type_count"));
      },
      "");
}

TEST(PluginScan, ALibraryThatHangsIsStoppedAfterTheTimeoutAndTriedAgainNextTime) {
  TempDir dir;
  for (int start = 0; start < 2; ++start) {
    ScanningHost h(dir / "cache.txt", 1.0);
    const auto errors = h.host->load_plugin(crashing("hang"));
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_NE(errors[0].message.find("hung while loading: no answer within 1 s"), std::string::npos) << errors[0].message;
    EXPECT_EQ(h.scans, 1) << "a time-out is not cached (start " << start << ")";
  }
}

TEST(PluginScan, AnUnchangedLibraryIsNotTriedAgainAndAChangedOneIs) {
  TempDir dir;
  std::filesystem::create_directories(dir / "plugins");
  const std::string library = dir / "plugins/nfx_test_nodes.so";
  std::filesystem::copy_file(test_plugins("test_nodes") + "/nfx_test_nodes.so", library);
  std::filesystem::copy_file(crashing("type_count"), dir / "plugins/nfx_crashing.so");
  {
    ScanningHost first(dir / "cache.txt");
    EXPECT_EQ(first.host->load_plugin(library).size(), 0u);
    EXPECT_EQ(first.host->load_plugin(dir / "plugins/nfx_crashing.so").size(), 1u);
    EXPECT_EQ(first.scans, 2);
  }
  {
    ScanningHost second(dir / "cache.txt");
    EXPECT_EQ(second.host->load_plugin(library).size(), 0u);
    EXPECT_NE(second.host->node_type("test.fail"), nullptr);
    const auto refused = second.host->load_plugin(dir / "plugins/nfx_crashing.so");
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_NE(refused[0].message.find("crashed while loading"), std::string::npos) << refused[0].message;
    EXPECT_EQ(second.scans, 0) << "both verdicts come from the cache";
  }
  // A rebuilt library (here: a new modification time) is tried again.
  std::filesystem::last_write_time(library, std::filesystem::last_write_time(library) + std::chrono::seconds(5));
  ScanningHost third(dir / "cache.txt");
  EXPECT_EQ(third.host->load_plugin(library).size(), 0u);
  EXPECT_EQ(third.scans, 1);
}

TEST(PluginScan, ADamagedCacheIsIgnored) {
  TempDir dir;
  std::ofstream(dir / "cache.txt") << "nfx plugin scan cache 1\n\x01\x02garbage\t\t\n";
  ScanningHost h(dir / "cache.txt");
  EXPECT_EQ(h.host->load_plugin(test_plugins("test_nodes") + "/nfx_test_nodes.so").size(), 0u);
  EXPECT_EQ(h.scans, 1);
}
