// The C embedding API: thin wrappers that turn C++ exceptions into status codes and messages.
#include <nfx/host.h>
#include <nfx/host.hpp>

#include <memory>

struct nfx_host {
  std::unique_ptr<nfx::Host> host;
  std::string last_error;
};

struct nfx_graph {
  nfx_host* owner;
  nfx::Graph graph;
  double stop_grace_seconds = 0;  // nfx_graph_set_stop_grace
};

namespace {

template <typename F>
nfx_status guarded(nfx_host* host, F&& f) {
  try {
    f();
    return NFX_OK;
  } catch (const nfx::RunError& e) {
    host->last_error = e.what();
    return e.status();
  } catch (const std::bad_alloc&) {
    host->last_error = "out of memory";
    return NFX_ERR_OUT_OF_MEMORY;
  } catch (const std::exception& e) {
    host->last_error = e.what();
    return NFX_ERR_INVALID_ARGUMENT;
  }
}

}  // namespace

extern "C" {

nfx_host* nfx_host_create(void) {
  try {
    auto* h = new nfx_host;
    h->host = std::make_unique<nfx::Host>();
    return h;
  } catch (...) {
    return nullptr;
  }
}

void nfx_host_destroy(nfx_host* host) { delete host; }

const char* nfx_host_last_error(const nfx_host* host) { return host ? host->last_error.c_str() : "no host"; }

nfx_status nfx_host_add_plugin_path(nfx_host* host, const char* directory) {
  if (host == nullptr || directory == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  return guarded(host, [&] { host->host->add_plugin_path(directory); });
}

nfx_status nfx_host_load_plugins(nfx_host* host) {
  if (host == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  std::vector<nfx::PluginLoadError> errors;
  nfx_status status = guarded(host, [&] { errors = host->host->load_plugins(); });
  if (status != NFX_OK || errors.empty()) return status;
  host->last_error.clear();
  for (const nfx::PluginLoadError& e : errors) host->last_error += e.path + ": " + e.message + "\n";
  return NFX_ERR_INVALID_ARGUMENT;
}

nfx_graph* nfx_graph_load(nfx_host* host, const char* path, const char* const* overrides, size_t count) {
  if (host == nullptr || path == nullptr) return nullptr;
  nfx_graph* graph = nullptr;
  guarded(host, [&] {
    std::vector<std::string> sets;
    for (size_t i = 0; i < count; ++i) sets.emplace_back(overrides[i]);
    graph = new nfx_graph{host, host->host->load_graph(path, sets)};
  });
  return graph;
}

void nfx_graph_destroy(nfx_graph* graph) { delete graph; }

nfx_status nfx_graph_feed(nfx_graph* graph, const char* node_id, nfx_port_kind kind, DLManagedTensor* tensor) {
  if (graph == nullptr || node_id == nullptr || tensor == nullptr) {
    if (tensor != nullptr && tensor->deleter != nullptr) tensor->deleter(tensor);
    return NFX_ERR_INVALID_ARGUMENT;
  }
  nfx::Value value = nfx::Value::tensor(kind, tensor);  // owns it from here on
  return guarded(graph->owner, [&] { graph->graph.feed(node_id, std::move(value)); });
}

nfx_status nfx_graph_run(nfx_graph* graph, int threads, nfx_output_fn on_output, void* user) {
  if (graph == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  nfx::RunOptions options;
  options.threads = threads;
  options.stop_grace_seconds = graph->stop_grace_seconds;
  if (on_output != nullptr) {
    options.on_output = [on_output, user](const nfx::OutputEvent& e) {
      on_output(user, e.node.c_str(), e.item, e.item_name.c_str(), e.value.dl());
    };
  }
  return guarded(graph->owner, [&] { graph->graph.run(options); });
}

void nfx_graph_set_stop_grace(nfx_graph* graph, double seconds) {
  if (graph != nullptr) graph->stop_grace_seconds = seconds > 0 ? seconds : 0;
}

void nfx_host_cancel(nfx_host* host) {
  if (host != nullptr) host->host->cancel();
}

}  // extern "C"
