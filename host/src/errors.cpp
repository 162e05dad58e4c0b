// Diagnostic, GraphError and RunError: how the host reports what went wrong and where.
#include <nfx/host.hpp>

namespace nfx {

std::string Diagnostic::str() const {
  if (line > 0) return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
  if (!file.empty()) return file + ": " + message;
  return message;
}

static std::string join_diagnostics(const std::vector<Diagnostic>& diagnostics) {
  std::string text;
  for (const Diagnostic& d : diagnostics) {
    if (!text.empty()) text += '\n';
    text += d.str();
  }
  return text;
}

GraphError::GraphError(std::vector<Diagnostic> diagnostics)
    : std::runtime_error(join_diagnostics(diagnostics)), diagnostics_(std::move(diagnostics)) {}

RunError::RunError(const std::string& message, nfx_status status, std::string node, int64_t item,
                   std::string item_name)
    : std::runtime_error(message), status_(status), node_(std::move(node)), item_(item),
      item_name_(std::move(item_name)) {}

}  // namespace nfx
