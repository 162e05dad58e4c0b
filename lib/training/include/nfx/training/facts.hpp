// What a model node shows of itself through nfx::Describable (`nfx inspect`): (key, value) pairs in the
// order they are shown, and the formatting they share.
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nfx::training {

using Facts = std::vector<std::pair<std::string, std::string>>;

// 2150339 as "2,150,339".
std::string with_commas(int64_t n);

// The elements of the tensors (a module's parameters()).
int64_t count_elements(const std::vector<torch::Tensor>& tensors);

}  // namespace nfx::training
