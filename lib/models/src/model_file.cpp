#include <nfx/models/model_file.hpp>

#include <nfx/base.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace nfx::models {

uint64_t max_model_bytes() {
  const char* setting = std::getenv("NFX_MAX_MODEL_BYTES");
  if (setting != nullptr && *setting != '\0') {
    char* end = nullptr;
    const unsigned long long bytes = std::strtoull(setting, &end, 10);
    if (*end != '\0' || bytes == 0) throw nfx::Error(std::string("NFX_MAX_MODEL_BYTES=") + setting + ": not a number of bytes");
    return bytes;
  }
  return uint64_t{4} << 30;
}

uint64_t check_model_file(const std::string& file, uint64_t max_bytes, const std::string& what) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(file, ec);
  if (!fs::exists(status)) throw nfx::Error(file + ": " + what + " does not exist", NFX_ERR_IO);
  if (!fs::is_regular_file(status)) throw nfx::Error(file + ": " + what + " is not a regular file (a FIFO, device or folder)", NFX_ERR_IO);
  const uintmax_t size = fs::file_size(file, ec);
  if (ec) throw nfx::Error(file + ": cannot read the " + what + ": " + ec.message(), NFX_ERR_IO);
  if (size > max_bytes) {
    throw nfx::Error(file + ": the " + what + " is " + std::to_string(size) + " bytes, more than the " + std::to_string(max_bytes) +
                         " allowed (NFX_MAX_MODEL_BYTES raises the limit for weights)",
                     NFX_ERR_IO);
  }
  return size;
}

std::string read_model_file(const std::string& file, uint64_t max_bytes, const std::string& what) {
  const uint64_t size = check_model_file(file, max_bytes, what);
  std::ifstream in(file, std::ios::binary);
  std::string bytes(static_cast<size_t>(size), '\0');
  if (!in || !in.read(bytes.data(), static_cast<std::streamsize>(size))) throw nfx::Error(file + ": cannot read the " + what, NFX_ERR_IO);
  return bytes;
}

}  // namespace nfx::models
