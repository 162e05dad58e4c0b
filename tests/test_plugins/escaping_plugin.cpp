// A plugin written against nfx.h alone (no nfx.hpp, so nothing catches for it) whose functions let C++
// exceptions escape across the C ABI: the host must turn each into an error, never std::terminate.
// NFX_TEST_THROW_FROM_ENTRY: nfx_plugin_entry itself throws (a second library).
#include <nfx/nfx.h>

#include <stdexcept>

namespace {

const nfx_host_api* host = nullptr;
int instance_tag;

nfx_status create_ok(nfx_context*, void** instance) {
  *instance = &instance_tag;
  return NFX_OK;
}
nfx_status create_throws_int(nfx_context*, void**) { throw 42; }
nfx_status process_throws(void*, nfx_context*) { throw std::runtime_error("boom in process"); }
nfx_status finish_throws(void*, nfx_context*) { throw std::logic_error("boom in finish"); }
nfx_status process_forward(void*, nfx_context* ctx) { return host->forward_input(ctx, 0, 0); }
void destroy(void*) {}

const nfx_port_desc kValue[] = {{"value", "", NFX_KIND_ANY, 0, -1, 0}};

const nfx_node_type kProcessThrows = {sizeof(nfx_node_type), "escaping.process", "process throws std::runtime_error",
                                      0, 1, kValue, 1, kValue, 0, nullptr, &create_ok, &process_throws, nullptr,
                                      &destroy, nullptr, sizeof(nfx_port_desc), sizeof(nfx_param_desc)};
const nfx_node_type kCreateThrows = {sizeof(nfx_node_type), "escaping.create", "create throws an int",
                                     0, 1, kValue, 1, kValue, 0, nullptr, &create_throws_int, &process_forward,
                                     nullptr, &destroy, nullptr, sizeof(nfx_port_desc), sizeof(nfx_param_desc)};
const nfx_node_type kFinishThrows = {sizeof(nfx_node_type), "escaping.finish", "finish throws std::logic_error",
                                     0, 1, kValue, 1, kValue, 0, nullptr, &create_ok, &process_forward,
                                     &finish_throws, &destroy, nullptr, sizeof(nfx_port_desc), sizeof(nfx_param_desc)};
const nfx_node_type* const kTypes[] = {&kProcessThrows, &kCreateThrows, &kFinishThrows};

nfx_status init(const nfx_host_api* api) {
  host = api;
  return NFX_OK;
}

const nfx_plugin_descriptor kDescriptor = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), "escaping",
                                           "1.0.0", "lets exceptions escape", 3, kTypes, &init};

}  // namespace

extern "C" NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) {
#ifdef NFX_TEST_THROW_FROM_ENTRY
  throw std::runtime_error("boom in nfx_plugin_entry");
#endif
  return &kDescriptor;
}
