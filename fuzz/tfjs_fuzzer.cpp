// TensorFlow.js model.json from bytes: field types, shapes, layer references and counts are
// attacker-controlled; the reader must refuse with nfx::Error (never a JSON library exception, a wrapped
// product or an unbounded allocation).
#include <nfx/base.hpp>
#include <nfx/models/tfjs_graph.hpp>

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    nfx::models::read_tfjs_graph(std::string(reinterpret_cast<const char*>(data), size), "fuzz/model.json");
  } catch (const nfx::Error&) {
  }
  return 0;
}
