#include "flow_codec.hpp"

#include <cstring>

namespace nfx::flow {

namespace {

// One HWC uint8 image as a 1 x C x H x W batch in [0, 1), each pixel at the centre of its 1/256 bin, so
// decoding and rounding down gives the pixel back.
torch::Tensor image_to_model_input(const DLTensor& image, const ModelSpec& spec) {
  const torch::Tensor pixels = image_tensor(image, "the image");
  const int64_t c = pixels.size(0), h = pixels.size(1), w = pixels.size(2);
  if (h != spec.height || w != spec.width || c != spec.channels) {
    throw nfx::Error("the image is " + std::to_string(w) + " x " + std::to_string(h) + " with " + std::to_string(c) +
                         " channel(s); the model takes " + std::to_string(spec.width) + " x " +
                         std::to_string(spec.height) + " with " + std::to_string(spec.channels) +
                         " (io.resize, and io.read_images with color = \"gray\" or \"color\", make an image fit)",
                     NFX_ERR_INVALID_ARGUMENT);
  }
  return ((pixels.to(torch::kFloat) + 0.5) / 256.0).unsqueeze(0);
}

// The latents of every level of one image, flattened and concatenated in level order.
nfx::Tensor flatten_latent(const std::vector<torch::Tensor>& z) {
  std::vector<torch::Tensor> parts;
  for (const torch::Tensor& level : z) parts.push_back(level.reshape({-1}));
  const torch::Tensor flat = torch::cat(parts).to(torch::kFloat).contiguous();
  nfx::Tensor out(nfx::dtype_f32(), {flat.numel()});
  std::memcpy(out.data<float>(), flat.data_ptr<float>(), static_cast<size_t>(flat.numel()) * sizeof(float));
  return out;
}

std::vector<torch::Tensor> unflatten_latent(const DLTensor& latent, const FlowModel& model) {
  int64_t count = 1;
  for (int d = 0; d < latent.ndim; ++d) count *= latent.shape[d];
  const auto shapes = model.latent_shapes(1);
  int64_t expected = 0;
  for (const auto& s : shapes) expected += s[1] * s[2] * s[3];
  if (latent.dtype.code != kDLFloat || latent.dtype.bits != 32 || count != expected) {
    throw nfx::Error("expected a float32 latent of " + std::to_string(expected) + " values (what flow.encode gives), got " +
                         std::to_string(count) + " values of " + nfx::dtype_name(latent.dtype),
                     NFX_ERR_INVALID_ARGUMENT);
  }
  const torch::Tensor flat = torch::from_blob(latent.data, {count}, torch::kFloat);
  std::vector<torch::Tensor> z;
  int64_t offset = 0;
  for (const auto& s : shapes) {
    const int64_t n = s[1] * s[2] * s[3];
    z.push_back(flat.narrow(0, offset, n).reshape(s).clone());
    offset += n;
  }
  return z;
}

}  // namespace

nfx::Tensor FlowCodec::encode(const DLTensor& image, double* logdet) {
  torch::NoGradGuard no_grad;
  torch::Tensor ld = torch::zeros({1});
  const auto z = model_->encode(image_to_model_input(image, model_->spec()), ld);
  if (logdet) *logdet = ld.item<double>();
  return flatten_latent(z);
}

nfx::Tensor FlowCodec::decode(const DLTensor& latent) {
  torch::NoGradGuard no_grad;
  return image_grid(model_->decode(unflatten_latent(latent, *model_)), 1);
}

double FlowCodec::encode_logdet_at_latent(const DLTensor& latent) {
  torch::NoGradGuard no_grad;
  torch::Tensor ld = torch::zeros({1});
  model_->encode(model_->decode(unflatten_latent(latent, *model_)), ld);
  return ld.item<double>();
}

nfx::Tensor logdet_tensor(double value) {
  nfx::Tensor t(nfx::dtype_f64(), {1});
  t.data<double>()[0] = value;
  return t;
}

nfx_param_desc checkpoint_param() {
  return nfx::required(nfx::string_param("checkpoint", "", "checkpoint.pt written by flow.train"));
}

}  // namespace nfx::flow
