#include <nfx/models/torchscript.hpp>

#include <nfx/base.hpp>

#include <filesystem>
#include <system_error>

namespace nfx::models {

torch::jit::Module load_torchscript(const std::string& file, const std::string& expected) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(file, ec)) throw nfx::Error(file + ": no such model file", NFX_ERR_IO);
  try {
    return torch::jit::load(file);
  } catch (const std::exception&) {
    throw nfx::Error(file + ": not a readable model (truncated, corrupt, or not " + expected + ")", NFX_ERR_IO);
  }
}

}  // namespace nfx::models
