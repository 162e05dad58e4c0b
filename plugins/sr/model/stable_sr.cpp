#include "stable_sr.hpp"

#include <nfx/base.hpp>
#include <nfx/models/model_zoo.hpp>
#include <nfx/models/tfjs_model.hpp>
#include <nfx/training/facts.hpp>
#include <nfx/training/random.hpp>

namespace nfx::sr {

namespace {

namespace nn = torch::nn;

// The layers whose outputs are the features: esrgan-thick's residual-in-residual blocks, or the residual
// dense blocks of esrgan-slim and -medium.
std::vector<std::string> feature_layers(const StableSrSpec& spec) {
  std::vector<std::string> names;
  for (int64_t b = 1; b <= spec.encoder_blocks; ++b) {
    names.push_back(spec.encoder == "esrgan-thick" ? "RRDB_" + std::to_string(b) + "_out" : "LRL_" + std::to_string(b));
  }
  return names;
}

constexpr int64_t kFeatureChannels = 64;  // every block of the ESRGAN family outputs 64 channels

}  // namespace

StableSrSpec checked(StableSrSpec spec) {
  using nfx::flow::SpecError;
  if (spec.scale != 2 && spec.scale != 4) throw SpecError("scale", "Affine-StableSR upscales x2 or x4, not x" + std::to_string(spec.scale));
  if (spec.encoder.rfind("esrgan-", 0) != 0 || !models::is_zoo_name(spec.encoder)) throw SpecError("encoder", "encoder = \"" + spec.encoder + "\": expected esrgan-slim, esrgan-medium or esrgan-thick");
  if (spec.encoder_blocks < 1 || spec.encoder_blocks > 10) throw SpecError("encoder_blocks", "encoder_blocks must be 1 to 10");
  if (spec.condition < 1 || spec.condition > 512) throw SpecError("condition", "condition must be 1 to 512 channels");
  spec.flow.channels = 3;
  spec.flow.height = spec.flow.width = int64_t{1} << spec.flow.levels;  // the size is only checked, images vary
  spec.flow.condition_channels = spec.condition;
  nfx::flow::check_spec(spec.flow);
  return spec;
}

std::string describe(const StableSrSpec& s) {
  return "x" + std::to_string(s.scale) + ", " + s.encoder + " blocks 1-" + std::to_string(s.encoder_blocks) + ", condition " +
         std::to_string(s.condition) + ", " + nfx::flow::describe_layers(s.flow);
}

StableSr::StableSr(const StableSrSpec& spec, const std::string& models_dir, uint64_t seed) : spec_(checked(spec)) {
  const models::ZooModel zoo = models::find_zoo_model(spec_.encoder, static_cast<int>(spec_.scale), models_dir);
  encoder_ = std::make_shared<models::TfjsModel>(models::TfjsModel::load(zoo.file, feature_layers(spec_)));
  encoder_range_ = zoo.input_range;

  // 1 x 1 reduction of the blocks' features, a 3 x 3 layer, and (at x4) a pixel-shuffle lift to half the
  // output resolution, where the flow's first level works.
  const int64_t in = kFeatureChannels * spec_.encoder_blocks, c = spec_.condition, lift = spec_.scale / 2;
  lift_ = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(in, c, 1)), nn::ReLU(),
                         nn::Conv2d(nn::Conv2dOptions(c, c * lift * lift, 3).padding(1)));
  if (lift > 1) lift_->push_back(nn::PixelShuffle(lift));
  register_module("lift", lift_);
  // The mean: two 3 x 3 layers at the condition's resolution, then a 2 x 2 pixel shuffle to the output's.
  mean_ = nn::Sequential(nn::Conv2d(nn::Conv2dOptions(c, c, 3).padding(1)), nn::ReLU(),
                         nn::Conv2d(nn::Conv2dOptions(c, 3 * 4, 3).padding(1)), nn::PixelShuffle(2));
  register_module("mean", mean_);
  torch::Generator generator = nfx::training::make_generator(nfx::training::derive_seed(seed, "lift"));
  nfx::training::reset_parameters(*lift_, generator);
  nfx::training::reset_parameters(*mean_, generator);
  {
    torch::NoGradGuard no_grad;  // the mean starts at zero, so an untrained model is the bicubic upscale
    for (auto& p : mean_[2]->parameters()) p.zero_();
  }
  flow_ = register_module("flow", std::make_shared<nfx::flow::FlowModel>(spec_.flow, nfx::training::derive_seed(seed, "flow")));
}

torch::Tensor StableSr::features(const torch::Tensor& low) const {
  std::vector<torch::Tensor> blocks = encoder_->forward_outputs(low * encoder_range_);
  torch::Tensor joined = torch::cat(blocks, 1);
  return joined.clone();  // a normal tensor, not an inference one, so training can use it
}

torch::Tensor StableSr::condition(const torch::Tensor& features) { return lift_->forward(features); }

torch::Tensor StableSr::base(const torch::Tensor& low) const {
  return torch::upsample_bicubic2d(low, {low.size(2) * spec_.scale, low.size(3) * spec_.scale}, false);
}

torch::Tensor StableSr::mean(const torch::Tensor& condition) { return mean_->forward(condition); }

torch::Tensor StableSr::log_prob(const torch::Tensor& residual, const torch::Tensor& condition) {
  return flow_->log_prob(residual - mean(condition), condition);
}

torch::Tensor StableSr::residual(const torch::Tensor& condition, double temperature, torch::Generator* generator) {
  // Latent shapes: each level squeezes (channels x 4, sides / 2) and all but the last hand half on.
  const int64_t n = condition.size(0);
  int64_t channels = spec_.flow.channels, h = condition.size(2) * 2, w = condition.size(3) * 2;
  std::vector<torch::Tensor> z;
  for (int64_t l = 0; l < spec_.flow.levels; ++l) {
    channels *= 4;
    h /= 2;
    w /= 2;
    const int64_t kept = l + 1 < spec_.flow.levels ? channels / 2 : channels;
    if (temperature > 0) {
      TORCH_CHECK(generator != nullptr, "sampling at temperature > 0 needs a generator");
      z.push_back(torch::randn({n, kept, h, w}, *generator, condition.options()) * temperature);
    } else {
      z.push_back(torch::zeros({n, kept, h, w}, condition.options()));
    }
    channels -= l + 1 < spec_.flow.levels ? kept : 0;
  }
  return mean(condition) + flow_->decode(z, condition);
}

int64_t StableSr::input_multiple() const {
  const int64_t output_multiple = int64_t{1} << spec_.flow.levels;
  return std::max<int64_t>(1, output_multiple / spec_.scale);
}

torch::Tensor StableSr::upscale(const torch::Tensor& low, double temperature, torch::Generator* generator) {
  // Sides that the flow's squeezes cannot halve are padded by repeating the border, and cropped again.
  const int64_t m = input_multiple(), h = low.size(2), w = low.size(3);
  const torch::Tensor padded = torch::replication_pad2d(low, {0, (m - w % m) % m, 0, (m - h % m) % m});
  const torch::Tensor up = base(padded) + residual(condition(features(padded)), temperature, generator);
  return up.slice(2, 0, h * spec_.scale).slice(3, 0, w * spec_.scale);
}

int64_t StableSr::trainable_parameters() const { return nfx::training::count_elements(parameters()); }

int64_t StableSr::encoder_parameters() const { return encoder_->parameter_count(); }

std::vector<std::pair<std::string, int64_t>> StableSr::parameter_parts() const {
  return {{"frozen encoder (" + spec_.encoder + " blocks 1-" + std::to_string(spec_.encoder_blocks) + ")", encoder_parameters()},
          {"condition (trained)", nfx::training::count_elements(lift_->parameters())},
          {"mean (trained)", nfx::training::count_elements(mean_->parameters())},
          {"flow (trained)", nfx::training::count_elements(flow_->parameters())}};
}

void write_stable_sr(nfx::training::CheckpointWriter& c, const StableSr& model, bool half) {
  const StableSrSpec& s = model.spec();
  c.value("scale", s.scale);
  c.value("encoder", s.encoder);
  c.value("encoder_blocks", s.encoder_blocks);
  c.value("condition", s.condition);
  c.value("levels", s.flow.levels);
  c.value("steps", s.flow.steps);
  c.value("hidden", s.flow.hidden);
  c.value("mixing", s.flow.mixing);
  c.value("coupling", s.flow.coupling);
  c.value("direction", std::string(s.flow.direction == nfx::flow::Direction::inverse ? "inverse" : "standard"));
  for (const auto& t : model.named_parameters()) c.tensor("weights/" + t.key(), half ? t.value().to(torch::kHalf) : t.value());
  for (const auto& t : model.named_buffers()) {
    c.tensor("weights/" + t.key(), half && t.value().is_floating_point() ? t.value().to(torch::kHalf) : t.value());
  }
}

StableSrSpec spec_from_fields(const std::function<int64_t(const std::string&)>& integer,
                              const std::function<std::string(const std::string&)>& text) {
  StableSrSpec s;
  s.scale = integer("scale");
  s.encoder = text("encoder");
  s.encoder_blocks = integer("encoder_blocks");
  s.condition = integer("condition");
  nfx::flow::read_layer_fields(s.flow, integer, text);
  return checked(s);
}

StableSrSpec read_stable_sr_spec(nfx::training::CheckpointReader& c) {
  try {
    return spec_from_fields([&](const std::string& key) { return c.integer(key); },
                            [&](const std::string& key) { return c.text(key); });
  } catch (const nfx::flow::SpecError& e) {
    throw nfx::training::CheckpointError(c.path() + ": field '" + e.field() + "': " + e.what());
  }
}

void read_stable_sr_weights(nfx::training::CheckpointReader& c, StableSr& model) {
  torch::NoGradGuard no_grad;
  const auto load = [&](const std::string& name, torch::Tensor& into) {
    const torch::Tensor t = c.tensor("weights/" + name);
    if (t.sizes() != into.sizes()) {
      throw nfx::training::CheckpointError(c.path() + ": tensor 'weights/" + name + "' is " + c10::str(t.sizes()) +
                                           ", this model's is " + c10::str(into.sizes()));
    }
    if (t.is_floating_point() && !torch::isfinite(t).all().item<bool>()) {
      throw nfx::training::CheckpointError(c.path() + ": tensor 'weights/" + name + "' holds NaN or infinity");
    }
    into.copy_(t);
  };
  for (auto& t : model.named_parameters()) load(t.key(), t.value());
  for (auto& t : model.named_buffers()) load(t.key(), t.value());
}

}  // namespace nfx::sr
