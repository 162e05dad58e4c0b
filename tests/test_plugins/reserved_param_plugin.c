/* A plugin whose node declares a parameter named like a node key the host reserves ("state"): a graph could
 * never set it, so the host must refuse the plugin, naming the parameter. */
#include "noop_node.h"

static const nfx_param_desc params[] = {
    {"state", "clashes with the node key that loads learned state", NFX_PARAM_STRING, 0, 0, 0.0, "", 1.0, 0.0, 0}};

static const nfx_node_type node = {sizeof(nfx_node_type), "reserved.node", "a node with a reserved parameter name", 0,
                                   0, 0, 0, 0, 1, params, noop_create, noop_process, 0, noop_destroy, 0,
                                   sizeof(nfx_port_desc), sizeof(nfx_param_desc)};
static const nfx_node_type* const nodes[] = {&node};

static const nfx_plugin_descriptor descriptor = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), "reserved",
                                                 "1.0.0", "declares a reserved parameter name", 1, nodes, 0};

NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) { return &descriptor; }
