#include "builtin_nodes.hpp"

#include "host_api.hpp"
#include "scheduler.hpp"

namespace nfx::detail {

namespace {

// Both built-ins keep no state of their own: the run holds the feeds and the output callback.
int g_instance_tag;

nfx_status create(nfx_context*, void** instance) {
  *instance = &g_instance_tag;
  return NFX_OK;
}
void destroy(void*) {}

nfx_status input_process(void*, nfx_context* ctx) {
  Value value;
  if (!ctx->run->next_fed_value(ctx->node->id, value)) {
    ctx->end_of_stream = true;
    return NFX_OK;
  }
  *ctx->item_name = ctx->node->id + "#" + std::to_string(ctx->item_index);
  ctx->outputs[0] = std::move(value);
  return NFX_OK;
}

nfx_status output_process(void*, nfx_context* ctx) {
  ctx->run->emit_output(ctx->node->id, ctx->item_index, *ctx->item_name, *ctx->inputs[0]);
  return NFX_OK;
}

const nfx_port_desc kValuePort[] = {{"value", "the value", NFX_KIND_ANY, 0, -1, 0}};

const nfx_param_desc kInputParams[] = {{"kind", "kind of the values fed: image, tensor, boxes, mask, scalar or text",
                                        NFX_PARAM_STRING, 0, 0, 0, "tensor", 1, 0,
                                        "image|tensor|boxes|mask|scalar|text"}};

const nfx_node_type kInput = {
    sizeof(nfx_node_type), "host.input",
    "Emits the values the embedding program passes to Graph::feed (C: nfx_graph_feed), one item each.",
    0, 0, nullptr, 1, kValuePort, 1, kInputParams, &create, &input_process, nullptr, &destroy, nullptr,
    sizeof(nfx_port_desc), sizeof(nfx_param_desc)};

const nfx_node_type kOutput = {
    sizeof(nfx_node_type), "host.output",
    "Hands every value it receives to the embedding program (RunOptions::on_output, C: the run callback).",
    NFX_NODE_REENTRANT, 1, kValuePort, 0, nullptr, 0, nullptr, &create, &output_process, nullptr, &destroy, nullptr,
    sizeof(nfx_port_desc), sizeof(nfx_param_desc)};

const nfx_node_type* const kTypes[] = {&kInput, &kOutput};

const nfx_plugin_descriptor kPlugin = {NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), "host",
                                       "0.1.0", "Nodes built into the host for embedding programs", 2, kTypes,
                                       nullptr};

}  // namespace

const nfx_plugin_descriptor* builtin_plugin() { return &kPlugin; }

bool is_graph_input(const nfx_node_type& type) { return type.process == &input_process; }

}  // namespace nfx::detail
