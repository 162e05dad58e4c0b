/*
 * nfx plugin ABI, version 1.
 *
 * The only contract between the nfx host and a plugin. C only, so any compiler and language can build a
 * plugin. Rules (see docs/plugin-guide.md):
 *   - A plugin exports exactly one symbol, nfx_plugin_entry, returning a const nfx_plugin_descriptor.
 *   - Same major = compatible. A minor release only appends fields, and only at the end of a struct that
 *     starts with its size (nfx_plugin_descriptor and nfx_host_api with {abi_major, abi_minor,
 *     struct_size}; nfx_node_type and the extension tables with struct_size); a reader checks the size
 *     before touching an appended field. Array elements carry no size of their own: the struct that
 *     holds the array gives it (nfx_node_type.port_size and param_size for nfx_port_desc and
 *     nfx_param_desc), so a host walks arrays of any later size. Layouts of v1 are frozen by the static
 *     asserts at the end of this file.
 *   - A new capability of a node is an extension looked up by string id (NFX_EXT_*), never a new field of
 *     nfx_node_type. A new service of the host is a function appended to nfx_host_api (set_error_param in
 *     1.1, thread_count in 1.2), which a plugin uses only after checking struct_size.
 *   - Every call returns an nfx_status. No C++ exception, no C++ type and no allocator ownership crosses.
 *   - Tensors cross as DLPack (0.6) DLTensor / DLManagedTensor: the producer's deleter frees.
 *
 * Threading and lifetime are written beside each function and field with these tags (grep for them):
 *   [any-thread]       called from any thread, also concurrently with other calls
 *   [one-at-a-time]    the host serializes calls on the same instance (unless NFX_NODE_REENTRANT is set)
 *   [alone]            no other call on the same graph runs meanwhile
 *   [loading-thread]   called on the thread that loads the plugin, before anything else
 *   [call-lifetime]    a pointer that stays valid until the call in progress returns
 *   [create-lifetime]  a pointer that stays valid until create returns
 *   [plugin-lifetime]  static: lives as long as the plugin (plugins are never unloaded)
 *   [host-lifetime]    lives as long as the process
 *   [copied]           the receiver copies the string; the caller keeps ownership
 *   [takes-ownership]  the receiver owns the object afterwards, also when the call fails
 *   [read-only]        memory the node must not write: other nodes share it
 *   [since-1.1], [since-1.2]  appended in that minor version: check struct_size before use
 */
#ifndef NFX_NFX_H
#define NFX_NFX_H

#include <stddef.h>
#include <stdint.h>

#include <dlpack/dlpack.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NFX_ABI_MAJOR 1
#define NFX_ABI_MINOR 2

/* Name of the one symbol a plugin exports. */
#define NFX_PLUGIN_ENTRY_SYMBOL "nfx_plugin_entry"

#if defined(_WIN32)
#define NFX_EXPORT __declspec(dllexport)
#else
#define NFX_EXPORT __attribute__((visibility("default")))
#endif

/* ---- status codes ------------------------------------------------------------------------------ */

typedef int32_t nfx_status;
#define NFX_OK 0
#define NFX_ERR_INVALID_ARGUMENT 1 /* bad parameter, bad input tensor, wrong port index */
#define NFX_ERR_IO 2               /* a file could not be read or written */
#define NFX_ERR_CANCELLED 3        /* the host asked to stop (nfx_host_api.cancelled) */
#define NFX_ERR_UNSUPPORTED 4      /* the request is valid but this node cannot do it */
#define NFX_ERR_OUT_OF_MEMORY 5
#define NFX_ERR_INTERNAL 6 /* a bug: an exception or state the node did not expect */

/* ---- what flows along edges -------------------------------------------------------------------- */

/* Port kinds. Images are HWC uint8 (RGB, RGBA or gray), tensors are NCHW (usually float), boxes are
 * N x 5 float32 rows (x, y, width, height, score) in pixels, optionally with a sixth column holding a
 * class index (what the classes are is documented by the node's port), masks are HW uint8 (0 or 255). */
typedef uint32_t nfx_port_kind;
#define NFX_KIND_ANY 0 /* input: accepts every kind; output: same kind as the node's first input */
#define NFX_KIND_IMAGE 1
#define NFX_KIND_TENSOR 2
#define NFX_KIND_BOXES 3
#define NFX_KIND_MASK 4
#define NFX_KIND_SCALAR 5 /* a double */
#define NFX_KIND_TEXT 6   /* a UTF-8 string */

/* Allowed element types of a tensor port, as a bit mask; 0 means any. */
typedef uint32_t nfx_dtype_mask;
#define NFX_DTYPE_U8 (1u << 0)
#define NFX_DTYPE_I8 (1u << 1)
#define NFX_DTYPE_U16 (1u << 2)
#define NFX_DTYPE_I16 (1u << 3)
#define NFX_DTYPE_I32 (1u << 4)
#define NFX_DTYPE_I64 (1u << 5)
#define NFX_DTYPE_F16 (1u << 6)
#define NFX_DTYPE_BF16 (1u << 7)
#define NFX_DTYPE_F32 (1u << 8)
#define NFX_DTYPE_F64 (1u << 9)
#define NFX_DTYPE_BOOL (1u << 10)

/* ---- static descriptors ------------------------------------------------------------------------ */

/* Descriptors are [plugin-lifetime]. A later minor version may append fields to nfx_port_desc and
 * nfx_param_desc; the node type says how large its elements are (port_size, param_size), so a host
 * walks the arrays of any later size. */
typedef struct nfx_port_desc {
  const char* name; /* unique among the node's inputs (or outputs); [a-z0-9_]+ */
  const char* doc;
  nfx_port_kind kind;
  nfx_dtype_mask dtypes; /* tensor-like kinds only; 0 = any */
  int32_t rank;          /* tensor-like kinds only; -1 = any */
  uint32_t flags;        /* NFX_PORT_* */
} nfx_port_desc;

#define NFX_PORT_OPTIONAL (1u << 0) /* an input that may be left unconnected */

typedef uint32_t nfx_param_type;
#define NFX_PARAM_BOOL 1
#define NFX_PARAM_INT 2
#define NFX_PARAM_FLOAT 3 /* a TOML integer is accepted too */
#define NFX_PARAM_STRING 4

/* Keys of a graph's node table that the host reads itself (the node type, its inputs, and the extensions
 * a graph asks for: invert, state, on_error), separated by '|'. A parameter may not have one of these
 * names: the host refuses such a plugin at loading (a graph could never set the parameter). */
#define NFX_RESERVED_NODE_KEYS "type|in|invert|state|on_error"

typedef struct nfx_param_desc {
  const char* name; /* [a-z0-9_]+, not one of NFX_RESERVED_NODE_KEYS */
  const char* doc;
  nfx_param_type type;
  uint32_t flags;         /* NFX_PARAM_* */
  int64_t default_int;    /* BOOL (0 or 1) and INT */
  double default_float;   /* FLOAT */
  const char* default_string; /* STRING; may be NULL for "" */
  double min, max;        /* inclusive range of INT and FLOAT; ignored when min > max */
  const char* choices;    /* STRING: allowed values separated by '|'; NULL = any string */
} nfx_param_desc;

#define NFX_PARAM_REQUIRED (1u << 0) /* the graph must set it; the default is ignored */

/* Opaque, host-owned. Passed to create, process and finish; valid only during that call. */
typedef struct nfx_context nfx_context;

typedef struct nfx_node_type {
  uint32_t struct_size; /* sizeof(nfx_node_type) as the plugin was built */
  const char* id;       /* "plugin.node", unique across all loaded plugins */
  const char* doc;
  uint32_t flags; /* NFX_NODE_* */
  uint32_t input_count;
  const nfx_port_desc* inputs; /* input_count elements of port_size bytes */
  uint32_t output_count;
  const nfx_port_desc* outputs; /* output_count elements of port_size bytes */
  uint32_t param_count;
  const nfx_param_desc* params; /* param_count elements of param_size bytes */

  /* Creates one instance for one graph run. Reads parameters through the host API. May load models.
   * [any-thread] [alone]. On failure set an error message with nfx_host_api.set_error and leave
   * *instance untouched. */
  nfx_status (*create)(nfx_context* ctx, void** instance);

  /* Processes one item: reads inputs and writes outputs through the host API.
   * A node without inputs is a source: each call emits the next item, or calls end_of_stream.
   * [any-thread] [one-at-a-time]. */
  nfx_status (*process)(void* instance, nfx_context* ctx);

  /* Optional (may be NULL). Called once after the last item of a successful run, e.g. to close and
   * publish a video file. Not called when a run fails or is cancelled. [any-thread] [alone]. */
  nfx_status (*finish)(void* instance, nfx_context* ctx);

  /* Frees the instance. Never fails. [any-thread], after every other call on the instance returned. */
  void (*destroy)(void* instance);

  /* Optional (may be NULL). Returns the extension table with the given id (NFX_EXT_*) or NULL.
   * The table is [plugin-lifetime]. [any-thread]. */
  const void* (*extension)(const char* id);

  /* [since-1.2] sizeof(nfx_port_desc) and sizeof(nfx_param_desc) as the plugin was built; 0 = the 1.0
   * sizes (32 and 72 bytes on LP64). A host reads only the fields it knows of each element. */
  uint32_t port_size;
  uint32_t param_size;
} nfx_node_type;

/* Run process concurrently for different items on one instance. */
#define NFX_NODE_REENTRANT (1u << 0)
/* Receive items one at a time in stream order (e.g. a video writer). Implies not reentrant. */
#define NFX_NODE_ORDERED (1u << 1)

struct nfx_host_api;

typedef struct nfx_plugin_descriptor {
  uint32_t abi_major; /* NFX_ABI_MAJOR the plugin was built with */
  uint32_t abi_minor;
  uint32_t struct_size; /* sizeof(nfx_plugin_descriptor) as the plugin was built */
  const char* name;     /* "io"; the prefix of its node ids */
  const char* version;  /* the plugin's own version, "MAJOR.MINOR.PATCH" */
  const char* doc;
  uint32_t node_type_count;
  const nfx_node_type* const* node_types;
  /* Called once after loading, before anything else. Cheap: no model loading, no threads.
   * The host API table is [host-lifetime]. [loading-thread]. */
  nfx_status (*init)(const struct nfx_host_api* host);
} nfx_plugin_descriptor;

/* The one exported symbol. The descriptor and everything it points to are [plugin-lifetime]. */
typedef const nfx_plugin_descriptor* (*nfx_plugin_entry_fn)(void);

/* ---- the host API table ------------------------------------------------------------------------ */

typedef int32_t nfx_log_level;
#define NFX_LOG_DEBUG 0
#define NFX_LOG_INFO 1
#define NFX_LOG_WARNING 2
#define NFX_LOG_ERROR 3

/* Given to init, [host-lifetime]. Append-only: a field added in a later minor release lies past
 * struct_size of an older host, so a plugin checks struct_size before calling it. Every function is
 * [any-thread]; the ones taking ctx only with the context of the call in progress. */
typedef struct nfx_host_api {
  uint32_t abi_major;
  uint32_t abi_minor;
  uint32_t struct_size;
  uint32_t reserved;

  /* Diagnostics. The message is [copied]. */
  void (*log)(nfx_context* ctx, nfx_log_level level, const char* message);
  /* Sets the message the host shows when the current call returns a non-OK status. [copied] */
  void (*set_error)(nfx_context* ctx, const char* message);
  /* Progress of long work inside one call (e.g. training epochs). total <= 0: unknown. */
  void (*progress)(nfx_context* ctx, double done, double total);
  /* Non-zero once the user asked to stop; long work polls it and returns NFX_ERR_CANCELLED. */
  int32_t (*cancelled)(nfx_context* ctx);

  /* Memory for tensors that other nodes may free (via the tensor's deleter) on other threads.
   * alignment: a power of two, at most 4096. Returns NULL when out of memory. */
  void* (*alloc)(size_t size, size_t alignment);
  void (*free)(void* pointer);

  /* Parameters: valid during create. A string is [create-lifetime]. Returns
   * NFX_ERR_INVALID_ARGUMENT for an unknown name or a name of another type. Values are already
   * type- and range-checked against the descriptor. */
  nfx_status (*param_bool)(nfx_context* ctx, const char* name, int32_t* value);
  nfx_status (*param_int)(nfx_context* ctx, const char* name, int64_t* value);
  nfx_status (*param_float)(nfx_context* ctx, const char* name, double* value);
  nfx_status (*param_string)(nfx_context* ctx, const char* name, const char** value);

  /* Inputs: valid during process, [call-lifetime] and [read-only] (the producer and other consumers
   * share them; copy before changing). An unconnected optional input gives NFX_ERR_INVALID_ARGUMENT and
   * *value = NULL. */
  nfx_status (*input_tensor)(nfx_context* ctx, uint32_t port, const DLTensor** value);
  nfx_status (*input_scalar)(nfx_context* ctx, uint32_t port, double* value);
  nfx_status (*input_text)(nfx_context* ctx, uint32_t port, const char** value);

  /* Outputs: valid during process. output_tensor [takes-ownership] (when it fails it calls the
   * deleter). output_text: [copied]. forward_input passes an input on unchanged, without a copy. */
  nfx_status (*output_tensor)(nfx_context* ctx, uint32_t port, DLManagedTensor* value);
  nfx_status (*output_scalar)(nfx_context* ctx, uint32_t port, double value);
  nfx_status (*output_text)(nfx_context* ctx, uint32_t port, const char* value);
  nfx_status (*forward_input)(nfx_context* ctx, uint32_t output_port, uint32_t input_port);

  /* Items. Every item has an index (0, 1, ...) and a name that sources set (e.g. "photos/a.jpg") and
   * sinks use to name their outputs. The name string is [call-lifetime]. */
  int64_t (*item_index)(nfx_context* ctx);
  const char* (*item_name)(nfx_context* ctx);
  /* Sources only, during process. */
  void (*set_item_name)(nfx_context* ctx, const char* name);
  void (*set_item_count)(nfx_context* ctx, int64_t total); /* for progress; -1 = unknown */
  void (*end_of_stream)(nfx_context* ctx);                 /* no item this call, and none after */

  /* The node's id in the graph ("resize"), [call-lifetime]. */
  const char* (*node_id)(nfx_context* ctx);

  /* [since-1.1] Names the parameter the error of the current call is about (e.g. two parameters that
   * do not fit together), so the host reports it at that parameter's line in the graph file. [copied] */
  void (*set_error_param)(nfx_context* ctx, const char* name);

  /* [since-1.2] The number of threads the run may use: `nfx run -j`, else the graph's
   * [graph] threads, else every core. It sizes a node's own parallel work (LibTorch's intra-op
   * threads, OpenMP). Process-wide settings are applied once, in create, by the first node that needs
   * them, and never changed while other nodes run (docs/plugin-guide.md, "Threads"). */
  int32_t (*thread_count)(nfx_context* ctx);
} nfx_host_api;

/* ---- extensions -------------------------------------------------------------------------------- */

/* An invertible node: a bijection from its inputs to its outputs (same port order). */
#define NFX_EXT_INVERTIBLE "nfx.invertible.v1"
typedef struct nfx_invertible_v1 {
  uint32_t struct_size;
  /* Maps outputs back to inputs: in ctx, input port i carries the node's output i and output port i
   * receives the node's input i. [any-thread] [one-at-a-time], as for process. */
  nfx_status (*inverse)(void* instance, nfx_context* ctx);
  /* log|det J| of the forward map at the inputs in ctx, one value per batch element: a float64 tensor
   * of shape [N], owned by the caller afterwards. */
  nfx_status (*log_det)(void* instance, nfx_context* ctx, DLManagedTensor** value);
} nfx_invertible_v1;

/* A node with learned state (weights, optimizer moments) that can be saved and restored. */
#define NFX_EXT_TRAINABLE "nfx.trainable.v1"
typedef struct nfx_trainable_v1 {
  uint32_t struct_size;
  /* Writes the whole state to the file at path. The host passes a temporary path and renames it into
   * place only after NFX_OK, so a failed save never replaces the previous state. [alone] */
  nfx_status (*save_state)(void* instance, nfx_context* ctx, const char* path);
  /* Replaces the state with the one saved at path. [alone] */
  nfx_status (*load_state)(void* instance, nfx_context* ctx, const char* path);
} nfx_trainable_v1;

/* A node that reports facts about one instance: the model it loaded, its parameter counts. `nfx inspect`
 * prints them (docs/plugin-guide.md, "Describing an instance"). Key and value are [copied]. */
#define NFX_EXT_DESCRIBABLE "nfx.describable.v1"
typedef void (*nfx_fact_fn)(void* user, const char* key, const char* value);
typedef struct nfx_describable_v1 {
  uint32_t struct_size;
  /* Calls fact(user, key, value) once per fact, in the order they are shown, e.g. ("parameters",
   * "2,150,339"). [alone], after create. */
  nfx_status (*describe)(void* instance, nfx_context* ctx, nfx_fact_fn fact, void* user);
} nfx_describable_v1;

/* ---- frozen v1 layouts (LP64) ------------------------------------------------------------------ */

#ifdef __cplusplus
#define NFX_STATIC_ASSERT(cond, msg) static_assert(cond, msg)
#else
#define NFX_STATIC_ASSERT(cond, msg) _Static_assert(cond, msg)
#endif

#if UINTPTR_MAX == 0xFFFFFFFFFFFFFFFFu
NFX_STATIC_ASSERT(sizeof(nfx_port_desc) == 32, "nfx_port_desc v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_port_desc, flags) == 28, "nfx_port_desc v1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_param_desc) == 72, "nfx_param_desc v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_param_desc, choices) == 64, "nfx_param_desc v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_node_type, port_size) == 112, "nfx_node_type v1.1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_node_type) == 120, "nfx_node_type v1.2 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_node_type, create) == 72, "nfx_node_type v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_node_type, extension) == 104, "nfx_node_type v1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_plugin_descriptor) == 64, "nfx_plugin_descriptor v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_plugin_descriptor, init) == 56, "nfx_plugin_descriptor v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, log) == 16, "nfx_host_api v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, param_bool) == 64, "nfx_host_api v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, input_tensor) == 96, "nfx_host_api v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, item_index) == 152, "nfx_host_api v1 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, set_error_param) == 200, "nfx_host_api v1.0 layout changed");
NFX_STATIC_ASSERT(offsetof(nfx_host_api, thread_count) == 208, "nfx_host_api v1.1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_host_api) == 216, "nfx_host_api v1.2 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_invertible_v1) == 24, "nfx_invertible_v1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_trainable_v1) == 24, "nfx_trainable_v1 layout changed");
NFX_STATIC_ASSERT(sizeof(nfx_describable_v1) == 16, "nfx_describable_v1 layout changed");
#endif

/* The entry point every plugin defines (with NFX_EXPORT). */
NFX_EXPORT const nfx_plugin_descriptor* nfx_plugin_entry(void);

#ifdef __cplusplus
}
#endif

#endif /* NFX_NFX_H */
