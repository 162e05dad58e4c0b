// mapper.train: a seeded sample of the pixels of a scene streamed block by block from io.read_raster, and
// at the end of the scene the whole mapper fitted on it (standardization, the stacked autoencoder, the
// clusters and the baselines) and written as one model file, atomically.
#include "mapper_nodes.hpp"
#include "model/mapper_model.hpp"
#include "model/pixel_sample.hpp"
#include "nodes/node_params.hpp"
#include "nodes/raster_features.hpp"

#include <nfx/training/random.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace nfx::mapper {

namespace {

std::vector<int64_t> widths(const std::string& text) {
  std::vector<int64_t> out;
  for (const std::string& w : comma_list(text)) {
    char* end = nullptr;
    const long long width = std::strtoll(w.c_str(), &end, 10);
    if (w.empty() || *end != '\0' || width < 1 || width > 4096) {
      throw nfx::ParamError("hidden", "hidden = \"" + text + "\": expected widths from 1 to 4096 joined by commas, e.g. \"32,16\"");
    }
    out.push_back(width);
  }
  return out;
}

class Train : public nfx::Node {
 public:
  explicit Train(nfx::Params& p)
      : out_(p.get_string("out")), band_names_(p.get_string("band_names")), sample_size_(p.get_int("sample")) {
    spec_.indices = p.get_string("indices");
    spec_.neighbourhood = p.get_bool("neighbourhood");
    spec_.hidden = widths(p.get_string("hidden"));
    spec_.code = p.get_int("code");
    spec_.k = static_cast<int>(p.get_int("k"));
    spec_.k_min = static_cast<int>(p.get_int("k_min"));
    spec_.k_max = static_cast<int>(p.get_int("k_max"));
    if (spec_.k == 1) throw nfx::ParamError("k", "k = 1 is no map: give at least 2 classes, or 0 to choose k");
    if (spec_.k == 0 && spec_.k_min > spec_.k_max) throw nfx::ParamError("k_max", "k_max is below k_min");
    spec_.mixture = p.get_string("clusters") == "gaussian-mixture";
    spec_.restarts = static_cast<int>(p.get_int("restarts"));
    spec_.seed = static_cast<uint64_t>(p.get_int("seed"));
    training_.pretrain_steps = p.get_int("pretrain_steps");
    training_.finetune_steps = p.get_int("finetune_steps");
    training_.batch = p.get_int("batch");
    training_.learning_rate = p.get_float("learning_rate");
    training_.seed = nfx::training::derive_seed(spec_.seed, "autoencoder");
    sample_seed_ = nfx::training::derive_seed(spec_.seed, "sample");
  }

  void process(nfx::Context& ctx) override {
    const BlockFeatures block(ctx.input(0), ctx.input_text(1), ctx.item_name());
    const nfx::rasters::RasterBlock& geo = block.geo();
    if (!sample_) {
      const int64_t bands = block.bands();
      spec_.band_names = band_names_of(band_names_, geo, bands, "band_names");
      try {
        indices_ = parse_indices(spec_.indices, spec_.band_names);
      } catch (const nfx::Error& e) {
        throw nfx::ParamError("indices", e.what());
      }
      features_ = feature_count(bands, static_cast<int64_t>(indices_.size()), spec_.neighbourhood);
      if (spec_.code > features_) {
        throw nfx::ParamError("code", "code = " + std::to_string(spec_.code) + " is more than the " + std::to_string(features_) +
                                          " features of each pixel of " + geo.source + ": a code compresses them");
      }
      sample_ = std::make_unique<PixelSample>(sample_size_, features_, sample_seed_);
      source_ = geo.source;
    }
    if (block.bands() != static_cast<int64_t>(spec_.band_names.size())) {
      throw nfx::Error(ctx.item_name() + ": " + std::to_string(block.bands()) + " bands, but the scene's first block had " +
                       std::to_string(spec_.band_names.size()));
    }
    for (int64_t r0 = 0; r0 < block.rows(); r0 += block.rows_per_chunk()) {
      const ValidPixels pixels = block.rows_features(r0, std::min(block.rows(), r0 + block.rows_per_chunk()), indices_, spec_.neighbourhood);
      for (size_t i = 0; i < pixels.index.size(); ++i) sample_->offer(block.position(pixels.index[i]), pixels.values.data() + i * features_);
    }
  }

  void finish(nfx::Context& ctx) override {
    if (!sample_) throw nfx::Error("mapper.train: no raster blocks came in");
    std::string names;
    for (const std::string& b : spec_.band_names) names += (names.empty() ? "" : ", ") + b;
    ctx.log(NFX_LOG_INFO, source_ + ": " + std::to_string(sample_->offered()) + " pixels with data; fitting on a sample of " +
                              std::to_string(sample_->size()) + " (bands " + names + (spec_.indices.empty() ? "" : "; indices " + spec_.indices) + ")");
    MapperModel model = MapperModel::fit(spec_, sample_->features(), training_, [&](const std::string& stage, double done) {
      if (ctx.cancelled()) throw nfx::Error("mapper.train: stopped while " + stage, NFX_ERR_CANCELLED);
      ctx.progress(done, 1.0);
    });
    model.sample_seed = sample_seed_;
    model.sample_threshold = sample_->threshold();
    log_fit(ctx, model);
    model.save(out_);
    ctx.log(NFX_LOG_INFO, "wrote " + out_ + " (mapper.map model = \"" + out_ + "\")");
  }

 private:
  void log_fit(nfx::Context& ctx, const MapperModel& model) const {
    char line[160];
    std::snprintf(line, sizeof line, "autoencoder %lld", static_cast<long long>(model.features()));
    std::string shape = line;
    for (int64_t w : spec_.hidden) shape += "-" + std::to_string(w);
    shape += "-" + std::to_string(spec_.code);
    std::snprintf(line, sizeof line, ": reconstruction error %.4f (standardized)", model.reconstruction_error());
    ctx.log(NFX_LOG_INFO, shape + line);
    if (!model.k_sweep().empty()) {
      std::string sweep = "k chosen by the highest silhouette of the autoencoder's clusters:";
      for (const KChoice& c : model.k_sweep()) {
        std::snprintf(line, sizeof line, " k=%d %.3f%s", c.k, c.silhouette, c.k == model.k() ? " (chosen)" : "");
        sweep += line;
      }
      ctx.log(NFX_LOG_INFO, sweep);
    }
    for (int c = 0; c < model.k(); ++c) {
      std::snprintf(line, sizeof line, "class %d: %.1f%% of the sample, mean bands", c + 1, 100 * model.class_shares()[c]);
      std::string row = line;
      for (int64_t b = 0; b < model.bands(); ++b) {
        std::snprintf(line, sizeof line, " %.1f", model.class_means()[c * model.bands() + b]);
        row += line;
      }
      ctx.log(NFX_LOG_INFO, row);
    }
  }

  std::string out_, band_names_;
  int64_t sample_size_;
  MapperSpec spec_;
  AutoencoderTraining training_;
  uint64_t sample_seed_ = 0;
  std::vector<SpectralIndex> indices_;
  int64_t features_ = 0;  // per pixel
  std::unique_ptr<PixelSample> sample_;
  std::string source_;
};

}  // namespace

void register_train_node(nfx::PluginBuilder& plugin) {
  plugin.node<Train>("mapper.train", "Fits a mapper on a seeded sample of a scene's pixels (streamed from io.read_raster): "
                                     "standardized bands and indices, a stacked autoencoder trained layer by layer then "
                                     "fine-tuned, clusters of its codes, and the PCA and band baselines; one model file")
      .input(nfx::tensor_port("raster", "a block of the scene (io.read_raster's raster)"))
      .input(nfx::port("geo", NFX_KIND_TEXT, "the block's georeferencing (io.read_raster's geo)"))
      .param(nfx::required(nfx::string_param("out", "", "the model file to write (e.g. out/map/model.pt); replaced only when the fit succeeds")))
      .param(nfx::string_param("band_names", "", "names of the raster's bands in order, e.g. \"blue,green,red,nir,swir1,swir2\" "
                                                 "(for indices and the legend); empty: the raster's own, else band 1, band 2 ..."))
      .param(nfx::string_param("indices", "", "spectral indices added to the features: ndvi, nd(A,B), A/B over band names, "
                                              "e.g. \"ndvi, swir1/swir2, red/blue\""))
      .param(nfx::bool_param("neighbourhood", false, "add each band's mean and standard deviation over the pixel's 3 x 3 "
                                                     "window (texture); the reader then needs halo = 1"))
      .param(nfx::string_param("hidden", "16", "autoencoder widths between the features and the code, e.g. \"32,16\""))
      .param(nfx::int_param("code", 3, "autoencoder code size (and PCA components of the baseline)", 1, 64))
      .param(nfx::int_param("k", 0, "classes; 0: the k of k_min .. k_max whose autoencoder clusters have the highest "
                                    "silhouette (exact, on 5,000 of the sampled pixels)", 0, 254))
      .param(nfx::int_param("k_min", 4, "smallest k the sweep tries", 2, 254))
      .param(nfx::int_param("k_max", 10, "largest k the sweep tries", 2, 254))
      .param(nfx::string_param("clusters", "k-means", "k-means (k-means++ starts) or a gaussian-mixture with diagonal "
                                                      "covariances started from k-means", "k-means|gaussian-mixture"))
      .param(nfx::int_param("restarts", 4, "k-means starts; the lowest inertia wins", 1, 100))
      .param(nfx::int_param("sample", 20000, "pixels the mapper is fitted on (a seeded sample of those with data)", 100, 10000000))
      .param(nfx::int_param("seed", 0, "seed of the sample, the autoencoder and the clusters", 0, 1e15))
      .param(nfx::int_param("pretrain_steps", 1000, "greedy pretraining steps per autoencoder layer", 0, 10000000))
      .param(nfx::int_param("finetune_steps", 3000, "end-to-end fine-tuning steps", 0, 10000000))
      .param(nfx::int_param("batch", 256, "pixels per training step", 1, 1000000))
      .param(nfx::float_param("learning_rate", 1e-3, "Adam's learning rate", 1e-7, 1));
}

}  // namespace nfx::mapper
