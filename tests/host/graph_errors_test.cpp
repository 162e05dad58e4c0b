// Graph validation: every problem reported at once, each at its file:line:col, before anything runs.
#include "test_support.hpp"

#include <fstream>

using namespace nfx::test;

namespace {

std::vector<nfx::Diagnostic> problems(const std::string& toml, const std::vector<std::string>& sets = {}) {
  static auto host = make_host();
  try {
    host->parse_graph(toml, "g.toml", sets);
  } catch (const nfx::GraphError& e) {
    return e.diagnostics();
  }
  return {};
}

std::string all(const std::vector<nfx::Diagnostic>& d) {
  std::string s;
  for (const auto& x : d) s += x.str() + "\n";
  return s;
}

bool mentions(const nfx::Diagnostic& d, const std::string& text) { return d.message.find(text) != std::string::npos; }

}  // namespace

TEST(GraphErrors, ThreeIndependentMistakesAllReportedWithLineAndColumn) {
  const std::string toml =
      "[graph]\n"                          // 1
      "name = \"three mistakes\"\n"        // 2
      "\n"                                 // 3
      "[nodes.read]\n"                     // 4
      "type = \"io.read_images\"\n"        // 5
      "path = \"/tmp\"\n"                  // 6
      "\n"                                 // 7
      "[nodes.resize]\n"                   // 8
      "type = \"io.resise\"\n"             // 9  unknown type
      "in.image = \"read.image\"\n"        // 10
      "\n"                                 // 11
      "[nodes.write]\n"                    // 12
      "type = \"io.write_images\"\n"       // 13
      "in.image = \"raed.image\"\n"        // 14 unknown node
      "dir = \"out\"\n"                    // 15
      "quality = \"high\"\n";              // 16 wrong type
  auto d = problems(toml);
  ASSERT_EQ(d.size(), 3u) << all(d);
  EXPECT_EQ(d[0].str().substr(0, 11), "g.toml:9:8:") << all(d);
  EXPECT_TRUE(mentions(d[0], "unknown node type 'io.resise'")) << all(d);
  EXPECT_TRUE(mentions(d[0], "did you mean 'io.resize'")) << all(d);
  EXPECT_EQ(d[1].line, 14);
  EXPECT_EQ(d[1].column, 12);
  EXPECT_TRUE(mentions(d[1], "no node 'raed'")) << all(d);
  EXPECT_EQ(d[2].line, 16);
  EXPECT_EQ(d[2].column, 11);
  EXPECT_TRUE(mentions(d[2], "'quality'") && mentions(d[2], "integer")) << all(d);
}

TEST(GraphErrors, OnErrorTakesStopOrSkip) {
  const auto d = problems("[nodes.src]\ntype = \"core.constant\"\non_error = \"ignore\"\n");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_EQ(d[0].line, 3);
  EXPECT_TRUE(mentions(d[0], "'on_error' must be \"stop\" or \"skip\"")) << all(d);
  EXPECT_TRUE(problems("[nodes.src]\ntype = \"core.constant\"\non_error = \"skip\"\n").empty());
}

TEST(GraphErrors, GraphThreadsIsAPositiveWholeNumber) {
  for (const std::string bad : {"0", "-2", "1.5", "\"four\""}) {
    const auto d = problems("[graph]\nthreads = " + bad + "\n[nodes.src]\ntype = \"core.constant\"\n");
    ASSERT_EQ(d.size(), 1u) << bad << ": " << all(d);
    EXPECT_EQ(d[0].line, 2);
    EXPECT_TRUE(mentions(d[0], "graph.threads must be a whole number from 1")) << all(d);
  }
  EXPECT_TRUE(problems("[graph]\nthreads = 2\n[nodes.src]\ntype = \"core.constant\"\n").empty());
}

TEST(GraphErrors, KindMismatchNamesBothPorts) {
  auto d = problems(R"(
[nodes.read]
type = "io.read_images"
path = "/tmp"
[nodes.tensor]
type = "io.to_tensor"
in.image = "read.image"
[nodes.write]
type = "io.write_images"
in.image = "tensor.tensor"
dir = "out"
)");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_EQ(d[0].line, 10);
  EXPECT_TRUE(mentions(d[0], "write.image")) << all(d);
  EXPECT_TRUE(mentions(d[0], "tensor.tensor")) << all(d);
  EXPECT_TRUE(mentions(d[0], "takes image but")) << all(d);
}

TEST(GraphErrors, KindFlowsThroughAnyPorts) {
  // core.identity passes on what it gets, so a tensor through it still cannot feed an image port.
  auto d = problems(R"(
[nodes.src]
type = "core.constant"
[nodes.id]
type = "core.identity"
in.value = "src.tensor"
[nodes.write]
type = "io.write_images"
in.image = "id.value"
dir = "out"
)");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "port kind mismatch: write.image takes image but id.value gives tensor")) << all(d);
}

TEST(GraphErrors, CycleIsReported) {
  auto d = problems(R"(
[nodes.a]
type = "core.identity"
in.value = "b.value"
[nodes.b]
type = "core.identity"
in.value = "a.value"
)");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "cycle")) << all(d);
  EXPECT_TRUE(mentions(d[0], "a") && mentions(d[0], "b"));
}

// Only the nodes on the cycle are named, not the ones that merely read from it (issue 13).
TEST(GraphErrors, ACycleNamesItsNodesOnly) {
  auto d = problems(R"(
[nodes.a]
type = "core.identity"
in.value = "b.value"
[nodes.b]
type = "core.identity"
in.value = "a.value"
[nodes.downstream]
type = "core.counter"
in.value = "b.value"
)");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "cycle: nodes a, b read from each other")) << all(d);
  EXPECT_FALSE(mentions(d[0], "downstream")) << all(d);
}

TEST(GraphErrors, MissingRequiredInputAndParameter) {
  auto d = problems(R"(
[nodes.write]
type = "io.write_images"
)");
  ASSERT_EQ(d.size(), 2u) << all(d);
  EXPECT_TRUE(mentions(d[0], "missing required parameter 'dir'") || mentions(d[1], "missing required parameter 'dir'"));
  EXPECT_TRUE(mentions(d[0], "required input 'image'") || mentions(d[1], "required input 'image'")) << all(d);
  EXPECT_EQ(d[0].line, 2);
}

TEST(GraphErrors, UnknownParameterAndOutOfRangeAndBadChoice) {
  auto d = problems(R"(
[nodes.read]
type = "io.read_images"
path = "/tmp"
colour = "gray"
[nodes.resize]
type = "io.resize"
in.image = "read.image"
width = 100000
interpolation = "cubik"
)");
  ASSERT_EQ(d.size(), 3u) << all(d);
  EXPECT_TRUE(mentions(d[0], "unknown parameter 'colour'") && mentions(d[0], "did you mean 'color'")) << all(d);
  EXPECT_TRUE(mentions(d[1], "outside its range [0, 65535]")) << all(d);
  EXPECT_TRUE(mentions(d[2], "expected one of") && mentions(d[2], "did you mean 'cubic'")) << all(d);
}

TEST(GraphErrors, TomlSyntaxErrorHasItsPosition) {
  auto d = problems("[nodes.a]\ntype = \"core.identity\"\nin.value = \"x.y\n");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_EQ(d[0].line, 3);
  EXPECT_TRUE(mentions(d[0], "TOML syntax error")) << all(d);
}

TEST(GraphErrors, OverridesAreTypeCheckedLikeTheFile) {
  const std::string toml = R"(
[nodes.read]
type = "io.read_images"
path = "/tmp"
[nodes.resize]
type = "io.resize"
in.image = "read.image"
width = 64
)";
  auto d = problems(toml, {"resize.width=wide", "nosuch.width=3", "resize.widht=3"});
  ASSERT_EQ(d.size(), 3u) << all(d);
  EXPECT_EQ(all(d).find("--set resize.width=wide: parameter 'width' of node 'resize' must be an integer, got string") !=
                std::string::npos,
            true)
      << all(d);
  EXPECT_NE(all(d).find("--set nosuch.width=3: no node 'nosuch'"), std::string::npos) << all(d);
  EXPECT_NE(all(d).find("did you mean 'width'"), std::string::npos) << all(d);
  EXPECT_TRUE(problems(toml, {"resize.width=128"}).empty());
}

TEST(GraphErrors, VariablesExpandAndUnknownOnesAreReported) {
  auto host = make_host();
  const std::string toml = R"(
[graph.variables]
where = "/tmp"
[nodes.read]
type = "io.read_images"
path = "${where}/${nothing}"
)";
  auto d = problems(toml);
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "unknown variable '${nothing}'")) << all(d);
  EXPECT_EQ(d[0].line, 6);
  // A --set without a dot sets a variable.
  EXPECT_TRUE(problems(toml, {"nothing=x"}).empty());
}

// A --set of a variable the graph neither declares nor uses is a typo: an error naming the variables the
// graph has and the NODE.PARAM form for a parameter of that name, instead of a run on the defaults (issue 13).
TEST(GraphErrors, SettingAVariableTheGraphDoesNotHaveIsAnError) {
  const std::string toml = R"(
[graph.variables]
out = "/tmp/out"
[nodes.resize]
type = "core.constant"
count = 2
)";
  auto d = problems(toml, {"count=5"});
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "--set count=5: the graph has no variable 'count'")) << all(d);
  EXPECT_TRUE(mentions(d[0], "out")) << all(d);
  EXPECT_TRUE(mentions(d[0], "did you mean --set resize.count=5?")) << all(d);
  EXPECT_EQ(problems(toml, {"photo=x"}).size(), 1u);
  EXPECT_TRUE(problems(toml, {"out=/tmp/elsewhere", "data=/tmp"}).empty()) << all(problems(toml, {"out=/x"}));
}

// Variables that nest each other grow exponentially: past 1 MiB the expansion stops with a located error
// (40 doubling variables used to take minutes and gigabytes, then std::bad_alloc; issue 13).
TEST(GraphErrors, RunawayVariableExpansionStopsWithALocatedError) {
  auto name = [](int i) { return std::string(i < 10 ? "v0" : "v") + std::to_string(i); };  // sorted as defined
  std::string toml = "[graph.variables]\nv00 = \"abcdefgh\"\n";
  for (int i = 1; i <= 40; ++i) toml += name(i) + " = \"${" + name(i - 1) + "}${" + name(i - 1) + "}\"\n";
  toml += "[nodes.c]\ntype = \"core.constant\"\nshape = \"${v40}\"\n";
  const auto d = problems(toml);
  ASSERT_FALSE(d.empty());
  EXPECT_TRUE(mentions(d[0], "more than 1 MiB of text")) << d[0].str();
  EXPECT_GT(d[0].line, 1);

  // The limit is a setting: a host that allows 64 bytes refuses a 65-byte path.
  nfx::HostOptions options;
  options.use_env_path = false;
  options.use_install_dir = false;
  options.plugin_paths = {NFX_TEST_PLUGIN_DIR};
  options.graph_limits.string_bytes = 64;
  nfx::Host strict(options);
  strict.load_plugins();
  const std::string small = "[graph.variables]\nv = \"" + std::string(33, 'x') + "\"\n"
                            "[nodes.c]\ntype = \"core.constant\"\nshape = \"${v}${v}\"\n";
  try {
    strict.parse_graph(small, "s.toml");
    ADD_FAILURE() << "66 bytes passed a 64-byte limit";
  } catch (const nfx::GraphError& e) {
    EXPECT_NE(e.diagnostics().at(0).str().find("more than 64 bytes of text"), std::string::npos) << e.diagnostics()[0].str();
  }
}

TEST(GraphErrors, RequiredPluginVersion) {
  auto d = problems(R"(
[graph]
requires = { io = "99.0", nosuch = "1.0" }
[nodes.c]
type = "core.constant"
)");
  ASSERT_EQ(d.size(), 2u) << all(d);
  EXPECT_NE(all(d).find("version 99.0 or newer"), std::string::npos) << all(d);
  EXPECT_NE(all(d).find("'nosuch'"), std::string::npos) << all(d);
}

TEST(GraphErrors, AWholeVariableValueKeepsItsType) {
  const std::string graph = R"(
[graph.variables]
items = 3
shape = "1x2"
[nodes.source]
type = "core.constant"
count = "${items}"
shape = "${shape}"
[nodes.sink]
type = "core.counter"
in.value = "source.tensor"
)";
  EXPECT_TRUE(problems(graph).empty()) << all(problems(graph));
  static auto host = make_host();
  EXPECT_EQ(host->parse_graph(graph, "g.toml", {"items=5"}).run({}).items, 5);
  // Text around a variable keeps the value a string, which an int parameter refuses.
  const auto d = problems(R"(
[graph.variables]
items = 3
[nodes.source]
type = "core.constant"
count = "${items} items"
)");
  ASSERT_EQ(d.size(), 1u) << all(d);
  EXPECT_TRUE(mentions(d[0], "must be a")) << all(d);
}

// ${graph_dir} is the folder of the graph file, whatever folder the host runs in (here a constant's shape,
// so that the creation error shows what it expanded to); for a graph given as text, the current folder.
TEST(GraphErrors, GraphDirIsTheGraphFilesFolder) {
  const std::string graph = "[nodes.c]\ntype = \"core.constant\"\nshape = \"${graph_dir}\"\n";
  TempDir dir;
  std::ofstream(dir / "g.toml") << graph;
  static auto host = make_host();
  const std::string from_file = run_error(host->load_graph(dir / "g.toml", {}));
  EXPECT_NE(from_file.find("got \"" + dir.path().string() + "\""), std::string::npos) << from_file;
  const std::string from_text = run_error(host->parse_graph(graph, "text", {}));
  EXPECT_NE(from_text.find("got \"" + fs::current_path().string() + "\""), std::string::npos) << from_text;
}
