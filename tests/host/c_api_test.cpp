// The C embedding API end to end: load plugins, refuse a bad graph with its diagnostics, run a good one
// fed from memory and read its output.
#include "test_support.hpp"

#include <nfx/host.h>
#include <nfx/nfx.hpp>

#include <chrono>
#include <fstream>
#include <thread>

using namespace nfx::test;

namespace {

struct Collected {
  int calls = 0;
  float first = 0;
  int64_t elements = 0;
};

void collect(void* user, const char* node, int64_t item, const char*, const DLTensor* t) {
  auto* c = static_cast<Collected*>(user);
  ++c->calls;
  EXPECT_STREQ(node, "out");
  EXPECT_EQ(item, 0);
  ASSERT_NE(t, nullptr);
  c->elements = nfx::element_count(*t);
  c->first = nfx::data_ptr<float>(*t)[0];
}

}  // namespace

TEST(CApi, LoadRunFeedAndCollect) {
  TempDir dir;
  {
    std::ofstream(dir / "bad.toml") << "[nodes.x]\ntype = \"core.nope\"\n";
    std::ofstream(dir / "good.toml") << "[nodes.in]\ntype = \"host.input\"\n"
                                        "[nodes.id]\ntype = \"core.identity\"\nin.value = \"in.value\"\n"
                                        "[nodes.out]\ntype = \"host.output\"\nin.value = \"id.value\"\n";
  }
  nfx_host* host = nfx_host_create();
  ASSERT_NE(host, nullptr);
  ASSERT_EQ(nfx_host_add_plugin_path(host, NFX_TEST_PLUGIN_DIR), NFX_OK);
  ASSERT_EQ(nfx_host_load_plugins(host), NFX_OK) << nfx_host_last_error(host);

  EXPECT_EQ(nfx_graph_load(host, (dir / "bad.toml").c_str(), nullptr, 0), nullptr);
  EXPECT_NE(std::string(nfx_host_last_error(host)).find("bad.toml:2:8: node 'x': unknown node type 'core.nope'"),
            std::string::npos)
      << nfx_host_last_error(host);

  nfx_graph* graph = nfx_graph_load(host, (dir / "good.toml").c_str(), nullptr, 0);
  ASSERT_NE(graph, nullptr) << nfx_host_last_error(host);
  nfx::Tensor t(nfx::dtype_f32(), {2, 3});
  for (int i = 0; i < 6; ++i) t.data<float>()[i] = 7.0f + i;
  ASSERT_EQ(nfx_graph_feed(graph, "in", NFX_KIND_TENSOR, t.release()), NFX_OK);
  EXPECT_NE(nfx_graph_feed(graph, "id", NFX_KIND_TENSOR, nfx::Tensor(nfx::dtype_f32(), {1}).release()), NFX_OK);

  Collected c;
  ASSERT_EQ(nfx_graph_run(graph, 2, &collect, &c), NFX_OK) << nfx_host_last_error(host);
  EXPECT_EQ(c.calls, 1);
  EXPECT_EQ(c.elements, 6);
  EXPECT_FLOAT_EQ(c.first, 7.0f);
  nfx_graph_destroy(graph);
  nfx_host_destroy(host);
}

// nfx_graph_set_stop_grace: a run whose item never returns ends once the grace period after the stop is
// over (the stop comes a second after the run starts, when the one item is long inside the node).
TEST(CApi, AStopGracePeriodEndsARunWhoseItemHangs) {
  TempDir dir;
  std::ofstream(dir / "hang.toml") << "[nodes.src]\ntype = \"core.constant\"\ncount = 1\n"
                                      "[nodes.slow]\ntype = \"test.slow\"\nin.value = \"src.tensor\"\nms = 600000\nhang = true\n";
  nfx_host* host = nfx_host_create();
  ASSERT_EQ(nfx_host_add_plugin_path(host, NFX_TEST_PLUGIN_DIR), NFX_OK);
  ASSERT_EQ(nfx_host_add_plugin_path(host, test_plugins("test_nodes").c_str()), NFX_OK);
  ASSERT_EQ(nfx_host_load_plugins(host), NFX_OK) << nfx_host_last_error(host);
  nfx_graph* graph = nfx_graph_load(host, (dir / "hang.toml").c_str(), nullptr, 0);
  ASSERT_NE(graph, nullptr) << nfx_host_last_error(host);
  nfx_graph_set_stop_grace(graph, 0.2);
  std::thread stop([host] {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    nfx_host_cancel(host);
  });
  EXPECT_EQ(nfx_graph_run(graph, 1, nullptr, nullptr), NFX_ERR_CANCELLED);
  stop.join();
  EXPECT_NE(std::string(nfx_host_last_error(host)).find("items still running when the grace period ended"), std::string::npos)
      << nfx_host_last_error(host);
  nfx_graph_destroy(graph);
  nfx_host_destroy(host);
}
