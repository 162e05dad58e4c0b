// Affine-StableSR: a compact conditional flow that upscales on pre-trained weights. A frozen encoder (the
// first residual-in-residual blocks of UpscalerJS's esrgan-thick) turns the low-resolution image into
// features; a small trainable network lifts them to the flow's resolution (the condition); a conditional
// flow maps a Gaussian latent to the residual between the high-resolution image and its bicubic upscale:
// nfx's layers (ActNorm, 1x1 and FInC k x k invertible convolutions, affine couplings that see the
// condition), then a conditional shift by a mean predicted from the condition (log-determinant 0), which
// the L1 term trains directly. temperature 0 gives the deterministic output (the latent's mode), > 0
// diverse samples.
#pragma once

#include <nfx/flow/model.hpp>
#include <nfx/training/checkpoint.hpp>

#include <torch/torch.h>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nfx::models {
class TfjsModel;
}  // namespace nfx::models

namespace nfx::sr {

struct StableSrSpec {
  int64_t scale = 4;                     // 2 or 4
  std::string encoder = "esrgan-thick";  // the frozen encoder: a model of the zoo, at the same scale
  int64_t encoder_blocks = 3;            // its first blocks that are kept; their outputs are the features
  int64_t condition = 64;                // channels of the condition the couplings see
  nfx::flow::ModelSpec flow;             // levels, steps, hidden, mixing, coupling, direction
};

// The spec with the flow's fixed fields set (3 channels, conditional); throws nfx::flow::SpecError naming
// the field for one that cannot be built.
StableSrSpec checked(StableSrSpec spec);

// The spec from its fields by name (scale, encoder, encoder_blocks, condition, levels, steps, hidden,
// mixing, coupling, direction), as the checkpoints name them (sr.train's parameters too, but for
// steps_per_level: nfx::flow::layer_param); checked.
StableSrSpec spec_from_fields(const std::function<int64_t(const std::string&)>& integer,
                              const std::function<std::string(const std::string&)>& text);

// One line for logs and errors: "x4, esrgan-thick blocks 1-3, condition 64, 2 levels x 6 steps, ...".
std::string describe(const StableSrSpec& spec);

// Input pixels beyond which an output pixel of the committed models no longer depends on the input:
// bench/sr_bench --receptive measures 8 at x2 and x4 (a difference under 1e-4); 10 keeps a margin over the
// x2 model's 2.8e-5 at 8.
inline constexpr int64_t kStableSrReceptiveRadius = 10;

// The checkpoint format of both the training checkpoints and the model files sr.upscale loads.
inline constexpr const char* kStableSrFormat = "nfx-sr-stablesr-1";

class StableSr : public torch::nn::Module {
 public:
  // The encoder comes from the fetched packages in `models_dir` (empty: <data>/sr); the trainable weights
  // are drawn from `seed`. Throws nfx::Error naming the package to fetch when the encoder is missing.
  StableSr(const StableSrSpec& spec, const std::string& models_dir, uint64_t seed);

  // Low-resolution N x 3 x h x w in [0, 1] to the frozen encoder's features, N x F x h x w (no gradient).
  torch::Tensor features(const torch::Tensor& low) const;
  // Features to the condition of the flow, N x condition x (h scale / 2) x (w scale / 2).
  torch::Tensor condition(const torch::Tensor& features);
  // LibTorch's bicubic upscale of `low` (a = -0.75): the base the flow's residual is added to.
  torch::Tensor base(const torch::Tensor& low) const;

  // The conditional shift: the residual's mean as the condition predicts it, N x 3 x H x W.
  torch::Tensor mean(const torch::Tensor& condition);
  // log p(residual | condition) in nats per item; the residual is N x 3 x H x W, H and W multiples of
  // 2^levels.
  torch::Tensor log_prob(const torch::Tensor& residual, const torch::Tensor& condition);
  // A residual from the latent scaled by `temperature` (0: the mode; then `generator` may be null).
  torch::Tensor residual(const torch::Tensor& condition, double temperature, torch::Generator* generator);
  // The whole model: low N x 3 x h x w in [0, 1] to N x 3 x (scale h) x (scale w), not clamped. h and w
  // must be multiples of 2^levels / scale (any size at x4 with two levels).
  torch::Tensor upscale(const torch::Tensor& low, double temperature = 0.0, torch::Generator* generator = nullptr);

  const StableSrSpec& spec() const { return spec_; }
  int64_t trainable_parameters() const;
  int64_t encoder_parameters() const;
  // The parameters by part, in the order data flows: the frozen encoder, then the trained condition, mean
  // and flow; they add up to encoder_parameters() + trainable_parameters().
  std::vector<std::pair<std::string, int64_t>> parameter_parts() const;
  // Input pixels a side of the low-resolution image must be a multiple of.
  int64_t input_multiple() const;

 private:
  StableSrSpec spec_;
  std::shared_ptr<const models::TfjsModel> encoder_;
  double encoder_range_ = 1;
  torch::nn::Sequential lift_{nullptr}, mean_{nullptr};
  std::shared_ptr<nfx::flow::FlowModel> flow_;
};

// The spec and the trainable weights (float16 when `half`, for a model file; float32 in a checkpoint).
void write_stable_sr(nfx::training::CheckpointWriter& checkpoint, const StableSr& model, bool half);
// The spec of a checkpoint or model file; throws nfx::training::CheckpointError naming the file and field.
StableSrSpec read_stable_sr_spec(nfx::training::CheckpointReader& checkpoint);
// Loads the trainable weights into `model` (built from read_stable_sr_spec); throws CheckpointError naming
// the file and tensor when they do not fit.
void read_stable_sr_weights(nfx::training::CheckpointReader& checkpoint, StableSr& model);

}  // namespace nfx::sr
