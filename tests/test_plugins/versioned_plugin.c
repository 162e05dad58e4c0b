/* One node, NAME.scale (y = factor * x + offset + bias), built against several SDKs (see CMakeLists.txt):
 * the frozen nfx.h of 1.0 and 1.1, this SDK, and this SDK with descriptor arrays of a later, larger element
 * size (FUTURE_ELEMENTS: each element carries fields a future minor version might append) or of a size
 * smaller than 1.0's (SMALL_ELEMENTS: the host must refuse it), or declaring its node twice (DUPLICATE_IDS). Two inputs and two parameters, so that an
 * array walked with the wrong element size gives wrong names and defaults. */
#include <nfx/nfx.h>

#include <stdlib.h>

#if defined(FUTURE_ELEMENTS)
#define FILL 0x5a5a5a5a5a5a5a5aull /* read as a name or a kind, it would fail loudly */
typedef struct { nfx_port_desc known; uint64_t appended[3]; } port_element;
typedef struct { nfx_param_desc known; uint64_t appended[2]; } param_element;
#define PORT(...) {{__VA_ARGS__}, {FILL, FILL, FILL}}
#define PARAM(...) {{__VA_ARGS__}, {FILL, FILL}}
#else
typedef nfx_port_desc port_element;
typedef nfx_param_desc param_element;
#define PORT(...) {__VA_ARGS__}
#define PARAM(...) {__VA_ARGS__}
#endif

static const nfx_host_api* host;

typedef struct {
  double factor, offset;
} scale;

static nfx_status create(nfx_context* ctx, void** instance) {
  scale* s = (scale*)malloc(sizeof(scale));
  if (s == NULL) return NFX_ERR_OUT_OF_MEMORY;
  if (host->param_float(ctx, "factor", &s->factor) != NFX_OK || host->param_float(ctx, "offset", &s->offset) != NFX_OK) {
    free(s);
    host->set_error(ctx, "missing parameter");
    return NFX_ERR_INVALID_ARGUMENT;
  }
  *instance = s;
  return NFX_OK;
}

static nfx_status process(void* instance, nfx_context* ctx) {
  const scale* s = (const scale*)instance;
  double x = 0, bias = 0;
  if (host->input_scalar(ctx, 0, &x) != NFX_OK) return NFX_ERR_INVALID_ARGUMENT;
  if (host->input_scalar(ctx, 1, &bias) != NFX_OK) bias = 0; /* optional, unconnected */
  return host->output_scalar(ctx, 0, s->factor * x + s->offset + bias);
}

static void destroy(void* instance) { free(instance); }

static const port_element inputs[] = {
    PORT("x", "value", NFX_KIND_SCALAR, 0, -1, 0),
    PORT("bias", "added when connected", NFX_KIND_SCALAR, 0, -1, NFX_PORT_OPTIONAL),
};
static const port_element outputs[] = {PORT("y", "factor * x + offset + bias", NFX_KIND_SCALAR, 0, -1, 0)};
static const param_element params[] = {
    PARAM("factor", "multiplier", NFX_PARAM_FLOAT, 0, 0, 2.0, NULL, 1, 0, NULL),
    PARAM("offset", "added", NFX_PARAM_FLOAT, 0, 0, 0.5, NULL, 1, 0, NULL),
};

static const nfx_node_type scale_type = {
    .struct_size = sizeof(nfx_node_type),
    .id = NFX_TEST_PLUGIN_NAME ".scale",
    .doc = "y = factor * x + offset + bias",
    .flags = NFX_NODE_REENTRANT,
    .input_count = 2,
    .inputs = (const nfx_port_desc*)inputs,
    .output_count = 1,
    .outputs = (const nfx_port_desc*)outputs,
    .param_count = 2,
    .params = (const nfx_param_desc*)params,
    .create = create,
    .process = process,
    .destroy = destroy,
#if defined(FUTURE_ELEMENTS)
    .port_size = sizeof(port_element),
    .param_size = sizeof(param_element),
#elif defined(SMALL_ELEMENTS)
    .port_size = 16,
    .param_size = sizeof(nfx_param_desc),
#endif
};

#if defined(DUPLICATE_IDS)
static const nfx_node_type* const types[] = {&scale_type, &scale_type}; /* the host must refuse it */
#else
static const nfx_node_type* const types[] = {&scale_type};
#endif

static nfx_status init(const nfx_host_api* api) {
  host = api;
  return NFX_OK;
}

static const nfx_plugin_descriptor descriptor = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor),
                                                 NFX_TEST_PLUGIN_NAME, "1.0.0", "versioned test plugin",
                                                 sizeof types / sizeof types[0], types,
                                                 init};

NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void) { return &descriptor; }
