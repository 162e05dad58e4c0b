// nfx::training's process-wide state exists once per process: two model plugins loaded into one host share
// one pool of share threads (docs/architecture.md, "One thread policy per process").
#include "test_support.hpp"

#include <map>

using nfx::test::make_host;
using nfx::test::test_plugins;

TEST(OnePool, TwoModelPluginsInOneHostShareTheShareThreads) {
  nfx::HostOptions options;
  options.plugin_paths.push_back(test_plugins("pool_probes"));
  auto host = make_host(false, options);
  ASSERT_NE(host->node_type("probe_a.probe"), nullptr);
  ASSERT_NE(host->node_type("probe_b.probe"), nullptr);
  // b runs after a: a splits its batch over two share threads first, then b does.
  nfx::Graph graph = host->parse_graph(R"(
[nodes.in]
type = "host.input"
kind = "scalar"
[nodes.a]
type = "probe_a.probe"
in.after = "in.value"
[nodes.b]
type = "probe_b.probe"
in.after = "a.started"
[nodes.a_before]
type = "host.output"
in.value = "a.before"
[nodes.a_started]
type = "host.output"
in.value = "a.started"
[nodes.b_before]
type = "host.output"
in.value = "b.before"
[nodes.b_started]
type = "host.output"
in.value = "b.started"
)", "pools.toml");
  graph.feed("in", nfx::Value::scalar(0));
  std::map<std::string, double> seen;
  nfx::RunOptions run;
  run.on_output = [&](const nfx::OutputEvent& e) { seen[e.node] = e.value.as_scalar(); };
  graph.run(run);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen["a_before"], 0) << "no share thread before the first batch of the process";
  EXPECT_EQ(seen["a_started"], 2);
  // With a pool per plugin (the training library linked statically into each), b would start from 0.
  EXPECT_EQ(seen["b_before"], 2) << "plugin b sees the threads plugin a started";
  EXPECT_EQ(seen["b_started"], 2) << "and reuses them";
}
