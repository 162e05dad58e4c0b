// A user's TorchScript file (torch.jit.save), read with an error a user can act on.
#pragma once

#include <torch/script.h>

#include <string>

namespace nfx::models {

// The module in `file`. Throws nfx::Error (NFX_ERR_IO) naming the file when it is missing, or truncated,
// corrupt or not an archive LibTorch reads: "FILE: not a readable model (truncated, corrupt, or not
// `expected`)".
torch::jit::Module load_torchscript(const std::string& file, const std::string& expected = "TorchScript");

}  // namespace nfx::models
