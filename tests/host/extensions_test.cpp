// The graph keys that use node extensions: invert = true runs a node's inverse (nfx.invertible.v1) with
// its ports swapped; state = "file" loads a node's learned state (nfx.trainable.v1) at creation and saves
// it atomically after the run.
#include "test_support.hpp"

#include <algorithm>
#include <fstream>

using namespace nfx::test;

namespace {

std::string scale_graph(const std::string& scale_keys) {
  return R"(
[nodes.in]
type = "host.input"
kind = "scalar"
[nodes.scale]
type = "test.scale"
)" + scale_keys + R"(
[nodes.out]
type = "host.output"
)";
}

// Feeds the values one item each and returns what host.output received, in item order.
std::vector<double> run_scalars(nfx::Graph& graph, const std::vector<double>& values) {
  for (double v : values) graph.feed("in", nfx::Value::scalar(v));
  std::map<int64_t, double> got;
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) { got[e.item] = e.value.as_scalar(); };
  graph.run(options);
  std::vector<double> out;
  for (const auto& [item, v] : got) out.push_back(v);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST(Extensions, InvertRunsTheInverseWithPortsSwapped) {
  auto host = make_host();
  auto forward = host->parse_graph(scale_graph("factor = 4.0\nin.x = \"in.value\"") + "in.value = \"scale.y\"\n", "f.toml");
  EXPECT_EQ(run_scalars(forward, {1.5, -2.0}), (std::vector<double>{6.0, -8.0}));
  // Inverted, the node's input port is its forward output `y` and its output is `x`.
  auto inverse =
      host->parse_graph(scale_graph("factor = 4.0\ninvert = true\nin.y = \"in.value\"") + "in.value = \"scale.x\"\n", "i.toml");
  EXPECT_EQ(run_scalars(inverse, {6.0, -8.0}), (std::vector<double>{1.5, -2.0}));
}

TEST(Extensions, InvertOnANodeWithoutTheExtensionIsAGraphError) {
  auto host = make_host();
  try {
    host->parse_graph("[nodes.a]\ntype = \"core.constant\"\ninvert = true\n", "g.toml");
    FAIL() << "core.constant is not invertible";
  } catch (const nfx::GraphError& e) {
    ASSERT_EQ(e.diagnostics().size(), 1u);
    EXPECT_EQ(e.diagnostics()[0].line, 3);
    EXPECT_NE(e.diagnostics()[0].message.find("core.constant is not invertible"), std::string::npos) << e.what();
  }
  try {
    host->parse_graph("[nodes.a]\ntype = \"core.constant\"\nstate = 3\n", "g.toml");
    FAIL() << "a number is not a state file";
  } catch (const nfx::GraphError& e) {
    EXPECT_NE(e.diagnostics()[0].message.find("'state' must be a file path"), std::string::npos) << e.what();
  }
}

TEST(Extensions, StateIsCarriedFromRunToRunAndAFailedSaveKeepsTheOldOne) {
  auto host = make_host();
  TempDir dir;
  const std::string state = dir / "scale/state.txt";
  const std::string keys = "factor = 2.0\ngrowth = 1.0\nstate = \"" + state + "\"\nin.x = \"in.value\"";
  auto graph = host->parse_graph(scale_graph(keys) + "in.value = \"scale.y\"\n", "s.toml");
  // Not reentrant, so items run one at a time (in either order): factors 2 and 3; the saved state is 4.
  std::vector<double> first = run_scalars(graph, {1.0, 1.0});
  std::sort(first.begin(), first.end());
  EXPECT_EQ(first, (std::vector<double>{2.0, 3.0}));
  EXPECT_EQ(std::stod(read_file(state)), 4.0);
  auto again = host->parse_graph(scale_graph(keys) + "in.value = \"scale.y\"\n", "s.toml");
  EXPECT_EQ(run_scalars(again, {1.0}), (std::vector<double>{4.0})) << "the second run starts from the saved state";
  EXPECT_EQ(std::stod(read_file(state)), 5.0);

  // A state the node refuses to save (negative) fails the run and leaves the file as it was.
  const std::string shrinking = "factor = 2.0\ngrowth = -10.0\nstate = \"" + state + "\"\nin.x = \"in.value\"";
  auto failing = host->parse_graph(scale_graph(shrinking) + "in.value = \"scale.y\"\n", "s.toml");
  for (double v : {1.0}) failing.feed("in", nfx::Value::scalar(v));
  try {
    failing.run();
    FAIL() << "the save must fail";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(e.node(), "scale");
    EXPECT_NE(std::string(e.what()).find("the previous state is kept"), std::string::npos) << e.what();
  }
  EXPECT_EQ(std::stod(read_file(state)), 5.0);
  EXPECT_FALSE(fs::exists(state + ".saving"));
}

// nfx::ParamError names a parameter; the host starts the message with that parameter's place in the file.
TEST(Extensions, AParamErrorIsReportedAtTheParametersLine) {
  auto host = make_host();
  auto graph = host->parse_graph(scale_graph("factor = 0.0\nin.x = \"in.value\"") + "in.value = \"scale.y\"\n", "p.toml");
  graph.feed("in", nfx::Value::scalar(1.0));
  try {
    graph.run();
    FAIL() << "factor 0 must be refused";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("p.toml:7:10: node 'scale' (test.scale): cannot create: factor = 0", 0), 0u)
        << e.what();
  }
}

// A --set value has no line in the file: the error starts with the override itself.
TEST(Extensions, AParamErrorFromAnOverrideIsReportedAtTheOverride) {
  auto host = make_host();
  auto graph = host->parse_graph(scale_graph("in.x = \"in.value\"") + "in.value = \"scale.y\"\n", "p.toml", {"scale.factor=0"});
  graph.feed("in", nfx::Value::scalar(1.0));
  try {
    graph.run();
    FAIL() << "factor 0 must be refused";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--set scale.factor=0: node 'scale' (test.scale): cannot create: factor = 0", 0), 0u)
        << e.what();
  }
}

// Graph::describe creates every node (loading its state) and collects the facts of those that have
// nfx.describable.v1, in the file's order; the others are listed as not describable.
TEST(Extensions, DescribeCollectsEachNodesFactsAfterLoadingItsState) {
  auto host = make_host();
  TempDir dir;
  const std::string state = dir / "state.txt";
  std::ofstream(state) << "8\n";
  auto graph = host->parse_graph(scale_graph("factor = 2.0\nstate = \"" + state + "\"\nin.x = \"in.value\"") +
                                     "in.value = \"scale.y\"\n", "d.toml");
  const std::vector<nfx::NodeDescription> nodes = graph.describe();
  ASSERT_EQ(nodes.size(), 3u);
  EXPECT_EQ(nodes[0].node, "in");
  EXPECT_FALSE(nodes[0].describable);
  EXPECT_TRUE(nodes[0].facts.empty());
  EXPECT_EQ(nodes[1].node, "scale");
  EXPECT_EQ(nodes[1].type, "test.scale");
  EXPECT_TRUE(nodes[1].describable);
  using Facts = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(nodes[1].facts, (Facts{{"factor", "8"}, {"inverse factor", "0.125"}})) << "the loaded state, not the parameter";
  EXPECT_EQ(nodes[2].node, "out");
  EXPECT_EQ(read_file(state), "8\n") << "describing does not save the state";
  // The graph still runs afterwards, from the same state.
  EXPECT_EQ(run_scalars(graph, {1.0}), (std::vector<double>{8.0}));
}

TEST(Extensions, ANodeThatCannotDescribeItselfIsARunErrorNamingIt) {
  auto host = make_host();
  auto graph = host->parse_graph(scale_graph("factor = -1.0\nin.x = \"in.value\"") + "in.value = \"scale.y\"\n", "n.toml");
  try {
    graph.describe();
    FAIL() << "a negative factor cannot be described";
  } catch (const nfx::RunError& e) {
    EXPECT_EQ(e.node(), "scale");
    EXPECT_NE(std::string(e.what()).find("node 'scale' (test.scale): cannot describe itself: a negative factor cannot be described"),
              std::string::npos) << e.what();
  }
}
