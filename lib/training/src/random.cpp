#include <nfx/training/random.hpp>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include <cmath>

namespace nfx::training {

torch::Generator make_generator(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

uint64_t derive_seed(uint64_t seed, const std::string& purpose) {
  // FNV-1a over the purpose, mixed with the seed by SplitMix64's finalizer.
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : purpose) h = (h ^ c) * 1099511628211ull;
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (h | 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

namespace {

// fan_in of a Linear (out x in) or convolution (out x in/groups x k...) weight; a transposed convolution's
// weight is (in x out/groups x k...), and LibTorch takes its fan_in from dimension 1 just the same.
double fan_in(const torch::Tensor& weight) {
  return static_cast<double>(weight.numel() / weight.size(0));
}

void redraw(torch::Tensor& weight, torch::Tensor& bias, torch::Generator& generator) {
  torch::NoGradGuard no_grad;
  const double bound = 1.0 / std::sqrt(fan_in(weight));
  weight.uniform_(-bound, bound, generator);
  if (bias.defined()) bias.uniform_(-bound, bound, generator);
}

template <typename Impl>
bool try_reset(torch::nn::Module& m, torch::Generator& generator) {
  auto* layer = dynamic_cast<Impl*>(&m);
  if (!layer) return false;
  redraw(layer->weight, layer->bias, generator);
  return true;
}

// An embedding's table is drawn from N(0, 1), as LibTorch's constructor draws it.
bool try_reset_embedding(torch::nn::Module& m, torch::Generator& generator) {
  auto* table = dynamic_cast<torch::nn::EmbeddingImpl*>(&m);
  if (!table) return false;
  torch::NoGradGuard no_grad;
  table->weight.normal_(0.0, 1.0, generator);
  if (table->options.padding_idx()) table->weight[*table->options.padding_idx()].zero_();
  return true;
}

}  // namespace

int reset_parameters(torch::nn::Module& module, torch::Generator& generator) {
  int count = 0;
  auto visit = [&](torch::nn::Module& m) {
    namespace nn = torch::nn;
    if (try_reset<nn::LinearImpl>(m, generator) || try_reset<nn::Conv1dImpl>(m, generator) ||
        try_reset<nn::Conv2dImpl>(m, generator) || try_reset<nn::Conv3dImpl>(m, generator) ||
        try_reset<nn::ConvTranspose1dImpl>(m, generator) || try_reset<nn::ConvTranspose2dImpl>(m, generator) ||
        try_reset<nn::ConvTranspose3dImpl>(m, generator) || try_reset_embedding(m, generator)) {
      ++count;
    }
  };
  visit(module);
  for (const auto& child : module.modules(/*include_self=*/false)) visit(*child);
  return count;
}

}  // namespace nfx::training
