// The `nfx` command as a user runs it: exit codes and what it prints.
#include "test_support.hpp"

#include <array>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sys/wait.h>

using namespace nfx::test;

namespace {

using Result = ShellResult;

// `environment`: NAME=VALUE settings for the tool's process.
Result nfx_cmd(const std::string& args, const std::string& environment = "") {
  return shell("env -u NFX_PLUGIN_PATH " + environment + " " + std::string(NFX_TEST_TOOL) + " " + args);
}

bool has(const Result& r, const std::string& text) { return r.output.find(text) != std::string::npos; }

}  // namespace

TEST(Tool, HelpOnEveryVerb) {
  for (const char* verb : {"", "run ", "validate ", "plugins ", "inspect ", "graph "}) {
    Result r = nfx_cmd(std::string(verb) + "--help");
    EXPECT_EQ(r.code, 0) << verb << r.output;
    EXPECT_TRUE(has(r, "Usage")) << verb << r.output;
  }
  EXPECT_NE(nfx_cmd("frobnicate").code, 0);
}

TEST(Tool, PluginsListsVersionsAndAbi) {
  Result r = nfx_cmd("plugins");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "io 0.1.0 (ABI 1." + std::to_string(NFX_ABI_MINOR) + ")")) << r.output;
  EXPECT_TRUE(has(r, "core.identity")) << r.output;
}

TEST(Tool, PluginsSaysWhichCpuKernelsRun) {
  const Result r = nfx_cmd("plugins");
  if (!has(r, "flow 0.1.0")) GTEST_SKIP() << "the flow plugin is not built (no LibTorch)";
  EXPECT_TRUE(has(r, "CPU kernels: ")) << r.output;
  EXPECT_TRUE(has(r, "(the best this CPU supports; NFX_CPU overrides)")) << r.output;
  const Result forced = nfx_cmd("plugins", "NFX_CPU=baseline");
  EXPECT_TRUE(has(forced, "CPU kernels: baseline (forced by NFX_CPU; this CPU runs: baseline")) << forced.output;
  const Result unknown = nfx_cmd("plugins", "NFX_CPU=sse9");
  EXPECT_TRUE(has(unknown, "NFX_CPU=sse9 is not a kernel variant; use baseline, avx2 or avx512")) << unknown.output;
}

TEST(Tool, PluginsReportsRefusedLibrariesAndFails) {
  Result r = nfx_cmd("plugins --plugin-path " + test_plugins("abi2"));
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "nfx_abi2.so")) << r.output;
  EXPECT_TRUE(has(r, "ABI 2.0")) << r.output;
}

TEST(Tool, InspectShowsPortsParametersAndDefaults) {
  Result r = nfx_cmd("inspect io.resize");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "image        image uint8 rank 3")) << r.output;
  EXPECT_TRUE(has(r, "interpolation")) << r.output;
  EXPECT_TRUE(has(r, "default \"area\"")) << r.output;
  EXPECT_EQ(nfx_cmd("inspect io.nope").code, 1);
}

// A describable type shows an instance's facts: with its defaults, then as --set changes them.
TEST(Tool, InspectShowsWhatAnInstanceReports) {
  const std::string tool = "--plugin-path " + test_plugins("test_nodes") + " inspect test.scale";
  Result r = nfx_cmd(tool);
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "describable")) << r.output;
  EXPECT_TRUE(has(r, "instance (defaults):\n  factor          2\n  inverse factor  0.5\n")) << r.output;
  r = nfx_cmd(tool + " --set factor=4");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "instance (defaults, factor=4):\n  factor          4\n  inverse factor  0.25\n")) << r.output;
  r = nfx_cmd(tool + " --set factor=0");  // the node refuses to be created
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "--set node.factor=0: node 'node' (test.scale): cannot create: factor = 0 has no inverse")) << r.output;
  r = nfx_cmd(tool + " --set nope=1");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "nope")) << r.output;
  r = nfx_cmd("inspect io.resize --set width=3");  // not describable: --set has nothing to show
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "does not describe its instances")) << r.output;
}

TEST(Tool, InspectGraphDescribesEveryNode) {
  TempDir dir;
  std::ofstream(dir / "g.toml") << "[nodes.in]\ntype = \"host.input\"\nkind = \"scalar\"\n"
                                   "[nodes.triple]\ntype = \"test.scale\"\nfactor = 3.0\nin.x = \"in.value\"\n";
  const std::string tool = "--plugin-path " + test_plugins("test_nodes") + " inspect ";
  Result r = nfx_cmd(tool + "--graph " + dir / "g.toml");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "in (host.input): does not describe itself\n")) << r.output;
  EXPECT_TRUE(has(r, "triple (test.scale)\n  factor          3\n  inverse factor  0.333333\n")) << r.output;
  r = nfx_cmd(tool + "--graph " + dir / "g.toml --set triple.factor=-2");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "node 'triple' (test.scale): cannot describe itself: a negative factor cannot be described")) << r.output;
  EXPECT_EQ(nfx_cmd(tool + "test.scale --graph " + dir / "g.toml").code, 1) << "a type or a graph, not both";
  EXPECT_EQ(nfx_cmd(tool).code, 1) << "a type or a graph";
  EXPECT_EQ(nfx_cmd(tool + "--graph " + dir / "missing.toml").code, 1);
}

TEST(Tool, ValidateListsEveryErrorAndFails) {
  TempDir dir;
  std::ofstream(dir / "bad.toml") << "[nodes.a]\ntype = \"io.read_images\"\npath = 3\n"
                                     "[nodes.b]\ntype = \"io.write_images\"\nin.image = \"a.imag\"\ndir = \"x\"\n";
  Result r = nfx_cmd("validate " + dir / "bad.toml");
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "bad.toml:3:8: parameter 'path' of node 'a' must be a string, got integer")) << r.output;
  EXPECT_TRUE(has(r, "bad.toml:6:12: node 'b' input 'image': node 'a' (io.read_images) has no output 'imag'"))
      << r.output;
  EXPECT_TRUE(has(r, "2 errors")) << r.output;
}

TEST(Tool, GraphDrawsDot) {
  Result r = nfx_cmd("graph " + std::string(NFX_TEST_SOURCE_DIR) + "/graphs/resize-images.toml --dot");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "digraph \"resize-images\"")) << r.output;
  EXPECT_TRUE(has(r, "\"read\" -> \"resize\" [label=\"image -> image\"]")) << r.output;
}

TEST(Tool, RunsTheMainGraphWithOverrides) {
  TempDir out;
  Result r = nfx_cmd("run " + std::string(NFX_TEST_SOURCE_DIR) + "/graphs/resize-images.toml --set out=" +
                     out.path().string() + " --set resize.width=32");
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(has(r, "done: 8 items")) << r.output;
  EXPECT_TRUE(fs::exists(out.path() / "butterfly.png"));
  Result bad = nfx_cmd("run " + std::string(NFX_TEST_SOURCE_DIR) + "/graphs/resize-images.toml --set resize.width=-5");
  EXPECT_EQ(bad.code, 1);
  EXPECT_TRUE(has(bad, "--set resize.width=-5: parameter 'width' of node 'resize' is -5, outside its range")) << bad.output;
}

TEST(Tool, RunFailureExitsNonZeroNamingNodeAndItem) {
  TempDir in, out;
  std::ofstream(in / "broken.png") << "not a png";
  Result r = nfx_cmd("run " + std::string(NFX_TEST_SOURCE_DIR) + "/graphs/resize-images.toml --set read.path=" +
                     in.path().string() + " --set out=" + out.path().string());
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_TRUE(has(r, "node 'read' (io.read_images), item 0")) << r.output;
  EXPECT_TRUE(has(r, "broken.png: cannot decode the image")) << r.output;
}

TEST(Tool, CtrlCStopsCleanlyWithExitCode130) {
  TempDir dir;
  std::ofstream(dir / "long.toml") << "[nodes.src]\ntype = \"core.constant\"\ncount = 1000000\n"
                                      "[nodes.slow]\ntype = \"test.slow\"\nin.value = \"src.tensor\"\nms = 5\n"
                                      "[nodes.count]\ntype = \"core.counter\"\nin.value = \"slow.value\"\n";
  // GNU timeout sends SIGINT after 3 s, as Ctrl-C would, and passes nfx's own exit status on. Without
  // the signal this graph would run for over an hour. (Loading the LibTorch plugins alone takes over 1 s
  // on a busy 2-core machine; a signal before the run starts exits without the message.)
  const Result r = shell("env -u NFX_PLUGIN_PATH timeout --foreground --preserve-status -s INT 3 " +
                         std::string(NFX_TEST_TOOL) + " --plugin-path " + test_plugins("test_nodes") + " run " +
                         dir / "long.toml" + " -q");
  const std::string& output = r.output;
  EXPECT_EQ(r.code, 130) << output;
  EXPECT_NE(output.find("cancelled after"), std::string::npos) << output;
}

// An item that never returns (a model that loops, ignoring cancellation) does not keep a stopped run alive:
// after one SIGTERM nfx waits the grace period, says so, and leaves with 130; isolated (the default) or not.
TEST(Tool, OneSigtermEndsARunWhoseItemHangsAfterTheGracePeriod) {
  TempDir dir;
  std::ofstream(dir / "hang.toml") << "[nodes.src]\ntype = \"core.constant\"\ncount = 4\n"
                                      "[nodes.slow]\ntype = \"test.slow\"\nin.value = \"src.tensor\"\nms = 600000\nhang = true\n"
                                      "[nodes.count]\ntype = \"core.counter\"\nin.value = \"slow.value\"\n";
  for (const std::string isolate : {"", " --no-isolate"}) {
    // One SIGTERM once an item hangs (the node logs "hanging"; -v shows it), into a log of this run's own.
    const std::string log = dir / (isolate.empty() ? "isolated.log" : "in-process.log");
    const Result r = sigterm_once_logged("env -u NFX_PLUGIN_PATH " + std::string(NFX_TEST_TOOL) + " --plugin-path " +
                                             test_plugins("test_nodes") + " -v run" + isolate + " " + dir / "hang.toml" +
                                             " -q --stop-grace 2", log, "hanging");
    EXPECT_EQ(r.code, 130) << isolate << r.output;
    EXPECT_TRUE(has(r, "stopping after the items in progress (at most 2 s")) << isolate << r.output;
    EXPECT_TRUE(has(r, "items still running when the grace period ended")) << isolate << r.output;
  }
}

// Worker threads that cannot be started (here: too little address space for 3,000 thread stacks) end the
// run with an error that says so, not with std::terminate (issue 13).
TEST(Tool, WorkerThreadsThatCannotStartGiveAnError) {
  TempDir dir;
  std::ofstream(dir / "small.toml") << "[nodes.src]\ntype = \"core.constant\"\ncount = 2\n"
                                       "[nodes.count]\ntype = \"core.counter\"\nin.value = \"src.tensor\"\n";
  const Result r = shell("bash -c 'ulimit -v 8000000; env -u NFX_PLUGIN_PATH " + std::string(NFX_TEST_TOOL) + " run " +
                         dir / "small.toml" + " -j 3000 -q'");
  const std::string& output = r.output;
  EXPECT_EQ(r.code, 1) << output;
  EXPECT_NE(output.find("cannot start worker thread"), std::string::npos) << output;
  EXPECT_NE(output.find("use fewer threads (-j)"), std::string::npos) << output;
}

// A folder or an endless file given as the graph: a clear error at once, without reading it all (issue 13).
TEST(Tool, AFolderOrAHugeFileIsNotTakenForAGraph) {
  TempDir dir;
  const Result folder = nfx_cmd("validate " + dir.path().string());
  EXPECT_EQ(folder.code, 1) << folder.output;
  EXPECT_TRUE(has(folder, "is a folder, not a graph file")) << folder.output;
  const Result endless = nfx_cmd("validate /dev/zero");
  EXPECT_EQ(endless.code, 1) << endless.output;
  EXPECT_TRUE(has(endless, "larger than 1 MiB")) << endless.output;
  // The limit is a setting.
  std::ofstream(dir / "g.toml") << "[nodes.src]\ntype = \"core.constant\"\ncount = 2\n";
  EXPECT_EQ(nfx_cmd("validate " + dir / "g.toml").code, 0);
  const Result strict = nfx_cmd("--max-graph-bytes 20 validate " + dir / "g.toml");
  EXPECT_EQ(strict.code, 1) << strict.output;
  EXPECT_TRUE(has(strict, "is larger than 20 bytes")) << strict.output;
}

// A node that dereferences NULL: with --no-isolate the process dies by SIGSEGV naming nothing; by default
// (isolated, as --isolate says too) the supervising process names the node and the item, and with
// on_error = "skip" the run ends without that item (issues 13, 33).
TEST(Tool, IsolateNamesTheNodeAndItemThatCrashedAndSkipsIt) {
  TempDir dir;
  const auto graph = [&](const std::string& on_error) {
    const std::string file = dir / ("crash_" + on_error + ".toml");
    std::ofstream(file) << "[nodes.src]\ntype = \"core.constant\"\ncount = 5\n"
                           "[nodes.bad]\ntype = \"test.fail\"\nin.value = \"src.tensor\"\nmode = \"segv\"\nfail_at = 2\n"
                           "on_error = \"" << on_error << "\"\n"
                           "[nodes.count]\ntype = \"core.counter\"\nin.value = \"bad.value\"\n";
    return file;
  };
  const std::string tool = "env -u NFX_PLUGIN_PATH " + std::string(NFX_TEST_TOOL) + " --plugin-path " + test_plugins("test_nodes");
  const Result plain = shell(tool + " run --no-isolate " + graph("skip") + " -j 2");
  EXPECT_EQ(plain.code, 128 + SIGSEGV) << "the fixture must really crash (the shell says 128 + signal): " << plain.output;

  const Result skipped = shell(tool + " run " + graph("skip") + " -j 2");
  EXPECT_EQ(skipped.code, 0) << skipped.output;
  EXPECT_TRUE(has(skipped, "node 'bad' crashed the worker (signal 11, Segmentation fault) on item 2")) << skipped.output;
  EXPECT_TRUE(has(skipped, "item skipped (on_error = \"skip\")")) << skipped.output;
  EXPECT_TRUE(has(skipped, "done: 4 items")) << skipped.output;
  EXPECT_TRUE(has(skipped, "1 item left out after crashing a worker")) << skipped.output;

  const Result stopped = shell(tool + " run --isolate " + graph("stop") + " -j 2");
  EXPECT_EQ(stopped.code, 1) << stopped.output;
  EXPECT_TRUE(has(stopped, "node 'bad' crashed the worker (signal 11, Segmentation fault) on item 2")) << stopped.output;
  EXPECT_TRUE(has(stopped, "the run stopped")) << stopped.output;
}
