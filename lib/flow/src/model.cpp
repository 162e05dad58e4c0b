#include <nfx/flow/model.hpp>

#include <nfx/flow/basic_layers.hpp>
#include <nfx/flow/coupling.hpp>
#include <nfx/flow/periodic_layer.hpp>
#include <nfx/flow/triangular_layers.hpp>

#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <cstdlib>
#include <stdexcept>

namespace nfx::flow {

namespace {

// "a+b" -> {"a", "b"}.
std::vector<std::string> mixing_layers(const std::string& mixing) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t plus = mixing.find('+', start);
    parts.push_back(mixing.substr(start, plus - start));
    if (plus == std::string::npos) return parts;
    start = plus + 1;
  }
}

// "finc3" with prefix "finc" -> 3; 0 for anything else.
int64_t kernel_size(const std::string& layer, const std::string& prefix) {
  if (layer.rfind(prefix, 0) != 0 || layer.size() == prefix.size() || layer.size() > prefix.size() + 2) return 0;
  for (size_t i = prefix.size(); i < layer.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(layer[i]))) return 0;
  }
  return std::stoll(layer.substr(prefix.size()));
}
int64_t finc_size(const std::string& layer) { return kernel_size(layer, "finc"); }
int64_t periodic_size(const std::string& layer) { return kernel_size(layer, "periodic"); }

// Channels at each level after its squeeze.
std::vector<int64_t> level_channels(const ModelSpec& spec) {
  std::vector<int64_t> out;
  int64_t c = spec.channels;
  for (int64_t l = 0; l < spec.levels; ++l) {
    c *= 4;
    out.push_back(c);
    c -= c / 2;  // the half that stays after the split
  }
  return out;
}

double gaussian_log_norm() { return 0.5 * std::log(2.0 * M_PI); }

// The most weights a model (from a graph or from a checkpoint file) may ask for: NFX_MAX_MODEL_WEIGHTS,
// default 2,000 million (8 GB of float32), so a crafted checkpoint cannot make nfx allocate without bound.
double max_model_weights() {
  const char* env = std::getenv("NFX_MAX_MODEL_WEIGHTS");
  char* end = nullptr;
  const double v = env ? std::strtod(env, &end) : 0;
  return env && end != env && *end == '\0' && v >= 1 ? v : 2e9;
}

}  // namespace

std::string layer_param(const std::string& field) { return field == "steps" ? "steps_per_level" : field; }

void read_layer_fields(ModelSpec& s, const std::function<int64_t(const std::string&)>& integer,
                       const std::function<std::string(const std::string&)>& text) {
  s.levels = integer("levels");
  s.steps = integer("steps");
  s.hidden = integer("hidden");
  s.mixing = text("mixing");
  s.coupling = text("coupling");
  s.direction = text("direction") == "inverse" ? Direction::inverse : Direction::standard;
}

std::string describe_layers(const ModelSpec& s) {
  return std::to_string(s.levels) + " levels x " + std::to_string(s.steps) + " steps, hidden " + std::to_string(s.hidden) + ", " +
         s.mixing + " mixing, " + s.coupling + " coupling, " + (s.direction == Direction::inverse ? "inverse" : "standard") +
         " direction";
}

void check_spec(const ModelSpec& spec) {
  auto fail = [](const char* field, const std::string& m) { throw SpecError(field, m); };
  if (spec.channels < 1 || spec.height < 1 || spec.width < 1) fail("data", "channels, height and width must be positive");
  if (spec.levels < 1) fail("levels", "levels must be at least 1, got " + std::to_string(spec.levels));
  if (spec.steps < 1) fail("steps", "steps must be at least 1, got " + std::to_string(spec.steps));
  if (spec.hidden < 1) fail("hidden", "hidden must be at least 1, got " + std::to_string(spec.hidden));
  if (spec.condition_channels < 0) {
    fail("condition_channels", "condition_channels must be 0 or more, got " + std::to_string(spec.condition_channels));
  }
  // Upper bounds, so a spec from a crafted file cannot overflow a shift or ask for terabytes: far above
  // any model nfx trains, below what one machine could hold.
  auto at_most = [&](const char* field, int64_t value, int64_t limit) {
    if (value > limit) fail(field, std::string(field) + " = " + std::to_string(value) + " is more than " + std::to_string(limit));
  };
  at_most("levels", spec.levels, 8);
  at_most("steps", spec.steps, 256);
  at_most("hidden", spec.hidden, 4096);
  at_most("data", spec.channels, 64);
  at_most("data", spec.height, 16384);
  at_most("data", spec.width, 16384);
  at_most("condition_channels", spec.condition_channels, 4096);
  const int64_t factor = int64_t{1} << spec.levels;
  if (spec.height % factor != 0 || spec.width % factor != 0) {
    fail("levels", "levels = " + std::to_string(spec.levels) + " squeezes the image " + std::to_string(spec.levels) +
                       " times, so height and width must be multiples of " + std::to_string(factor) + ", got " +
                       std::to_string(spec.height) + " x " + std::to_string(spec.width));
  }
  bool uses_finc = false;
  for (const std::string& layer : mixing_layers(spec.mixing)) {
    if (layer != "invconv1x1" && layer != "none" && finc_size(layer) < 1 && periodic_size(layer) < 1) {
      fail("mixing", "mixing = \"" + spec.mixing + "\": expected \"invconv1x1\", \"finc<k>\" (e.g. \"finc3\"), "
                     "\"periodic<k>\" (e.g. \"periodic3\"), \"none\", or several joined by '+' (\"invconv1x1+finc3\")");
    }
    uses_finc = uses_finc || finc_size(layer) > 0;
  }
  if (spec.coupling != "affine" && spec.coupling != "quad") {
    fail("coupling", "coupling = \"" + spec.coupling + "\": expected \"affine\" or \"quad\"");
  }
  // The coupling networks dominate: 3 x 3 convolutions in, across and out of `hidden` channels, per step.
  double weights = 0;
  for (int64_t c : level_channels(spec)) {
    weights += static_cast<double>(spec.steps) * 9.0 * spec.hidden * (spec.hidden + 2.0 * c + spec.condition_channels);
  }
  if (weights > max_model_weights()) {
    fail("hidden", "levels, steps and hidden ask for about " + std::to_string(static_cast<int64_t>(weights / 1e6)) +
                       " million weights, more than the " + std::to_string(static_cast<int64_t>(max_model_weights() / 1e6)) +
                       " million nfx builds (NFX_MAX_MODEL_WEIGHTS)");
  }
  for (int64_t c : level_channels(spec)) {
    if ((spec.coupling == "quad" || uses_finc) && c % 4 != 0) {
      fail(uses_finc ? "mixing" : "coupling", "a level has " + std::to_string(c) + " channels, which the quad "
                                              "coupling and the FInC unit cannot split into four blocks");
    }
  }
}

FlowModel::FlowModel(const ModelSpec& spec, uint64_t seed) : spec_(spec) {
  check_spec(spec);
  torch::Generator generator = at::make_generator<at::CPUGeneratorImpl>(seed);
  const std::vector<int64_t> channels = level_channels(spec);
  for (int64_t l = 0; l < spec.levels; ++l) {
    std::vector<FlowLayerPtr> layers;
    const int64_t c = channels[l];
    for (int64_t s = 0; s < spec.steps; ++s) {
      const std::string name = "level" + std::to_string(l) + "_step" + std::to_string(s) + "_";
      layers.push_back(register_module(name + "actnorm", std::make_shared<ActNorm>(c)));
      int mixing_index = 0;
      for (const std::string& layer : mixing_layers(spec.mixing)) {
        const std::string mixing_name = name + "mixing" + std::to_string(mixing_index++);
        if (layer == "invconv1x1") {
          layers.push_back(register_module(mixing_name, std::make_shared<InvConv1x1>(c, generator)));
        } else if (const int64_t k = finc_size(layer); k > 0) {
          layers.push_back(register_module(mixing_name, std::make_shared<FincUnit>(c, k, spec.direction, generator)));
        } else if (const int64_t k = periodic_size(layer); k > 0) {
          layers.push_back(register_module(mixing_name, std::make_shared<PeriodicConv>(c, k, spec.direction, generator)));
        }
      }
      if (spec.coupling == "quad") {
        layers.push_back(register_module(name + "coupling",
                                         std::make_shared<QuadCoupling>(c, spec.hidden, spec.condition_channels, generator)));
      } else {
        layers.push_back(register_module(name + "coupling",
                                         std::make_shared<AffineCoupling>(c, spec.hidden, spec.condition_channels, generator)));
      }
    }
    levels_.push_back(std::move(layers));
  }
}

torch::Tensor FlowModel::run_level(size_t level, torch::Tensor h, torch::Tensor* logdet, const torch::Tensor& condition) {
  torch::Tensor c;
  if (spec_.condition_channels > 0) {
    TORCH_CHECK(condition.defined() && condition.dim() == 4 && condition.size(0) == h.size(0) &&
                    condition.size(1) == spec_.condition_channels,
                "this model is conditional: it needs a condition of ", h.size(0), " x ", spec_.condition_channels,
                " x H x W", condition.defined() ? ", got " + c10::str(condition.sizes()) : std::string());
    c = torch::adaptive_avg_pool2d(condition, {h.size(2), h.size(3)});
  } else {
    TORCH_CHECK(!condition.defined(), "this model is not conditional (condition_channels = 0)");
  }
  const std::vector<FlowLayerPtr>& layers = levels_[level];
  auto apply = [&](const FlowLayerPtr& layer) {
    auto* coupling = dynamic_cast<Coupling*>(layer.get());
    if (logdet != nullptr) return coupling ? coupling->forward(h, *logdet, c) : layer->forward(h, *logdet);
    return coupling ? coupling->inverse(h, c) : layer->inverse(h);
  };
  if (logdet != nullptr) {
    for (const FlowLayerPtr& layer : layers) h = apply(layer);
  } else {
    for (auto layer = layers.rbegin(); layer != layers.rend(); ++layer) h = apply(*layer);
  }
  return h;
}

std::vector<torch::Tensor> FlowModel::encode(const torch::Tensor& x, torch::Tensor& logdet, const torch::Tensor& condition) {
  std::vector<torch::Tensor> z;
  torch::Tensor h = x;
  for (size_t l = 0; l < levels_.size(); ++l) {
    h = run_level(l, squeeze_2x2(h), &logdet, condition);
    if (l + 1 < levels_.size()) {
      const int64_t out = h.size(1) / 2;
      z.push_back(h.narrow(1, 0, out));
      h = h.narrow(1, out, h.size(1) - out);
    }
  }
  z.push_back(h);
  return z;
}

torch::Tensor FlowModel::decode(const std::vector<torch::Tensor>& z, const torch::Tensor& condition) {
  TORCH_CHECK(z.size() == levels_.size(), "decode needs one latent per level (", levels_.size(), "), got ", z.size());
  torch::Tensor h = z.back();
  for (size_t l = levels_.size(); l-- > 0;) {
    if (l + 1 < levels_.size()) h = torch::cat({z[l], h}, 1);
    h = unsqueeze_2x2(run_level(l, h, nullptr, condition));
  }
  return h;
}

torch::Tensor FlowModel::log_prob(const torch::Tensor& x, const torch::Tensor& condition) {
  torch::Tensor logdet = torch::zeros({x.size(0)}, x.options());
  const std::vector<torch::Tensor> z = encode(x, logdet, condition);
  torch::Tensor log_p = logdet;
  for (const torch::Tensor& part : z) {
    log_p = log_p - (0.5 * part.pow(2) + gaussian_log_norm()).sum({1, 2, 3});
  }
  return log_p;
}

std::vector<std::vector<int64_t>> FlowModel::latent_shapes(int64_t n) const {
  std::vector<std::vector<int64_t>> shapes;
  const std::vector<int64_t> channels = level_channels(spec_);
  int64_t h = spec_.height, w = spec_.width;
  for (size_t l = 0; l < channels.size(); ++l) {
    h /= 2;
    w /= 2;
    const int64_t c = l + 1 < channels.size() ? channels[l] / 2 : channels[l];
    shapes.push_back({n, c, h, w});
  }
  return shapes;
}

torch::Tensor FlowModel::sample(int64_t n, double temperature, torch::Generator& generator, const torch::Tensor& condition) {
  torch::NoGradGuard no_grad;
  const auto options = parameters().front().options();
  std::vector<torch::Tensor> z;
  for (const auto& shape : latent_shapes(n)) z.push_back(torch::randn(shape, generator, options) * temperature);
  return decode(z, condition);
}

}  // namespace nfx::flow
