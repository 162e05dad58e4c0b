// The nfx_host_api table: what a plugin can ask of the host, checked against the call in progress.
#include "host_api.hpp"

#include "scheduler.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <thread>

namespace nfx::detail {

namespace {

nfx_status fail(nfx_context* ctx, const std::string& message) {
  if (ctx != nullptr) ctx->error = message;
  return NFX_ERR_INVALID_ARGUMENT;
}

const ParamValue* find_param(nfx_context* ctx, const char* name, nfx_param_type type) {
  if (ctx == nullptr || ctx->params == nullptr || name == nullptr) return nullptr;
  auto it = ctx->params->find(name);
  if (it == ctx->params->end() || it->second.type != type) return nullptr;
  return &it->second;
}

nfx_status param_bool(nfx_context* ctx, const char* name, int32_t* value) {
  const ParamValue* p = find_param(ctx, name, NFX_PARAM_BOOL);
  if (p == nullptr || value == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = p->integer != 0;
  return NFX_OK;
}
nfx_status param_int(nfx_context* ctx, const char* name, int64_t* value) {
  const ParamValue* p = find_param(ctx, name, NFX_PARAM_INT);
  if (p == nullptr || value == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = p->integer;
  return NFX_OK;
}
nfx_status param_float(nfx_context* ctx, const char* name, double* value) {
  const ParamValue* p = find_param(ctx, name, NFX_PARAM_FLOAT);
  if (p == nullptr || value == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = p->real;
  return NFX_OK;
}
nfx_status param_string(nfx_context* ctx, const char* name, const char** value) {
  const ParamValue* p = find_param(ctx, name, NFX_PARAM_STRING);
  if (p == nullptr || value == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = p->text.c_str();
  return NFX_OK;
}

const Value* input_at(nfx_context* ctx, uint32_t port) {
  if (ctx == nullptr || ctx->inputs == nullptr || port >= ctx->input_count) return nullptr;
  return ctx->inputs[port];
}

nfx_status input_tensor(nfx_context* ctx, uint32_t port, const DLTensor** value) {
  if (value == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = nullptr;
  const Value* v = input_at(ctx, port);
  if (v == nullptr || v->dl() == nullptr) return NFX_ERR_INVALID_ARGUMENT;
  *value = v->dl();
  return NFX_OK;
}
nfx_status input_scalar(nfx_context* ctx, uint32_t port, double* value) {
  const Value* v = input_at(ctx, port);
  if (v == nullptr || value == nullptr || v->kind() != NFX_KIND_SCALAR) return NFX_ERR_INVALID_ARGUMENT;
  *value = v->as_scalar();
  return NFX_OK;
}
nfx_status input_text(nfx_context* ctx, uint32_t port, const char** value) {
  const Value* v = input_at(ctx, port);
  if (v == nullptr || value == nullptr || v->kind() != NFX_KIND_TEXT) return NFX_ERR_INVALID_ARGUMENT;
  *value = v->as_text().c_str();
  return NFX_OK;
}

Value* output_at(nfx_context* ctx, uint32_t port) {
  if (ctx == nullptr || ctx->outputs == nullptr || port >= ctx->output_count) return nullptr;
  return &ctx->outputs[port];
}

nfx_port_kind output_kind(nfx_context* ctx, uint32_t port) {
  if (ctx->node == nullptr || port >= ctx->node->output_kinds.size()) return NFX_KIND_TENSOR;
  return ctx->node->output_kinds[port];
}

nfx_status output_tensor(nfx_context* ctx, uint32_t port, DLManagedTensor* value) {
  Value* out = output_at(ctx, port);
  if (out == nullptr || value == nullptr) {
    if (value != nullptr && value->deleter != nullptr) value->deleter(value);
    return fail(ctx, "output_tensor: no output port " + std::to_string(port) + " in this call");
  }
  *out = Value::tensor(output_kind(ctx, port), value);
  return NFX_OK;
}
nfx_status output_scalar(nfx_context* ctx, uint32_t port, double value) {
  Value* out = output_at(ctx, port);
  if (out == nullptr) return fail(ctx, "output_scalar: no output port " + std::to_string(port) + " in this call");
  *out = Value::scalar(value);
  return NFX_OK;
}
nfx_status output_text(nfx_context* ctx, uint32_t port, const char* value) {
  Value* out = output_at(ctx, port);
  if (out == nullptr || value == nullptr) return fail(ctx, "output_text: no output port " + std::to_string(port));
  *out = Value::text(value);
  return NFX_OK;
}
nfx_status forward_input(nfx_context* ctx, uint32_t output_port, uint32_t input_port) {
  Value* out = output_at(ctx, output_port);
  const Value* in = input_at(ctx, input_port);
  if (out == nullptr || in == nullptr) return fail(ctx, "forward_input: no such port in this call");
  *out = *in;
  return NFX_OK;
}

void log(nfx_context* ctx, nfx_log_level level, const char* message) {
  log_message(ctx, level, message ? message : "");
}
void set_error(nfx_context* ctx, const char* message) {
  if (ctx != nullptr) ctx->error = message ? message : "";
}
void progress(nfx_context* ctx, double done, double total) {
  if (ctx != nullptr && ctx->run != nullptr) ctx->run->report_node_progress(*ctx, done, total);
}
int32_t cancelled(nfx_context* ctx) {
  return ctx != nullptr && ctx->cancelled != nullptr && ctx->cancelled->load(std::memory_order_relaxed) ? 1 : 0;
}

void* alloc(size_t size, size_t alignment) {
  if (alignment < sizeof(void*)) alignment = sizeof(void*);
  if (alignment > 4096 || (alignment & (alignment - 1)) != 0) return nullptr;
  if (size > static_cast<size_t>(PTRDIFF_MAX) - alignment) return nullptr;    // rounding up would wrap to a small size
  if (RunState* run = RunState::current(); run != nullptr && size > run->max_tensor_bytes()) {
    run->log(NFX_LOG_WARNING, "", "refused to allocate " + std::to_string(size) + " bytes: more than max_tensor_bytes = " +
                                      std::to_string(run->max_tensor_bytes()) + " (see [graph] max_tensor_bytes)");
    return nullptr;
  }
  size = (size + alignment - 1) / alignment * alignment;  // aligned_alloc wants a multiple
  return std::aligned_alloc(alignment, size == 0 ? alignment : size);
}
void free_memory(void* p) { std::free(p); }

int64_t item_index(nfx_context* ctx) { return ctx ? ctx->item_index : -1; }
const char* item_name(nfx_context* ctx) { return ctx && ctx->item_name ? ctx->item_name->c_str() : ""; }
void set_item_name(nfx_context* ctx, const char* name) {
  if (ctx != nullptr && ctx->item_name != nullptr && name != nullptr) *ctx->item_name = name;
}
void set_item_count(nfx_context* ctx, int64_t total) {
  if (ctx != nullptr) ctx->item_count = total;
}
void end_of_stream(nfx_context* ctx) {
  if (ctx != nullptr) ctx->end_of_stream = true;
}
const char* node_id(nfx_context* ctx) { return ctx && ctx->node ? ctx->node->id.c_str() : ""; }
void set_error_param(nfx_context* ctx, const char* name) {
  if (ctx != nullptr) ctx->error_param = name ? name : "";
}
int32_t thread_count(nfx_context* ctx) {
  if (ctx != nullptr && ctx->run != nullptr) return ctx->run->threads();
  return static_cast<int32_t>(std::max(1u, std::thread::hardware_concurrency()));
}

const nfx_host_api kTable = {
    NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_host_api), 0,
    &log, &set_error, &progress, &cancelled,
    &alloc, &free_memory,
    &param_bool, &param_int, &param_float, &param_string,
    &input_tensor, &input_scalar, &input_text,
    &output_tensor, &output_scalar, &output_text, &forward_input,
    &item_index, &item_name, &set_item_name, &set_item_count, &end_of_stream,
    &node_id,
    &set_error_param,
    &thread_count,
};

}  // namespace

const nfx_host_api* host_api_table() { return &kTable; }

void log_message(const nfx_context* ctx, nfx_log_level level, const std::string& message) {
  if (ctx != nullptr && ctx->run != nullptr) {
    ctx->run->log(level, ctx->node ? ctx->node->id : "", message);
    return;
  }
  if (level >= NFX_LOG_WARNING) std::cerr << "nfx: " << message << "\n";
}

}  // namespace nfx::detail
