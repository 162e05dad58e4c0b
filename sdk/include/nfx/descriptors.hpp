// Port and parameter descriptors for node types (part of nfx.hpp).
#pragma once

#include <nfx/nfx.h>

#include <cstdint>

namespace nfx {

inline nfx_port_desc port(const char* name, nfx_port_kind kind, const char* doc, nfx_dtype_mask dtypes = 0,
                          int32_t rank = -1, uint32_t flags = 0) {
  return nfx_port_desc{name, doc, kind, dtypes, rank, flags};
}
inline nfx_port_desc image_port(const char* name, const char* doc) {
  return port(name, NFX_KIND_IMAGE, doc, NFX_DTYPE_U8, 3);
}
inline nfx_port_desc tensor_port(const char* name, const char* doc, nfx_dtype_mask dtypes = 0, int32_t rank = -1) {
  return port(name, NFX_KIND_TENSOR, doc, dtypes, rank);
}
inline nfx_port_desc any_port(const char* name, const char* doc) { return port(name, NFX_KIND_ANY, doc); }

inline nfx_param_desc bool_param(const char* name, bool def, const char* doc) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_BOOL;
  d.default_int = def ? 1 : 0;
  d.min = 1;
  d.max = 0;
  return d;
}
inline nfx_param_desc int_param(const char* name, int64_t def, const char* doc, double min = 1, double max = 0) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_INT;
  d.default_int = def;
  d.min = min;
  d.max = max;
  return d;
}
inline nfx_param_desc float_param(const char* name, double def, const char* doc, double min = 1, double max = 0) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_FLOAT;
  d.default_float = def;
  d.min = min;
  d.max = max;
  return d;
}
inline nfx_param_desc string_param(const char* name, const char* def, const char* doc, const char* choices = nullptr) {
  nfx_param_desc d{};
  d.name = name;
  d.doc = doc;
  d.type = NFX_PARAM_STRING;
  d.default_string = def;
  d.min = 1;
  d.max = 0;
  d.choices = choices;
  return d;
}
inline nfx_param_desc required(nfx_param_desc d) {
  d.flags |= NFX_PARAM_REQUIRED;
  return d;
}

}  // namespace nfx
