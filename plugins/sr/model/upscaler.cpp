#include "upscaler.hpp"

#include "stable_sr.hpp"

#include <nfx/base.hpp>
#include <nfx/models/model_zoo.hpp>
#include <nfx/models/ncnn_model.hpp>
#include <nfx/models/tfjs_model.hpp>
#include <nfx/models/torchscript.hpp>
#include <nfx/training/facts.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/resize.hpp>

#include <torch/script.h>

#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <functional>

namespace nfx::sr {

namespace fs = std::filesystem;

// A network on batches of RGB tiles in [0, 1], and what keeps it alive.
struct Upscaler::Network {
  std::string name;
  int64_t parameters = 0;
  std::string architecture;                             // empty: not known beyond the file's kind
  std::vector<std::pair<std::string, int64_t>> parts;  // parameters by part, where the model has them
  int64_t receptive_radius = -1;                        // -1: unknown
  std::function<torch::Tensor(const torch::Tensor& tiles, torch::Generator* generator)> run;
};

namespace {

std::shared_ptr<Upscaler::Network> tfjs_network(const std::string& model_json, double range) {
  auto model = std::make_shared<models::TfjsModel>(models::TfjsModel::load(model_json));
  auto net = std::make_shared<Upscaler::Network>();
  net->parameters = model->parameter_count();
  net->architecture = "TF.js layers model";
  net->run = [model, range](const torch::Tensor& t, torch::Generator*) { return model->forward(t * range) / range; };
  return net;
}

std::shared_ptr<Upscaler::Network> ncnn_network(const std::string& param, const std::string& bin, double range) {
  auto model = std::make_shared<models::NcnnModel>(models::NcnnModel::load(param, bin));
  auto net = std::make_shared<Upscaler::Network>();
  net->parameters = model->parameter_count();
  net->architecture = "ncnn network";
  net->run = [model, range](const torch::Tensor& t, torch::Generator*) { return model->forward(t * range) / range; };
  return net;
}

std::shared_ptr<Upscaler::Network> stable_sr_network(const std::string& file, const UpscalerOptions& o) {
  std::shared_ptr<StableSr> model;
  try {
    nfx::training::CheckpointReader reader(file, kStableSrFormat);
    const StableSrSpec spec = read_stable_sr_spec(reader);
    if (spec.scale != o.scale) {
      throw nfx::Error(file + ": an x" + std::to_string(spec.scale) + " model, but scale = " + std::to_string(o.scale));
    }
    model = std::make_shared<StableSr>(spec, o.models_dir, 0);
    read_stable_sr_weights(reader, *model);
  } catch (const nfx::training::CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
  model->eval();
  auto net = std::make_shared<Upscaler::Network>();
  net->parameters = model->encoder_parameters() + model->trainable_parameters();
  net->architecture = "Affine-StableSR, " + describe(model->spec());
  net->parts = model->parameter_parts();
  net->receptive_radius = kStableSrReceptiveRadius;
  const double temperature = o.temperature;
  net->run = [model, temperature](const torch::Tensor& t, torch::Generator* g) {
    try {
      return model->upscale(t, temperature, g);
    } catch (const std::exception& e) {
      if (temperature == 0) throw;
      // Latents far out in the tails can leave the range the couplings were trained on.
      throw nfx::Error("affine-stablesr at temperature " + std::to_string(temperature) + ": the sample left the flow's range (" +
                       std::string(e.what()).substr(0, 200) + "); use a lower temperature");
    }
  };
  return net;
}

std::shared_ptr<Upscaler::Network> torchscript_network(torch::jit::Module module, double range) {
  module.eval();
  auto net = std::make_shared<Upscaler::Network>();
  for (const torch::Tensor& p : module.parameters()) net->parameters += p.numel();
  net->architecture = "TorchScript module";
  auto shared = std::make_shared<torch::jit::Module>(std::move(module));
  net->run = [shared, range](const torch::Tensor& t, torch::Generator*) {
    return shared->forward({t * range}).toTensor() / range;
  };
  return net;
}

// A file: a TF.js model.json, an ncnn .param (its .bin beside it), an Affine-StableSR model or checkpoint
// (an archive without a forward method), or TorchScript.
std::shared_ptr<Upscaler::Network> file_network(const std::string& file, const UpscalerOptions& o) {
  if (fs::path(file).extension() == ".json") return tfjs_network(file, o.input_range);
  if (fs::path(file).extension() == ".param") return ncnn_network(file, fs::path(file).replace_extension(".bin").string(), o.input_range);
  // An Affine-StableSR file is a LibTorch archive too, one without a forward method.
  torch::jit::Module module = models::load_torchscript(file, "an Affine-StableSR model or TorchScript");
  if (module.find_method("forward")) return torchscript_network(std::move(module), o.input_range);
  return stable_sr_network(file, o);
}

}  // namespace

std::string stable_sr_weights(const std::string& weights_dir, int64_t scale) {
  const std::string name = "affine-stablesr-x" + std::to_string(scale) + ".pt";
  if (!weights_dir.empty()) return (fs::path(weights_dir) / name).string();
  std::vector<fs::path> places;
  Dl_info info;
  if (dladdr(reinterpret_cast<void*>(&stable_sr_weights), &info) != 0 && info.dli_fname != nullptr) {
    places.push_back(fs::path(info.dli_fname).parent_path() / "sr" / name);
  }
  places.push_back(fs::path(NFX_SR_SOURCE_MODELS) / name);
  std::error_code ec;
  for (const fs::path& place : places) {
    if (fs::is_regular_file(place, ec)) return place.string();
  }
  return places.front().string();
}

namespace {

// The tile of `tile = 0`: 192 input pixels, or larger so the overlap is at most a third of it (each pixel
// is then computed at most (3/2)^2 = 2.25 times; a quarter would need 7 GB for realesrgan-x4plus).
int64_t auto_tile(int64_t overlap) { return std::max<int64_t>(192, 3 * overlap); }

// Tiles for a model that sees `radius` input pixels around each output pixel (-1: unknown). Unless the user
// set one, the overlap is twice that, so each tile's output is used only where it is the whole image's;
// a tile the user set must then leave a stride of at least the overlap (else most of the work is repeated
// and a small tile gives seams or crawls): an error at the `tile` line, not a silent clamp.
nfx::training::TileOptions tiles_for(const UpscalerOptions& o, int64_t radius, const std::string& model) {
  nfx::training::TileOptions tiles;
  tiles.scale = o.scale;
  tiles.overlap = o.overlap >= 0 ? o.overlap : radius < 0 ? 16 : 2 * radius;
  tiles.tile = o.tile > 0 ? o.tile : auto_tile(tiles.overlap);
  if (o.tile > 0 && o.overlap < 0 && radius >= 0 && 2 * tiles.overlap > o.tile) {
    const auto n = [](int64_t v) { return std::to_string(v); };
    throw nfx::ParamError("tile", "tile = " + n(o.tile) + " is too small for " + model + ", which sees " + n(radius) +
                                      " input pixels around each output pixel: seamless tiles overlap by " + n(tiles.overlap) +
                                      ", so tile must be at least " + n(2 * tiles.overlap) + " (0 picks " +
                                      n(auto_tile(tiles.overlap)) + "), or set `overlap` to accept seams");
  }
  if (radius >= 0 && 2 * radius <= tiles.overlap) tiles.margin = radius;  // else a blend over the whole overlap
  return tiles;
}

constexpr int64_t kBicubicRadius = 2;  // MATLAB's upscaling kernel spans 4 input pixels

// A network's output for RGB tiles, checked before it is blended into the image: a model handed to the node
// may give another channel count (memory past the image's rows) or NaN / Inf (a black or white image).
torch::Tensor checked_output(torch::Tensor out, const std::string& model, bool check_finite) {
  if (out.dim() != 4 || out.size(1) != 3) {
    throw nfx::Error(model + ": the network gives " + c10::str(out.sizes()) + " for RGB tiles; an upscaler must give 3 channels (N x 3 x H x W)",
                     NFX_ERR_INVALID_ARGUMENT);
  }
  if (check_finite && !torch::isfinite(out).all().item<bool>()) {
    throw nfx::Error(model + ": the network's output holds NaN or Inf (broken weights?); nothing was written for this image",
                     NFX_ERR_INVALID_ARGUMENT);
  }
  return out;
}

}  // namespace

Upscaler::Upscaler(const UpscalerOptions& options)
    : options_(options), tiles_(tiles_for(options, kBicubicRadius, "bicubic")), bicubic_tiles_(tiles_) {
  const std::string& name = options.model;
  if (name == "bicubic") return;
  if (models::is_zoo_name(name)) {
    const models::ZooModel zoo = models::find_zoo_model(name, static_cast<int>(options.scale), options.models_dir);
    network_ = zoo.is_ncnn() ? ncnn_network(zoo.file, zoo.weights, zoo.input_range) : tfjs_network(zoo.file, zoo.input_range);
    network_->receptive_radius = zoo.receptive_radius;
  } else if (name == "affine-stablesr") {
    const std::string file = stable_sr_weights(options.weights_dir, options.scale);
    std::error_code ec;
    if (!fs::is_regular_file(file, ec)) {
      throw nfx::Error("affine-stablesr has no x" + std::to_string(options.scale) + " weights at " + file +
                       " (train them with graphs/sr-train.toml, or set `weights`)", NFX_ERR_IO);
    }
    network_ = stable_sr_network(file, options);
  } else {
    network_ = file_network(name, options);
  }
  network_->name = name;
  tiles_ = tiles_for(options, network_->receptive_radius, name);
}

Upscaler::~Upscaler() = default;

nfx::training::TileOptions Upscaler::tile_options(const nfx::training::TileOptions& tiles, const Progress& progress, double first,
                                                  double share) const {
  nfx::training::TileOptions with_progress = tiles;
  if (progress) {
    with_progress.progress = [=](int64_t done, int64_t total) {
      progress(first + share * static_cast<double>(done) / static_cast<double>(total), 1.0);
    };
  }
  return with_progress;
}

nfx::training::ImageModel Upscaler::bicubic_model() const {
  const int64_t s = options_.scale;
  return [s](const torch::Tensor& t) { return nfx::training::imresize_bicubic(t, t.size(2) * s, t.size(3) * s).clamp(0, 1); };
}

void Upscaler::upscale_float(const torch::Tensor& image, uint64_t seed, const nfx::training::FloatRowSink& sink,
                             const Progress& progress) const {
  const int64_t c = image.size(0);
  if (image.dim() != 3 || (c != 1 && c != 3 && c != 4) || image.scalar_type() != torch::kUInt8) {
    throw nfx::Error("expected a gray, RGB or RGBA image (C x H x W uint8), got " + c10::str(image.sizes()), NFX_ERR_INVALID_ARGUMENT);
  }
  if (!network_) {
    nfx::training::tiled_apply_float(image, bicubic_model(), tile_options(bicubic_tiles_, progress, 0, 1), sink);
    return;
  }
  // Alpha first (bicubic, cheap, held as uint8), so each band of the network's rows leaves complete.
  torch::Tensor alpha;
  if (c == 4) {
    alpha = nfx::training::tiled_apply(image.narrow(0, 3, 1).contiguous(), bicubic_model(),
                                       tile_options(bicubic_tiles_, progress, 0, 0.05));
  }
  const torch::Tensor rgb = c == 1 ? image.expand({3, image.size(1), image.size(2)}).contiguous() : image.narrow(0, 0, 3).contiguous();
  torch::Generator generator = nfx::training::make_generator(seed);
  const Network& net = *network_;
  const auto band = [&](int64_t first, const torch::Tensor& rows) {
    if (c == 1) {  // back to gray as OpenCV's RGB2GRAY weighs the channels
      sink(first, (0.299 * rows[0] + 0.587 * rows[1] + 0.114 * rows[2]).unsqueeze(0));
    } else if (c == 4) {
      sink(first, torch::cat({rows, alpha.narrow(1, first, rows.size(1)).to(torch::kFloat).div(255.0)}, 0));
    } else {
      sink(first, rows);
    }
  };
  try {
    const auto model = [&](const torch::Tensor& t) { return checked_output(net.run(t, &generator), net.name, options_.check_finite); };
    nfx::training::tiled_apply_float(rgb, model,
                                     tile_options(tiles_, progress, c == 4 ? 0.05 : 0, c == 4 ? 0.95 : 1), band);
  } catch (const c10::Error& e) {
    throw nfx::Error(net.name + ": " + e.what_without_backtrace());
  }
}

void Upscaler::upscale(const torch::Tensor& image, uint64_t seed, const nfx::training::RowSink& sink, const Progress& progress) const {
  upscale_float(image, seed, [&](int64_t first, const torch::Tensor& rows) { sink(first, nfx::training::to_uint8_rows(rows)); }, progress);
}

torch::Tensor Upscaler::upscale(const torch::Tensor& image, uint64_t seed) const {
  std::vector<torch::Tensor> rows;
  upscale(image, seed, [&](int64_t, const torch::Tensor& r) { rows.push_back(r); });
  return torch::cat(rows, 0).permute({2, 0, 1}).contiguous();
}

torch::Tensor Upscaler::upscale_float(const torch::Tensor& image, uint64_t seed) const {
  std::vector<torch::Tensor> bands;
  upscale_float(image, seed, [&](int64_t, const torch::Tensor& rows) { bands.push_back(rows); });
  return torch::cat(bands, 1);
}

int64_t Upscaler::parameter_count() const { return network_ ? network_->parameters : 0; }

std::string Upscaler::description() const {
  return options_.model + " x" + std::to_string(options_.scale) + " (" + nfx::training::with_commas(parameter_count()) + " parameters)";
}

nfx::training::Facts Upscaler::facts() const {
  nfx::training::Facts facts{{"model", options_.model}, {"scale", "x" + std::to_string(options_.scale)}};
  if (!network_) {
    facts.emplace_back("architecture", "MATLAB's bicubic imresize");
    facts.emplace_back("parameters", "0");
  } else {
    if (!network_->architecture.empty()) facts.emplace_back("architecture", network_->architecture);
    facts.emplace_back("parameters", nfx::training::with_commas(network_->parameters));
    for (const auto& [part, count] : network_->parts) facts.emplace_back("  " + part, nfx::training::with_commas(count));
  }
  const int64_t radius = network_ ? network_->receptive_radius : kBicubicRadius;
  facts.emplace_back("receptive radius", radius < 0 ? "unknown" : std::to_string(radius) + " input pixels");
  facts.emplace_back("tiles", std::to_string(tiles_.tile) + " input pixels, overlap " + std::to_string(tiles_.overlap) +
                                  ", margin " + std::to_string(tiles_.margin));
  if (network_ && !network_->parts.empty()) {  // Affine-StableSR
    char temperature[32];
    std::snprintf(temperature, sizeof temperature, "%g", options_.temperature);
    facts.emplace_back("temperature", options_.temperature == 0 ? "0 (the mode: deterministic)" : temperature);
  }
  return facts;
}

}  // namespace nfx::sr
