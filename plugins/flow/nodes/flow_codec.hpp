// What flow.encode and flow.decode share: the model (ModelState) and the two directions of its map between
// an 8-bit image and its flattened latent.
#pragma once

#include "flow_nodes.hpp"

namespace nfx::flow {

class FlowCodec : public ModelState {
 public:
  explicit FlowCodec(const nfx::Params& p) : ModelState(p) {}

  // The image's latent; its log|det| into *logdet when given.
  nfx::Tensor encode(const DLTensor& image, double* logdet = nullptr);
  nfx::Tensor decode(const DLTensor& latent);
  // log|det| of encoding, at the image decoded from `latent`.
  double encode_logdet_at_latent(const DLTensor& latent);
};

// A log-determinant as the one-element float64 tensor the invertible extension returns.
nfx::Tensor logdet_tensor(double value);

// flow.encode's and flow.decode's one parameter.
nfx_param_desc checkpoint_param();

// The latent port's documentation, the same on both nodes.
constexpr const char* kLatentDoc = "float32 latent: every level's latent flattened and concatenated in level order";

}  // namespace nfx::flow
