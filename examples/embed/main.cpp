// Embeds the nfx host: builds a graph from a string, feeds it an image made in memory, reads the result.
#include <nfx/host.hpp>

#include <cstdio>
#include <vector>

namespace {

// An RGB image 64x48 owned by this program; the host calls the deleter when it is done with it.
DLManagedTensor* make_gradient_image() {
  struct Owned {
    std::vector<unsigned char> pixels = std::vector<unsigned char>(48 * 64 * 3);
    int64_t shape[3] = {48, 64, 3};
    DLManagedTensor managed{};
  };
  auto* owned = new Owned;
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      unsigned char* p = &owned->pixels[(y * 64 + x) * 3];
      p[0] = static_cast<unsigned char>(x * 4);
      p[1] = static_cast<unsigned char>(y * 5);
      p[2] = 128;
    }
  }
  DLTensor& t = owned->managed.dl_tensor;
  t.data = owned->pixels.data();
  t.device = {kDLCPU, 0};
  t.ndim = 3;
  t.dtype = {kDLUInt, 8, 1};
  t.shape = owned->shape;
  owned->managed.manager_ctx = owned;
  owned->managed.deleter = [](DLManagedTensor* m) { delete static_cast<Owned*>(m->manager_ctx); };
  return &owned->managed;
}

const char* kGraph = R"(
[graph]
name = "embedded-resize"

[nodes.in]
type = "host.input"
kind = "image"

[nodes.half]
type = "io.resize"
in.image = "in.value"
scale = 0.5

[nodes.out]
type = "host.output"
in.value = "half.image"
)";

}  // namespace

int main() {
  nfx::Host host;  // finds the installed plugins next to libnfx_host
  for (const nfx::PluginLoadError& e : host.load_plugins()) {
    std::fprintf(stderr, "plugin refused: %s: %s\n", e.path.c_str(), e.message.c_str());
  }
  try {
    nfx::Graph graph = host.parse_graph(kGraph, "embedded");
    graph.feed("in", nfx::Value::tensor(NFX_KIND_IMAGE, make_gradient_image()));
    nfx::RunOptions options;
    options.on_output = [](const nfx::OutputEvent& e) {
      const DLTensor* t = e.value.dl();
      std::printf("got %lldx%lld image with %lld channels from node '%s'\n", static_cast<long long>(t->shape[1]),
                  static_cast<long long>(t->shape[0]), static_cast<long long>(t->shape[2]), e.node.c_str());
    };
    graph.run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
