// The host table a plugin was given and the exceptions nodes throw (part of nfx.hpp).
#pragma once

#include <nfx/nfx.h>

#include <stdexcept>
#include <string>
#include <utility>

namespace nfx {

// The host API table given to init; set before any node runs.
inline const nfx_host_api*& host_api() {
  static const nfx_host_api* api = nullptr;
  return api;
}

// An exception with a status code. Any other std::exception maps to NFX_ERR_INTERNAL, except
// std::bad_alloc (NFX_ERR_OUT_OF_MEMORY) and std::invalid_argument (NFX_ERR_INVALID_ARGUMENT).
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, nfx_status status = NFX_ERR_INVALID_ARGUMENT)
      : std::runtime_error(message), status_(status) {}
  nfx_status status() const { return status_; }

 private:
  nfx_status status_;
};

// An error about one parameter (e.g. values of two parameters that do not fit together): the host reports
// it at that parameter's line in the graph file (hosts of ABI 1.1 and later).
class ParamError : public Error {
 public:
  ParamError(std::string param, const std::string& message, nfx_status status = NFX_ERR_INVALID_ARGUMENT)
      : Error(message, status), param_(std::move(param)) {}
  const std::string& param() const { return param_; }

 private:
  std::string param_;
};

}  // namespace nfx
