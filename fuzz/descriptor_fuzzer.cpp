// Plugin descriptors from bytes: the host's checks (descriptor_reader.cpp) on node types with any counts,
// element sizes, names, kinds and parameter types; what they accept is copied into the host's layout.
// Every array the bytes describe really exists (a plugin's lies about its own memory are the plugin
// scanner's concern, not this one's).
#include "descriptor_reader.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace {

// Reads the fuzzer's bytes as small numbers and short strings.
class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t next() { return at_ < size_ ? data_[at_++] : 0; }
  std::string text() {
    std::string s;
    for (uint8_t n = next() % 12; n > 0; --n) s += static_cast<char>(next());
    return s;
  }

 private:
  const uint8_t* data_;
  size_t size_, at_ = 0;
};

nfx_status create(nfx_context*, void**) { return NFX_OK; }
nfx_status process(void*, nfx_context*) { return NFX_OK; }
void destroy(void*) {}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  std::vector<std::string> strings;  // every name, kept alive while the descriptor points at them
  strings.reserve(4096);
  auto name = [&] { return strings.emplace_back(in.text()).c_str(); };
  const std::string plugin = in.text();

  const size_t types = in.next() % 4;
  std::vector<std::vector<unsigned char>> arrays;  // each node type's ports and params, at its element size
  arrays.reserve(2 * types);                        // references into it stay valid
  std::vector<nfx_node_type> node_types(types);
  std::vector<const nfx_node_type*> table;
  for (nfx_node_type& t : node_types) {
    t.struct_size = in.next() % 2 ? sizeof(nfx_node_type) : offsetof(nfx_node_type, port_size);
    t.id = strings.emplace_back(plugin + "." + in.text()).c_str();
    t.create = &create;
    t.process = &process;
    t.destroy = &destroy;
    if (t.struct_size == sizeof(nfx_node_type)) {  // a 1.0 / 1.1 node type has no element sizes
      t.port_size = in.next() % 2 ? 0 : sizeof(nfx_port_desc) + 8 * (in.next() % 3);
      t.param_size = in.next() % 2 ? 0 : sizeof(nfx_param_desc) + 8 * (in.next() % 3);
    }
    const uint32_t port_stride = t.port_size ? t.port_size : sizeof(nfx_port_desc);
    const uint32_t param_stride = t.param_size ? t.param_size : sizeof(nfx_param_desc);
    t.input_count = in.next() % 5;
    t.output_count = in.next() % 5;
    t.param_count = in.next() % 5;
    auto& ports = arrays.emplace_back(port_stride * (t.input_count + t.output_count) + 1, 0);
    for (uint32_t p = 0; p < t.input_count + t.output_count; ++p) {
      auto* d = reinterpret_cast<nfx_port_desc*>(ports.data() + port_stride * p);
      d->name = name();
      d->kind = in.next() % 8;
      d->rank = static_cast<int8_t>(in.next());
    }
    auto& params = arrays.emplace_back(param_stride * t.param_count + 1, 0);
    for (uint32_t p = 0; p < t.param_count; ++p) {
      auto* d = reinterpret_cast<nfx_param_desc*>(params.data() + param_stride * p);
      d->name = name();
      d->type = in.next() % 6;
      d->min = in.next();
      d->max = in.next();
    }
    t.inputs = reinterpret_cast<const nfx_port_desc*>(ports.data());
    t.outputs = reinterpret_cast<const nfx_port_desc*>(ports.data() + port_stride * t.input_count);
    t.params = reinterpret_cast<const nfx_param_desc*>(params.data());
    table.push_back(&t);
  }
  nfx_plugin_descriptor descriptor{NFX_ABI_MAJOR, NFX_ABI_MINOR, sizeof(nfx_plugin_descriptor), plugin.c_str(), "1.0.0", "",
                                   static_cast<uint32_t>(types), table.data(), nullptr};
  if (nfx::detail::check_descriptor(descriptor).empty()) {
    for (const nfx_node_type* t : table) {
      nfx::detail::HostNodeType copy;
      nfx::detail::copy_node_type(*t, copy);
    }
  }
  return 0;
}
