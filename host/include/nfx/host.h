/*
 * C embedding API of libnfx_host. Every function returns an nfx_status or a pointer that is NULL on
 * failure; the message of the last failure on a host is nfx_host_last_error(). See host.hpp for the
 * C++ API these wrap.
 *
 * Threading: nfx_host_cancel may be called from any thread (also a signal handler). Everything else on
 * one host from one thread at a time.
 */
#ifndef NFX_HOST_H
#define NFX_HOST_H

#include <nfx/nfx.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct nfx_host nfx_host;
typedef struct nfx_graph nfx_graph;

/* A new host with the built-in nodes and no plugins loaded yet. */
nfx_host* nfx_host_create(void);
void nfx_host_destroy(nfx_host* host);

/* The message of the last failed call on host (all diagnostics for a graph, one per line). Valid until
 * the next call on host. */
const char* nfx_host_last_error(const nfx_host* host);

nfx_status nfx_host_add_plugin_path(nfx_host* host, const char* directory);
/* Loads plugins from the plugin paths, NFX_PLUGIN_PATH, then the install directory. Returns NFX_OK when
 * every library found loaded; otherwise NFX_ERR_INVALID_ARGUMENT and the refusals in last_error (the
 * other libraries are loaded all the same). */
nfx_status nfx_host_load_plugins(nfx_host* host);

/* Parses and validates a graph file. overrides: "node.param=value" or "variable=value", may be NULL when
 * count is 0. NULL on failure, with every problem as "file:line:col: message" lines in last_error. The
 * graph must be destroyed before its host. */
nfx_graph* nfx_graph_load(nfx_host* host, const char* path, const char* const* overrides, size_t count);
void nfx_graph_destroy(nfx_graph* graph);

/* Queues a tensor for the host.input node node_id; takes ownership of tensor in every case. kind is an
 * NFX_KIND_* value. */
nfx_status nfx_graph_feed(nfx_graph* graph, const char* node_id, nfx_port_kind kind, DLManagedTensor* tensor);

/* Called for each value a host.output node receives; the tensor is borrowed for the call (NULL for
 * scalars and texts). Calls are serialized. */
typedef void (*nfx_output_fn)(void* user, const char* node_id, int64_t item, const char* item_name,
                              const DLTensor* tensor);

/* Runs the graph to the end of its stream with `threads` workers (0 = every core). Blocks. */
nfx_status nfx_graph_run(nfx_graph* graph, int threads, nfx_output_fn on_output, void* user);

/* Once a stop is asked, how long nfx_graph_run waits for items in progress (seconds; 0, the default: as
 * long as they take). An item still running then is left running in the background: nfx_graph_run
 * returns NFX_ERR_CANCELLED ("items still running when the grace period ended"), calls on_output no
 * more, and the graph cannot run again (RunOptions::stop_grace_seconds in host.hpp). */
void nfx_graph_set_stop_grace(nfx_graph* graph, double seconds);
/* Asks running graphs of this host to stop; nfx_graph_run then returns NFX_ERR_CANCELLED. */
void nfx_host_cancel(nfx_host* host);

#ifdef __cplusplus
}
#endif

#endif /* NFX_HOST_H */
