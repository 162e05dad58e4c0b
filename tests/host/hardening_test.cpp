// Hostile input must give an error, never a crash: sizes that would wrap, exceptions that escape a plugin
// across the C ABI (issue 13).
#include "test_support.hpp"

using namespace nfx::test;

namespace {

// A host with only the built-in nodes and the plugins in `dirs`.
std::unique_ptr<nfx::Host> host_with(const std::vector<std::string>& dirs) {
  nfx::HostOptions o;
  o.use_env_path = false;
  o.use_install_dir = false;
  o.plugin_paths = dirs;
  auto host = std::make_unique<nfx::Host>(o);
  host->load_plugins();
  return host;
}

// Runs a graph of one node of `type` between host.input and host.output on one scalar; returns the
// run's error ("" when it succeeded) and the value that came out.
std::string run_one(nfx::Host& host, const std::string& type, double* out = nullptr) {
  auto graph = host.parse_graph("[nodes.in]\ntype = \"host.input\"\nkind = \"scalar\"\n[nodes.n]\ntype = \"" + type +
                                    "\"\nin.value = \"in.value\"\n[nodes.out]\ntype = \"host.output\"\nin.value = \"n." +
                                    host.node_type(type)->outputs[0].name + "\"\n",
                                "g.toml");
  graph.feed("in", nfx::Value::scalar(1.0));
  nfx::RunOptions options;
  options.on_output = [&](const nfx::OutputEvent& e) {
    if (out) *out = e.value.as_scalar();
  };
  try {
    graph.run(options);
  } catch (const nfx::RunError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Hardening, AConstantShapeWhoseSizeWouldWrapIsRefusedAtItsLine) {
  auto host = make_host();
  for (const std::string shape : {"4611686018427387903", "2147483648x2147483648x8", "12x-3", "3xabc", "x5"}) {
    SCOPED_TRACE(shape);
    auto graph = host->parse_graph("[nodes.c]\ntype = \"core.constant\"\nshape = \"" + shape + "\"\n", "c.toml");
    try {
      graph.run();
      ADD_FAILURE() << "ran";
    } catch (const nfx::RunError& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind("c.toml:3:", 0), 0u) << message;
      EXPECT_NE(message.find("shape"), std::string::npos) << message;
    }
  }
}

TEST(Hardening, TheHostRefusesAnAllocationWhoseRoundingWouldWrap) {
  auto host = make_host();
  double refused = 0;
  EXPECT_EQ(run_one(*host, "test.huge_alloc", &refused), "");
  EXPECT_EQ(refused, 1.0);
}

TEST(Hardening, ExceptionsEscapingAPluginBecomeErrorsNamingTheNode) {
  auto owned = host_with({test_plugins("escaping")});
  nfx::Host& host = *owned;
  ASSERT_NE(host.node_type("escaping.process"), nullptr);
  const std::string process = run_one(host, "escaping.process");
  EXPECT_NE(process.find("node 'n' (escaping.process), item 0"), std::string::npos) << process;
  EXPECT_NE(process.find("escape"), std::string::npos) << process;
  EXPECT_NE(process.find("boom in process"), std::string::npos) << process;

  const std::string create = run_one(host, "escaping.create");
  EXPECT_NE(create.find("cannot create"), std::string::npos) << create;
  EXPECT_NE(create.find("not a std::exception"), std::string::npos) << create;

  const std::string finish = run_one(host, "escaping.finish");
  EXPECT_NE(finish.find("boom in finish"), std::string::npos) << finish;
}

TEST(Hardening, AnEntryPointThatThrowsRefusesThePlugin) {
  auto host = host_with({});
  host->add_plugin_path(test_plugins("escaping_entry"));
  const auto errors = host->load_plugins();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nfx_plugin_entry"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("boom in nfx_plugin_entry"), std::string::npos) << errors[0].message;
  EXPECT_EQ(host->node_type("escaping.process"), nullptr);
}

// [graph] max_tensor_bytes (or RunOptions::max_tensor_bytes) caps what a node may allocate through the
// host: a larger tensor fails the node with an error, nothing is attempted (issue 13).
TEST(Hardening, MaxTensorBytesRefusesLargerTensors) {
  auto host = make_host();
  const std::string nodes = "[nodes.c]\ntype = \"core.constant\"\nshape = \"100x100\"\n";  // 40,000 bytes of float32
  auto run = [&](const std::string& graph_table, uint64_t option) -> std::string {
    auto graph = host->parse_graph(graph_table + nodes, "g.toml");
    nfx::RunOptions o;
    o.max_tensor_bytes = option;
    try {
      graph.run(o);
    } catch (const nfx::RunError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(run("", 0), "");
  const std::string capped = run("[graph]\nmax_tensor_bytes = 39_999\n", 0);
  EXPECT_NE(capped.find("node 'c' (core.constant)"), std::string::npos) << capped;
  EXPECT_NE(capped.find("cannot allocate a tensor of 40000 bytes"), std::string::npos) << capped;
  EXPECT_EQ(run("[graph]\nmax_tensor_bytes = 40_000\n", 0), "");
  EXPECT_NE(run("[graph]\nmax_tensor_bytes = 1_000_000\n", 100).find("40000 bytes"), std::string::npos)
      << "the run's option wins over the graph's setting";
  try {
    host->parse_graph("[graph]\nmax_tensor_bytes = -5\n" + nodes, "bad.toml");
    ADD_FAILURE() << "a negative limit was accepted";
  } catch (const nfx::GraphError& e) {
    EXPECT_NE(e.diagnostics().at(0).str().find("bad.toml:2:"), std::string::npos) << e.diagnostics().at(0).str();
  }
}
