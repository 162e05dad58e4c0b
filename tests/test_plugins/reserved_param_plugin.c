/* A plugin whose node declares a parameter named like a node key the host reserves ("state"): a graph could
 * never set it, so the host must refuse the plugin, naming the parameter. */
#include <nfx/nfx.h>

static nfx_status create(nfx_context* ctx, void** instance) {
  (void)ctx;
  *instance = 0;
  return NFX_OK;
}
static nfx_status process(void* instance, nfx_context* ctx) {
  (void)instance;
  (void)ctx;
  return NFX_OK;
}
static void destroy(void* instance) { (void)instance; }

static const nfx_param_desc params[] = {
    {"state", "clashes with the node key that loads learned state", NFX_PARAM_STRING, 0, 0, 0.0, "", 1.0, 0.0, 0}};

static const nfx_node_type node = {sizeof(nfx_node_type), "reserved.node", "a node with a reserved parameter name", 0,
                                   0, 0, 0, 0, 1, params, create, process, 0, destroy, 0,
                                   sizeof(nfx_port_desc), sizeof(nfx_param_desc)};
static const nfx_node_type* const nodes[] = {&node};

static const nfx_plugin_descriptor descriptor = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), "reserved",
                                                 "1.0.0", "declares a reserved parameter name", 1, nodes, 0};

NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) { return &descriptor; }
