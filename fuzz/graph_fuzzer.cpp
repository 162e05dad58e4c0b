// Graph files from bytes: TOML parsing, ${variable} expansion, --set overrides and validation against the
// core and io plugins' node types. A malformed graph must give diagnostics, never a crash or a hang.
#include <nfx/host.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace {

nfx::Host& host() {
  static nfx::Host* h = [] {
    nfx::HostOptions options;
    options.use_env_path = false;
    options.use_install_dir = false;
    options.plugin_paths = {NFX_FUZZ_PLUGIN_DIR};
    options.scan_plugins = false;  // the build's own core and io; the fuzz build has no scanner
    auto* created = new nfx::Host(options);  // kept for the process: plugins stay loaded
    created->load_plugins();
    return created;
  }();
  return *h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // The first line, when it starts with "#set ", is one override, as `--set` would give it.
  std::vector<std::string> overrides;
  if (text.rfind("#set ", 0) == 0) overrides.push_back(text.substr(5, text.find('\n') - 5));
  try {
    host().parse_graph(text, "fuzz.toml", overrides);
  } catch (const nfx::GraphError&) {
  }
  return 0;
}
