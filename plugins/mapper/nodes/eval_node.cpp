// mapper.eval: how good a trained mapper's classes are on pixels it was not fitted on, next to its
// baselines: silhouette (exact), Davies-Bouldin and Calinski-Harabasz of the autoencoder's, PCA's and the
// bands' clusters, each in its own feature space (as the thesis reports) and in the one space where they
// compare (the standardized features); with other models of the same scene trained with other seeds, the
// adjusted Rand index and NMI between their maps (how stable each method is). A JSON report and a log table.
#include "mapper_nodes.hpp"
#include "model/cluster_metrics.hpp"
#include "model/mapper_model.hpp"
#include "model/pixel_sample.hpp"
#include "nodes/node_params.hpp"
#include "nodes/raster_features.hpp"

#include <nfx/common/atomic_file.hpp>
#include <nfx/training/random.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>

namespace nfx::mapper {

namespace {

constexpr Method kMethods[] = {Method::autoencoder, Method::pca, Method::bands};

class Eval : public nfx::Node {
 public:
  explicit Eval(nfx::Params& p)
      : model_path_(p.get_string("model")), model_(load_model(model_path_, "model")), sample_size_(p.get_int("sample")),
        seed_(nfx::training::derive_seed(static_cast<uint64_t>(p.get_int("seed")), "evaluation")), report_path_(p.get_string("report")),
        has_reference_(p.get_bool("reference")) {
    for (const std::string& path : comma_list(p.get_string("compare"))) {
      others_.emplace_back(path, load_model(path, "compare"));
      if (others_.back().second.spec().band_names != model_.spec().band_names ||
          others_.back().second.spec().indices != model_.spec().indices || others_.back().second.k() != model_.k()) {
        throw nfx::ParamError("compare", path + " was not trained on the features and k of " + model_path_ + ", so their maps do not compare");
      }
    }
  }

  void process(nfx::Context& ctx) override {
    const nfx::TensorView raster = ctx.input(0);
    const BlockFeatures block(raster, ctx.input_text(1), ctx.item_name());
    check_bands(block, model_, model_path_, has_reference_ ? 1 : 0);
    // Each sampled pixel: its features, then with a reference map its class there.
    const int64_t d = model_.features();
    if (!sample_) sample_ = std::make_unique<PixelSample>(sample_size_, d + (has_reference_ ? 1 : 0), seed_);
    std::vector<float> reference, row(static_cast<size_t>(d + 1));
    for (int64_t r0 = 0; r0 < block.rows(); r0 += block.rows_per_chunk()) {
      const ValidPixels pixels = block.rows_features(r0, std::min(block.rows(), r0 + block.rows_per_chunk()), model_.indices(),
                                                     model_.spec().neighbourhood, has_reference_ ? &reference : nullptr);
      for (size_t i = 0; i < pixels.index.size(); ++i) {
        const int64_t position = block.position(pixels.index[i]);
        if (pixel_priority(model_.sample_seed, position) <= model_.sample_threshold) {
          ++left_out_;  // the model was fitted on it
          continue;
        }
        std::copy_n(pixels.values.begin() + static_cast<int64_t>(i) * d, d, row.begin());
        if (has_reference_) row[d] = reference[i];
        sample_->offer(position, row.data());
      }
    }
  }

  void finish(nfx::Context& ctx) override {
    if (!sample_ || sample_->size() < 2 * model_.k()) {
      throw nfx::Error(model_path_ + ": too few pixels with data that the model was not fitted on (" +
                       std::to_string(sample_ ? sample_->size() : 0) + ", " + std::to_string(left_out_) + " left out) to evaluate it");
    }
    std::vector<float> raw = sample_->features();
    std::vector<int> reference;  // -1 where the reference map has no data
    if (has_reference_) {
      const int64_t d = model_.features(), n = sample_->size();
      for (int64_t i = 0; i < n; ++i) {
        const float label = raw[i * (d + 1) + d];
        reference.push_back(std::isnan(label) ? -1 : static_cast<int>(std::lround(label)));
        std::copy_n(raw.begin() + i * (d + 1), d, raw.begin() + i * d);
      }
      raw.resize(static_cast<size_t>(n * d));
    }
    std::vector<float> standardized = raw;
    model_.standardizer().apply(standardized, model_.features());
    const PointSet common = points_of(standardized, model_.features());
    nlohmann::json report = {{"model", model_path_}, {"k", model_.k()}, {"pixels", common.n}, {"left_out_as_trained_on", left_out_},
                             {"common_space", "the standardized features the model was fitted on"}};
    char line[256];
    ctx.log(NFX_LOG_INFO, "on " + std::to_string(common.n) + " pixels the model was not fitted on, k = " + std::to_string(model_.k()) + ":");
    ctx.log(NFX_LOG_INFO, "method        silhouette own / common   Davies-Bouldin own / common   Calinski-Harabasz own / common   ARI / NMI to other seeds");
    int done = 0;
    for (Method method : kMethods) {
      const std::vector<float> own_values = model_.embed(standardized, method);
      const std::vector<int> labels = model_.classify_embedded(own_values, method);
      const PointSet own = points_of(own_values, static_cast<int64_t>(own_values.size()) / common.n);
      nlohmann::json m = {{"silhouette_own", silhouette(own, labels)},     {"silhouette_common", silhouette(common, labels)},
                          {"davies_bouldin_own", davies_bouldin(own, labels)}, {"davies_bouldin_common", davies_bouldin(common, labels)},
                          {"calinski_harabasz_own", calinski_harabasz(own, labels)},
                          {"calinski_harabasz_common", calinski_harabasz(common, labels)}};
      double ari = 0, nmi = 0;
      for (const auto& [path, other] : others_) {
        const std::vector<int> other_labels = other.classify(raw, method);
        const double a = adjusted_rand_index(labels, other_labels), n = normalized_mutual_information(labels, other_labels);
        m["compared"].push_back({{"model", path}, {"adjusted_rand_index", a}, {"normalized_mutual_information", n}});
        ari += a / static_cast<double>(others_.size());
        nmi += n / static_cast<double>(others_.size());
      }
      if (has_reference_) add_reference_scores(m, labels, reference);
      std::snprintf(line, sizeof line, "%-13s %6.3f / %6.3f            %6.3f / %6.3f                %8.0f / %8.0f", method_name(method),
                    m["silhouette_own"].get<double>(), m["silhouette_common"].get<double>(), m["davies_bouldin_own"].get<double>(),
                    m["davies_bouldin_common"].get<double>(), m["calinski_harabasz_own"].get<double>(),
                    m["calinski_harabasz_common"].get<double>());
      std::string row = line;
      if (!others_.empty()) {
        std::snprintf(line, sizeof line, "          %.3f / %.3f", ari, nmi);
        row += line;
      }
      if (has_reference_) {
        std::snprintf(line, sizeof line, "   against the reference map: ARI %.3f, NMI %.3f", m["reference"]["adjusted_rand_index"].get<double>(),
                      m["reference"]["normalized_mutual_information"].get<double>());
        row += line;
      }
      ctx.log(NFX_LOG_INFO, row);
      report["methods"][method_name(method)] = m;
      ctx.progress(++done, 3);
    }
    if (!report_path_.empty()) {
      const std::string text = report.dump(2) + "\n";
      nfx::plugins::write_file_atomically(report_path_, text.data(), text.size());
      ctx.log(NFX_LOG_INFO, "wrote " + report_path_);
    }
  }

 private:
  // ARI and NMI of `labels` against the reference map's classes, on the pixels where it has one.
  static void add_reference_scores(nlohmann::json& m, const std::vector<int>& labels, const std::vector<int>& reference) {
    std::vector<int> ours, theirs;
    for (size_t i = 0; i < labels.size(); ++i) {
      if (reference[i] < 0) continue;
      ours.push_back(labels[i]);
      theirs.push_back(reference[i]);
    }
    if (ours.empty()) throw nfx::Error("the reference map has no class at any scored pixel");
    m["reference"] = {{"pixels", ours.size()},
                      {"adjusted_rand_index", adjusted_rand_index(ours, theirs)},
                      {"normalized_mutual_information", normalized_mutual_information(ours, theirs)}};
  }

  std::string model_path_;
  MapperModel model_;
  int64_t sample_size_;
  uint64_t seed_;
  std::string report_path_;
  bool has_reference_;
  std::vector<std::pair<std::string, MapperModel>> others_;
  std::unique_ptr<PixelSample> sample_;
  int64_t left_out_ = 0;
};

}  // namespace

void register_eval_node(nfx::PluginBuilder& plugin) {
  plugin.node<Eval>("mapper.eval", "Scores a trained mapper against its baselines on a seeded sample of pixels it was not "
                                   "fitted on: silhouette, Davies-Bouldin, Calinski-Harabasz in each method's own space and "
                                   "in the standardized features; ARI and NMI to models of other seeds; JSON report")
      .input(nfx::tensor_port("raster", "a block of the scene (io.read_raster's raster)"))
      .input(nfx::port("geo", NFX_KIND_TEXT, "the block's georeferencing (io.read_raster's geo)"))
      .param(nfx::required(nfx::string_param("model", "", "a model file of mapper.train")))
      .param(nfx::string_param("compare", "", "models of the same scene and settings with other seeds, joined by commas: "
                                              "the ARI and NMI between their maps and this one's"))
      .param(nfx::int_param("sample", 10000, "pixels scored (exact silhouette: time grows with its square)", 100, 200000))
      .param(nfx::int_param("seed", 1, "seed of the scored sample", 0, 1e15))
      .param(nfx::bool_param("reference", false, "the blocks' last band is a reference class map (e.g. io.read_raster's "
                                                 "stack = \"geology.tif\" with stack_resampling = \"nearest\"): the ARI and NMI "
                                                 "of each method's classes against it, where it has data"))
      .param(nfx::string_param("report", "", "JSON report (empty: the log only)"));
}

}  // namespace nfx::mapper
