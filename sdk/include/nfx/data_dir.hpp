// Where scripts/fetch-data.sh puts nfx's sample data and third-party model packages: $NFX_DATA, else
// $NFX_CACHE/data, else $XDG_CACHE_HOME/nfx/data, else ~/.cache/nfx/data. The host gives graphs the same
// folder as ${data}; plugins that find fetched models by name use it too.
#ifndef NFX_DATA_DIR_HPP
#define NFX_DATA_DIR_HPP

#include <cstdlib>
#include <string>

namespace nfx {

inline std::string default_data_dir() {
  if (const char* d = std::getenv("NFX_DATA"); d && *d) return d;
  if (const char* c = std::getenv("NFX_CACHE"); c && *c) return std::string(c) + "/data";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/nfx/data";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/nfx/data";
  return "data";
}

}  // namespace nfx

#endif  // NFX_DATA_DIR_HPP
