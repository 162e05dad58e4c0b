// Item names as paths under an output folder. Sources name items after their files ("a/b.jpg"); a sink
// that writes <dir>/<item name> must never write outside dir.
#pragma once

#include <filesystem>

namespace nfx::plugins {

// A relative name whose every component is a real name (no "..", no ".", no root): it stays under a
// folder it is joined to. A ".." inside a component ("a..b.jpg") is an ordinary name.
inline bool stays_inside(const std::filesystem::path& name) {
  if (name.empty() || name.has_root_path()) return false;
  for (const std::filesystem::path& part : name) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

}  // namespace nfx::plugins
