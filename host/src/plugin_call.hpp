// Calls into plugins. No C++ exception may cross the C ABI, but a plugin not built with nfx.hpp can still
// let one escape a function. Caught here, it becomes NFX_ERR_INTERNAL with a message on the call's context,
// instead of std::terminate ending the host.
#pragma once

#include "host_api.hpp"

#include <exception>
#include <string>

namespace nfx::detail {

// The message for an exception that escaped a plugin function; call inside a catch block.
inline std::string escaped_exception_message() {
  try {
    throw;
  } catch (const std::exception& e) {
    return std::string("the plugin let a C++ exception escape across the C ABI: ") + e.what();
  } catch (...) {
    return "the plugin let a C++ exception (not a std::exception) escape across the C ABI";
  }
}

template <typename F>
nfx_status call_plugin(nfx_context& ctx, F&& call) noexcept {
  try {
    return call();
  } catch (...) {
    try {
      ctx.error = escaped_exception_message();
    } catch (...) {  // out of memory for the message itself
    }
    return NFX_ERR_INTERNAL;
  }
}

// A node type's extension table `id` (NFX_EXT_*), or nullptr when the type has none, when the table is
// smaller than the version the host knows, or when the lookup let an exception escape (as if missing).
template <typename Table>
const Table* find_extension(const nfx_node_type& type, const char* id) noexcept {
  try {
    const auto* table = type.extension != nullptr ? static_cast<const Table*>(type.extension(id)) : nullptr;
    return table != nullptr && table->struct_size >= sizeof(Table) ? table : nullptr;
  } catch (...) {
    return nullptr;
  }
}

}  // namespace nfx::detail
