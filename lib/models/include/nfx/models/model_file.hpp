// Reading a model file a user was handed, before anything trusts it: only a regular file (a FIFO or a
// device would block or never end), no larger than a limit, with errors that name the file.
#pragma once

#include <cstdint>
#include <string>

namespace nfx::models {

// The largest model file read: NFX_MAX_MODEL_BYTES from the environment (bytes), else 4 GiB.
uint64_t max_model_bytes();
// Text parts of a model (TF.js model.json, ncnn .param) are small; larger ones are refused before parsing.
constexpr uint64_t kMaxModelTextBytes = uint64_t{64} << 20;

// The size of a model file another library will read (OpenCV, dlib). Throws nfx::Error (NFX_ERR_IO)
// "FILE: WHAT ..." when it is missing, not a regular file or larger than `max_bytes`; `what` says what
// the file is ("weight shard named by model.json").
uint64_t check_model_file(const std::string& file, uint64_t max_bytes, const std::string& what);

// The whole file, after check_model_file; throws the same errors, and one when it cannot be read.
std::string read_model_file(const std::string& file, uint64_t max_bytes, const std::string& what);

}  // namespace nfx::models
