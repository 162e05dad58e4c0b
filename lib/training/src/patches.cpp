#include <nfx/training/patches.hpp>

#include <torch/torch.h>

#include <stdexcept>
#include <string>

namespace nfx::training {

namespace {

int64_t draw(int64_t bound, torch::Generator& generator) {  // uniform in [0, bound)
  return bound <= 1 ? 0 : torch::randint(bound, {1}, generator, torch::kLong).item<int64_t>();
}

}  // namespace

torch::Tensor random_patches(const std::vector<torch::Tensor>& images, int64_t count, int64_t size,
                             torch::Generator& generator) {
  if (images.empty()) throw std::invalid_argument("random patches: no images");
  for (size_t i = 0; i < images.size(); ++i) {
    if (images[i].dim() != 3 || images[i].size(1) < size || images[i].size(2) < size) {
      throw std::invalid_argument("random patches: image " + std::to_string(i) + " is smaller than " +
                                  std::to_string(size) + " x " + std::to_string(size));
    }
  }
  std::vector<torch::Tensor> patches;
  for (int64_t p = 0; p < count; ++p) {
    const torch::Tensor& image = images[static_cast<size_t>(draw(static_cast<int64_t>(images.size()), generator))];
    const int64_t y = draw(image.size(1) - size + 1, generator), x = draw(image.size(2) - size + 1, generator);
    patches.push_back(image.narrow(1, y, size).narrow(2, x, size));
  }
  return torch::stack(patches);
}

std::vector<ImagePair> degrade_all(const std::vector<torch::Tensor>& clean, const Degradation& degrade, int64_t scale,
                                   torch::Generator& generator) {
  std::vector<ImagePair> pairs;
  for (size_t i = 0; i < clean.size(); ++i) {
    torch::Tensor degraded = degrade(clean[i], generator);
    if (degraded.dim() != 3 || degraded.size(0) != clean[i].size(0) || degraded.size(1) * scale != clean[i].size(1) ||
        degraded.size(2) * scale != clean[i].size(2)) {
      throw std::invalid_argument("image " + std::to_string(i) + ": the degradation made a " + c10::str(degraded.sizes()) +
                                  " image from a " + c10::str(clean[i].sizes()) + " one, at scale " + std::to_string(scale));
    }
    pairs.push_back({std::move(degraded), clean[i]});
  }
  return pairs;
}

PatchBatch paired_patches(const std::vector<ImagePair>& pairs, int64_t count, int64_t size, int64_t scale,
                          torch::Generator& generator, bool augment) {
  if (pairs.empty()) throw std::invalid_argument("paired patches: no image pairs");
  std::vector<torch::Tensor> degraded, clean;
  for (int64_t p = 0; p < count; ++p) {
    const ImagePair& pair = pairs[static_cast<size_t>(draw(static_cast<int64_t>(pairs.size()), generator))];
    const int64_t h = pair.degraded.size(1), w = pair.degraded.size(2);
    if (h < size || w < size) throw std::invalid_argument("paired patches: a degraded image is smaller than the patch");
    const int64_t y = draw(h - size + 1, generator), x = draw(w - size + 1, generator);
    const int symmetry = augment ? static_cast<int>(draw(8, generator)) : 0;
    degraded.push_back(dihedral(pair.degraded.narrow(1, y, size).narrow(2, x, size), symmetry));
    clean.push_back(dihedral(pair.clean.narrow(1, y * scale, size * scale).narrow(2, x * scale, size * scale), symmetry));
  }
  return {torch::stack(degraded), torch::stack(clean)};
}

torch::Tensor dihedral(const torch::Tensor& image, int index) {
  if (index < 0 || index > 7) throw std::invalid_argument("dihedral: index 0..7");
  const int64_t h = image.dim() - 2, w = image.dim() - 1;
  torch::Tensor out = image;
  if (index & 1) out = out.flip({w});
  if (index & 2) out = out.flip({h});
  if (index & 4) out = out.transpose(h, w);
  return out.contiguous();
}

}  // namespace nfx::training
