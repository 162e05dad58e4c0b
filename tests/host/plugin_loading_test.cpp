// Plugin discovery and refusal: wrong ABI, no entry symbol, colliding node ids.
#include "test_support.hpp"

#include <cstdlib>

using namespace nfx::test;

namespace {

std::vector<nfx::PluginLoadError> load_from(nfx::Host& host, const std::string& dir) {
  host.add_plugin_path(dir);
  return host.load_plugins();
}

nfx::HostOptions isolated() {
  nfx::HostOptions o;
  o.use_env_path = false;
  o.use_install_dir = false;
  return o;
}

}  // namespace

TEST(PluginLoading, LoadsTheBuildsPlugins) {
  auto host = make_host(false);
  std::vector<std::string> names;
  for (const nfx::PluginInfo& p : host->plugins()) names.push_back(p.name);
  EXPECT_NE(std::find(names.begin(), names.end(), "io"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "core"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "host"), names.end());
  EXPECT_NE(host->node_type("io.read_images"), nullptr);
  EXPECT_EQ(host->node_type("io.nonexistent"), nullptr);
}

TEST(PluginLoading, RefusesAnotherAbiMajorNamingFileAndBothVersions) {
  nfx::Host host(isolated());
  auto errors = load_from(host, test_plugins("abi2"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].path.find("nfx_abi2.so"), std::string::npos) << errors[0].path;
  EXPECT_NE(errors[0].message.find("ABI 2.0"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("host has ABI 1." + std::to_string(NFX_ABI_MINOR)), std::string::npos) << errors[0].message;
  EXPECT_EQ(host.plugins().size(), 1u);  // only the built-in host nodes
}

TEST(PluginLoading, RefusesALibraryWithoutEntrySymbol) {
  nfx::Host host(isolated());
  auto errors = load_from(host, test_plugins("no_entry"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].path.find("nfx_no_entry.so"), std::string::npos);
  EXPECT_NE(errors[0].message.find("nfx_plugin_entry"), std::string::npos) << errors[0].message;
}

// type, in, invert, state and on_error are node keys the graph loader reads itself: a parameter of that name
// could never be set.
TEST(PluginLoading, RefusesAParameterNamedLikeAReservedNodeKey) {
  nfx::Host host(isolated());
  auto errors = load_from(host, test_plugins("reserved_param"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("reserved.node"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("parameter 'state'"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("reserved"), std::string::npos) << errors[0].message;
  EXPECT_EQ(host.node_type("reserved.node"), nullptr);
}

TEST(PluginLoading, RefusesCollidingNodeIdsNamingTheOtherPlugin) {
  nfx::Host host(isolated());
  ASSERT_TRUE(load_from(host, NFX_TEST_PLUGIN_DIR).empty());
  auto errors = load_from(host, test_plugins("collide"));
  ASSERT_EQ(errors.size(), 2u);  // the node id, and the plugin name
  EXPECT_NE(errors[0].path.find("nfx_collide.so"), std::string::npos);
  EXPECT_NE(errors[0].message.find("core.identity"), std::string::npos) << errors[0].message;
  EXPECT_NE(errors[0].message.find("nfx_core.so"), std::string::npos) << errors[0].message;
  // The first plugin keeps its node types.
  const nfx_node_type* identity = host.node_type("core.identity");
  ASSERT_NE(identity, nullptr);
  for (const nfx::PluginInfo& p : host.plugins()) {
    if (p.name == "core") {
      EXPECT_EQ(p.version, "0.1.0");
    }
  }
}

// A second "core" earlier or later on the plugin path must not silently take the place of the other: a
// graph that uses the plugin is refused naming both files (issue 13). A byte-identical copy is no conflict.
TEST(PluginLoading, AGraphUsingAPluginFoundTwiceIsRefusedNamingBoth) {
  const std::string graph = "[nodes.c]\ntype = \"core.constant\"\ncount = 1\n"
                            "[nodes.i]\ntype = \"core.identity\"\nin.value = \"c.tensor\"\n";
  nfx::Host host(isolated());
  ASSERT_TRUE(load_from(host, NFX_TEST_PLUGIN_DIR).empty());
  ASSERT_EQ(load_from(host, test_plugins("collide")).size(), 2u);  // the node id and the plugin name
  try {
    host.parse_graph(graph, "g.toml");
    ADD_FAILURE() << "a graph on an ambiguous plugin was accepted";
  } catch (const nfx::GraphError& e) {
    const std::string message = e.diagnostics().at(0).str();
    EXPECT_EQ(message.rfind("g.toml:2:", 0), 0u) << message;
    EXPECT_NE(message.find("is ambiguous"), std::string::npos) << message;
    EXPECT_NE(message.find("nfx_core.so, loaded first"), std::string::npos) << message;
    EXPECT_NE(message.find("nfx_collide.so (9.9.9)"), std::string::npos) << message;
  }

  TempDir copy;
  std::filesystem::copy_file(std::string(NFX_TEST_PLUGIN_DIR) + "/nfx_core.so", copy / "nfx_core.so");
  nfx::Host twice(isolated());
  ASSERT_TRUE(load_from(twice, NFX_TEST_PLUGIN_DIR).empty());
  EXPECT_TRUE(load_from(twice, copy.path().string()).empty());
  EXPECT_EQ(twice.parse_graph(graph, "g.toml").node_ids().size(), 2u);
}

TEST(PluginLoading, LoadingAgainSkipsWhatIsLoaded) {
  nfx::Host host(isolated());
  ASSERT_TRUE(load_from(host, NFX_TEST_PLUGIN_DIR).empty());
  const size_t count = host.plugins().size();
  EXPECT_TRUE(host.load_plugins().empty());
  EXPECT_EQ(host.plugins().size(), count);
}

TEST(PluginLoading, SearchOrderIsOptionsThenEnvironmentThenInstallDir) {
  setenv("NFX_PLUGIN_PATH", "/env/one:/env/two", 1);
  nfx::HostOptions options;
  options.plugin_paths = {"/first"};
  std::vector<std::string> dirs = nfx::plugin_search_path(options);
  unsetenv("NFX_PLUGIN_PATH");
  ASSERT_EQ(dirs.size(), 4u);
  EXPECT_EQ(dirs[0], "/first");
  EXPECT_EQ(dirs[1], "/env/one");
  EXPECT_EQ(dirs[2], "/env/two");
  // The install dir sits next to libnfx_host: build/lib/nfx/plugins in the build tree.
  EXPECT_EQ(std::filesystem::weakly_canonical(dirs[3]), std::filesystem::weakly_canonical(NFX_TEST_PLUGIN_DIR));
}

TEST(PluginLoading, EnvironmentPathIsSearched) {
  setenv("NFX_PLUGIN_PATH", test_plugins("test_nodes").c_str(), 1);
  nfx::HostOptions options;
  options.use_install_dir = false;
  nfx::Host host(options);
  auto errors = host.load_plugins();
  unsetenv("NFX_PLUGIN_PATH");
  EXPECT_TRUE(errors.empty());
  EXPECT_NE(host.node_type("test.barrier"), nullptr);
}

// A plugin built against SDK 1.0 or 1.1 (frozen copies of their nfx.h), against this SDK, or with
// descriptor arrays of a later, larger element size: the host reads each node type, its two inputs and
// two parameters correctly and runs it.
TEST(PluginLoading, RunsPluginsBuiltAgainstEverySdkMinorAndLaterElementSizes) {
  for (const auto& [name, minor] : std::vector<std::pair<std::string, uint32_t>>{
           {"sdk_v1_0", 0}, {"sdk_v1_1", 1}, {"sdk_v1_2", 2}, {"future_elements", NFX_ABI_MINOR}}) {
    SCOPED_TRACE(name);
    nfx::Host host(isolated());
    auto errors = load_from(host, test_plugins(name));
    ASSERT_TRUE(errors.empty()) << errors[0].message;
    bool found = false;
    for (const nfx::PluginInfo& p : host.plugins()) {
      if (p.name == name) found = p.abi_minor == minor;
    }
    EXPECT_TRUE(found) << "plugin " << name << " with ABI 1." << minor;
    const nfx_node_type* t = host.node_type(name + ".scale");
    ASSERT_NE(t, nullptr);
    ASSERT_EQ(t->input_count, 2u);
    EXPECT_STREQ(t->inputs[1].name, "bias");
    EXPECT_EQ(t->inputs[1].flags, NFX_PORT_OPTIONAL);
    EXPECT_STREQ(t->outputs[0].name, "y");
    ASSERT_EQ(t->param_count, 2u);
    EXPECT_STREQ(t->params[1].name, "offset");
    EXPECT_EQ(t->params[1].default_float, 0.5);

    auto graph = host.parse_graph("[nodes.in]\ntype = \"host.input\"\nkind = \"scalar\"\n"
                                  "[nodes.scale]\ntype = \"" + name + ".scale\"\nfactor = 3.0\nin.x = \"in.value\"\n"
                                  "[nodes.out]\ntype = \"host.output\"\nin.value = \"scale.y\"\n", "g.toml");
    graph.feed("in", nfx::Value::scalar(2.0));
    double y = 0;
    nfx::RunOptions options;
    options.on_output = [&](const nfx::OutputEvent& e) { y = e.value.as_scalar(); };
    graph.run(options);
    EXPECT_EQ(y, 3.0 * 2.0 + 0.5);
  }
}

TEST(PluginLoading, RefusesDescriptorElementsSmallerThanAbi10s) {
  nfx::Host host(isolated());
  auto errors = load_from(host, test_plugins("small_elements"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("port_size 16"), std::string::npos) << errors[0].message;
  EXPECT_EQ(host.node_type("small_elements.scale"), nullptr);
}

TEST(PluginLoading, RefusesAPluginThatDeclaresANodeIdTwice) {
  nfx::Host host(isolated());
  auto errors = load_from(host, test_plugins("duplicate_ids"));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("declares 'duplicate_ids.scale' twice"), std::string::npos) << errors[0].message;
  EXPECT_EQ(host.node_type("duplicate_ids.scale"), nullptr);
}
