// A plugin built with this SDK runs on a host of an older ABI minor: its init accepts the 1.0 host table,
// and it never calls a host function past the table's struct_size (set_error_param came in 1.1,
// thread_count in 1.2).
#include "test_support.hpp"

#include <nfx/nfx.h>

#include <dlfcn.h>

#include <cstddef>
#include <string>
#include <thread>

namespace {

// What the plugin called on our fake host.
std::string last_error;
int error_param_calls = 0;

void fake_set_error(nfx_context*, const char* message) { last_error = message; }
void fake_set_error_param(nfx_context*, const char*) { ++error_param_calls; }
int32_t fake_thread_count(nfx_context*) { return 7; }

const nfx_plugin_descriptor* load_plugin() {
  const std::string path = nfx::test::test_plugins("old_host") + "/nfx_old_host.so";
  void* library = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);  // kept loaded, as the host keeps plugins
  if (!library) return nullptr;
  auto entry = reinterpret_cast<nfx_plugin_entry_fn>(dlsym(library, NFX_PLUGIN_ENTRY_SYMBOL));
  return entry ? entry() : nullptr;
}

}  // namespace

TEST(OlderHosts, APluginOfThisSdkRunsOnA10HostWithoutTheAppendedFunctions) {
  const nfx_plugin_descriptor* plugin = load_plugin();
  ASSERT_NE(plugin, nullptr) << dlerror();
  static nfx_host_api host{};  // static: the plugin keeps the pointer
  host.abi_major = 1;
  host.abi_minor = 0;
  host.set_error = fake_set_error;
  host.set_error_param = fake_set_error_param;  // present in memory, but past a 1.0 table's end
  host.thread_count = fake_thread_count;        // past a 1.1 table's end
  const std::string every_core = std::to_string(std::max(1u, std::thread::hardware_concurrency()));

  host.struct_size = offsetof(nfx_host_api, set_error_param) - 8;  // smaller than any 1.x table
  EXPECT_EQ(plugin->init(&host), NFX_ERR_UNSUPPORTED);
  host.struct_size = offsetof(nfx_host_api, set_error_param);  // exactly the 1.0 table
  host.abi_major = 2;
  EXPECT_EQ(plugin->init(&host), NFX_ERR_UNSUPPORTED) << "another major";
  host.abi_major = 1;
  ASSERT_EQ(plugin->init(&host), NFX_OK);

  ASSERT_EQ(plugin->node_type_count, 1u);
  void* instance = nullptr;
  EXPECT_EQ(plugin->node_types[0]->create(nullptr, &instance), NFX_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(last_error, "level does not fit; threads " + every_core);
  EXPECT_EQ(error_param_calls, 0) << "called a function a 1.0 host does not have";

  host.struct_size = offsetof(nfx_host_api, thread_count);  // a 1.1 host: now the parameter is named
  ASSERT_EQ(plugin->init(&host), NFX_OK);
  EXPECT_EQ(plugin->node_types[0]->create(nullptr, &instance), NFX_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(error_param_calls, 1);
  EXPECT_EQ(last_error, "level does not fit; threads " + every_core) << "called a function a 1.1 host does not have";

  host.struct_size = sizeof(nfx_host_api);  // a 1.2 host: the thread count comes from the host
  ASSERT_EQ(plugin->init(&host), NFX_OK);
  EXPECT_EQ(plugin->node_types[0]->create(nullptr, &instance), NFX_ERR_INVALID_ARGUMENT);
  EXPECT_EQ(last_error, "level does not fit; threads 7");
}
