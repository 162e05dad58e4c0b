// ncnn networks from bytes: the .param text, then a NUL, then the .bin weights. Everything a layer line
// declares (blob counts and names, kernel sizes, channel counts, factors) is attacker-controlled: the
// reader must refuse with nfx::Error, never divide by zero, wrap, read past the weights or allocate
// without bound.
#include <nfx/base.hpp>
#include <nfx/models/ncnn_param.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  const size_t split = bytes.find('\0');
  const std::string param = bytes.substr(0, split);
  const std::string bin = split == std::string::npos ? std::string() : bytes.substr(split + 1);
  try {
    nfx::models::read_ncnn_graph(param, "fuzz.param", bin, "fuzz.bin");
  } catch (const nfx::Error&) {
  }
  return 0;
}
