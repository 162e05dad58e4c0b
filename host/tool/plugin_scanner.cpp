// nfx-plugin-scanner LIBRARY: loads one plugin library as the host would (entry point, ABI, descriptor,
// init) and prints the verdict. Hosts run it in a child process before loading a library themselves, so
// a library that crashes or hangs here costs the host nothing (see host/src/plugin_scan.hpp).
#include "builtin_nodes.hpp"
#include "plugin_registry.hpp"

#include <cstdio>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: nfx-plugin-scanner LIBRARY\n");
    return 2;
  }
  nfx::detail::PluginRegistry registry;  // no scanner of its own: this process is the one at risk
  registry.add_builtin(nfx::detail::builtin_plugin());
  std::vector<std::string> refusals;
  for (const nfx::PluginLoadError& e : registry.load_library(argv[1])) refusals.push_back(e.message);
  const std::string report = nfx::detail::scan_report(refusals);
  std::fflush(stdout);
  (void)!write(STDOUT_FILENO, report.data(), report.size());
  // No static destructors: a library's own teardown is not the host's concern (it never unloads them).
  _exit(0);
}
