/* nfx.h must compile as plain C11 (the static asserts freeze the v1 layouts there too). */
#include <nfx/nfx.h>

size_t nfx_test_c_sizeof_host_api(void) { return sizeof(nfx_host_api); }
size_t nfx_test_c_sizeof_node_type(void) { return sizeof(nfx_node_type); }
size_t nfx_test_c_sizeof_plugin_descriptor(void) { return sizeof(nfx_plugin_descriptor); }
