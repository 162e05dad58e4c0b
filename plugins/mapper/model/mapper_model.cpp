#include "model/mapper_model.hpp"

#include "model/cluster_metrics.hpp"
#include "model/kmeans.hpp"

#include <nfx/base.hpp>
#include <nfx/training/checkpoint.hpp>

#include <torch/torch.h>

#include <algorithm>
#include <numeric>
#include <sstream>

namespace nfx::mapper {

namespace {

constexpr const char* kFormat = "nfx-mapper-model-1";
constexpr Method kMethods[] = {Method::autoencoder, Method::pca, Method::bands};
constexpr int64_t kSweepPixels = 5000;  // the silhouette of each k in the sweep is exact on this many

std::string joined(const std::vector<int64_t>& values) {
  std::string out;
  for (int64_t v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

torch::Tensor tensor_of(const std::vector<double>& values) { return torch::tensor(values, torch::kFloat64); }
torch::Tensor tensor_of(const std::vector<float>& values) { return torch::tensor(values, torch::kFloat32); }

template <typename T>
std::vector<T> values_of(const torch::Tensor& t, size_t expected, const std::string& name, const std::string& path) {
  const torch::Tensor c = t.to(torch::CppTypeToScalarType<T>()).contiguous();
  if (static_cast<size_t>(c.numel()) != expected) {
    throw nfx::Error(path + ": " + name + " holds " + std::to_string(c.numel()) + " values, not the " + std::to_string(expected) +
                     " its model needs (a corrupt mapper model)");
  }
  return std::vector<T>(c.data_ptr<T>(), c.data_ptr<T>() + c.numel());
}

// Clusters of `points` (k-means or a mixture started from it), and each point's label.
Clusters cluster(const PointSet& points, int k, const MapperSpec& spec, std::vector<int>& labels) {
  Clusters c;
  if (spec.mixture) {
    GaussianMixtureOptions options;
    options.k = k;
    options.seed = spec.seed;
    c.mixture = fit_gaussian_mixture(points, options);
    labels = most_likely_components(c.mixture, points);
  } else {
    KMeansOptions options;
    options.k = k;
    options.restarts = spec.restarts;
    options.seed = spec.seed;
    KMeansResult fit = kmeans(points, options);
    c.centroids = std::move(fit.centroids);
    labels = std::move(fit.labels);
  }
  return c;
}

// Renumbers the clusters from the darkest to the brightest mean standardized feature (over `standardized`,
// labelled `labels`), in the clusters and in the labels.
void order_by_brightness(Clusters& c, int k, int64_t d, const PointSet& standardized, std::vector<int>& labels) {
  std::vector<double> brightness(static_cast<size_t>(k), 0.0);
  std::vector<int64_t> count(static_cast<size_t>(k), 0);
  for (int64_t i = 0; i < standardized.n; ++i) {
    brightness[labels[i]] += std::accumulate(standardized.row(i), standardized.row(i) + standardized.d, 0.0);
    ++count[labels[i]];
  }
  for (int c_ = 0; c_ < k; ++c_) brightness[c_] = count[c_] > 0 ? brightness[c_] / static_cast<double>(count[c_]) : 0.0;
  std::vector<int> order(static_cast<size_t>(k));  // order[new] = old
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return brightness[a] < brightness[b]; });
  std::vector<int> renamed(static_cast<size_t>(k));
  for (int r = 0; r < k; ++r) renamed[order[r]] = r;
  for (int& label : labels) label = renamed[label];
  const auto permute = [&](auto& rows, int64_t width) {
    if (rows.empty()) return;
    auto copy = rows;
    for (int r = 0; r < k; ++r) std::copy_n(copy.begin() + order[r] * width, width, rows.begin() + r * width);
  };
  permute(c.centroids, d);
  permute(c.mixture.weights, 1);
  permute(c.mixture.means, d);
  permute(c.mixture.variances, d);
}

}  // namespace

const char* method_name(Method method) {
  switch (method) {
    case Method::autoencoder: return "autoencoder";
    case Method::pca: return "pca";
    case Method::bands: return "bands";
  }
  return "?";
}

Method method_named(const std::string& name) {
  for (Method m : kMethods) {
    if (name == method_name(m)) return m;
  }
  throw nfx::Error("method \"" + name + "\": expected autoencoder, pca or bands");
}

std::vector<int> Clusters::label(const PointSet& points, int k, bool is_mixture) const {
  return is_mixture ? most_likely_components(mixture, points) : nearest_centroids(points, centroids, k);
}

MapperModel::MapperModel(MapperSpec spec, std::vector<SpectralIndex> indices) : spec_(std::move(spec)), indices_(std::move(indices)) {}

MapperModel MapperModel::fit(const MapperSpec& spec, std::vector<float> features, const AutoencoderTraining& training,
                             const std::function<void(const std::string&, double)>& progress) {
  MapperModel m(spec, parse_indices(spec.indices, spec.band_names));
  const int64_t d = m.features(), n = static_cast<int64_t>(features.size()) / d;
  const int k_needed = spec.k > 0 ? spec.k : spec.k_max;
  if (n < std::max(2 * k_needed, 2)) {
    throw nfx::Error("only " + std::to_string(n) + " pixels with data to fit " + std::to_string(k_needed) + " classes on");
  }
  const auto report = [&](const std::string& stage, double done) {
    if (progress) progress(stage, done);
  };
  m.standardizer_ = Standardizer::fit(points_of(features, d));
  m.standardizer_.apply(features, d);
  const PointSet x = points_of(features, d);

  // The autoencoder: greedy pretraining and fine-tuning take 0 .. 0.8 of the progress.
  AutoencoderSpec ae;
  ae.inputs = d;
  ae.hidden = spec.hidden;
  ae.code = spec.code;
  m.autoencoder_ = StackedAutoencoder(ae);
  const torch::Tensor x_tensor = torch::from_blob(features.data(), {n, d}, torch::kFloat32);
  const int64_t total_steps = training.pretrain_steps * m.autoencoder_->depth() + training.finetune_steps;
  train_autoencoder(m.autoencoder_, x_tensor, training, [&](const std::string& stage, int64_t step, int64_t) {
    // "layer L" (from 1) or "fine-tuning", after every layer's pretraining
    const int64_t layers_before = stage == "fine-tuning" ? m.autoencoder_->depth() : std::stoll(stage.substr(6)) - 1;
    const double done = static_cast<double>(layers_before * training.pretrain_steps + step) / static_cast<double>(std::max<int64_t>(1, total_steps));
    report("autoencoder " + stage, 0.8 * done);
  });
  m.reconstruction_error_ = nfx::mapper::reconstruction_error(m.autoencoder_, x_tensor);
  const std::vector<float> codes = m.embed(features, Method::autoencoder);
  const PointSet code_points = points_of(codes, spec.code);

  // k: given, or the best silhouette of the autoencoder's clusters on a spread-out part of the sample.
  m.k_ = spec.k;
  Clusters best_clusters;  // the sweep's clustering of the codes at the k it chose: not made twice
  std::vector<int> best_labels;
  if (m.k_ == 0) {
    const int64_t step = std::max<int64_t>(1, n / kSweepPixels);
    std::vector<float> part;
    std::vector<int64_t> rows;
    for (int64_t i = 0; i < n && static_cast<int64_t>(rows.size()) < kSweepPixels; i += step) {
      rows.push_back(i);
      part.insert(part.end(), code_points.row(i), code_points.row(i) + spec.code);
    }
    for (int k = spec.k_min; k <= spec.k_max; ++k) {
      std::vector<int> labels;
      Clusters clusters = cluster(code_points, k, spec, labels);
      std::vector<int> part_labels;
      for (int64_t r : rows) part_labels.push_back(labels[r]);
      m.k_sweep_.push_back({k, silhouette(points_of(part, spec.code), part_labels)});
      if (best_labels.empty() || m.k_sweep_.back().silhouette > m.k_sweep_[static_cast<size_t>(m.k_ - spec.k_min)].silhouette) {
        m.k_ = k;
        best_clusters = std::move(clusters);
        best_labels = std::move(labels);
      }
      report("choosing k", 0.8 + 0.1 * static_cast<double>(k - spec.k_min + 1) / static_cast<double>(spec.k_max - spec.k_min + 1));
    }
  }

  // The three clusterings on the same pixels with the same k.
  m.pca_ = fit_pca(x, spec.code);
  std::vector<int> labels;
  for (Method method : kMethods) {
    const std::vector<float> own = m.embed(features, method);
    const int64_t own_d = static_cast<int64_t>(own.size()) / n;
    std::vector<int> method_labels;
    const bool swept = method == Method::autoencoder && !best_labels.empty();
    Clusters c = swept ? std::move(best_clusters) : cluster(points_of(own, own_d), m.k_, spec, method_labels);
    if (swept) method_labels = std::move(best_labels);
    order_by_brightness(c, m.k_, own_d, x, method_labels);
    m.clusters_[static_cast<size_t>(method)] = std::move(c);
    if (method == Method::autoencoder) labels = std::move(method_labels);
    report("clustering", method == Method::bands ? 1.0 : 0.95);
  }

  // The legend: each autoencoder class's mean bands in the raster's own units, and its share.
  const int64_t b = m.bands();
  m.class_means_.assign(static_cast<size_t>(m.k_ * b), 0.0);
  m.class_shares_.assign(static_cast<size_t>(m.k_), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    m.class_shares_[labels[i]] += 1;
    for (int64_t j = 0; j < b; ++j) {
      m.class_means_[labels[i] * b + j] += x.row(i)[j] * m.standardizer_.scale[j] + m.standardizer_.mean[j];
    }
  }
  for (int c = 0; c < m.k_; ++c) {
    for (int64_t j = 0; j < b; ++j) m.class_means_[c * b + j] /= std::max(1.0, m.class_shares_[c]);
    m.class_shares_[c] /= static_cast<double>(n);
  }
  m.sample_pixels = n;
  return m;
}

std::vector<float> MapperModel::embed(const std::vector<float>& standardized, Method method) const {
  const int64_t d = features(), n = static_cast<int64_t>(standardized.size()) / d;
  switch (method) {
    case Method::autoencoder: {
      if (n == 0) return {};
      torch::NoGradGuard no_grad;
      const torch::Tensor x = torch::from_blob(const_cast<float*>(standardized.data()), {n, d}, torch::kFloat32);
      const torch::Tensor z = autoencoder_->encode(x).contiguous();
      return std::vector<float>(z.data_ptr<float>(), z.data_ptr<float>() + z.numel());
    }
    case Method::pca: return project(pca_, points_of(standardized, d));
    case Method::bands: break;
  }
  return standardized;
}

std::vector<int> MapperModel::classify(std::vector<float> features_of_pixels, Method method) const {
  standardizer_.apply(features_of_pixels, features());
  return classify_embedded(embed(features_of_pixels, method), method);
}

std::vector<int> MapperModel::classify_embedded(const std::vector<float>& own, Method method) const {
  const int64_t d = method == Method::bands ? features() : spec_.code, n = static_cast<int64_t>(own.size()) / d;
  if (n == 0) return {};
  return clusters_[static_cast<size_t>(method)].label(points_of(own, d), k_, spec_.mixture);
}

void MapperModel::save(const std::string& path) const {
  try {
    nfx::training::CheckpointWriter w(kFormat);
    std::string names;
    for (const std::string& b : spec_.band_names) names += (names.empty() ? "" : "\n") + b;
    w.value("band_names", names);
    w.value("indices", spec_.indices);
    w.value("neighbourhood", spec_.neighbourhood);
    w.value("hidden", joined(spec_.hidden));
    w.value("code", spec_.code);
    w.value("k", static_cast<int64_t>(k_));
    w.value("mixture", spec_.mixture);
    w.value("seed", static_cast<int64_t>(spec_.seed));
    w.value("sample_seed", static_cast<int64_t>(sample_seed));
    w.value("sample_threshold", sample_threshold);
    w.value("sample_pixels", sample_pixels);
    w.value("reconstruction_error", reconstruction_error_);
    w.tensor("standardizer.mean", tensor_of(standardizer_.mean));
    w.tensor("standardizer.scale", tensor_of(standardizer_.scale));
    w.module("autoencoder", *autoencoder_);
    w.tensor("pca.mean", tensor_of(pca_.mean));
    w.tensor("pca.components", tensor_of(pca_.components));
    w.tensor("pca.variance", tensor_of(pca_.variance));
    for (Method method : kMethods) {
      const Clusters& c = clusters_[static_cast<size_t>(method)];
      const std::string prefix = std::string(method_name(method)) + ".";
      if (spec_.mixture) {
        w.tensor(prefix + "weights", tensor_of(c.mixture.weights));
        w.tensor(prefix + "means", tensor_of(c.mixture.means));
        w.tensor(prefix + "variances", tensor_of(c.mixture.variances));
      } else {
        w.tensor(prefix + "centroids", tensor_of(c.centroids));
      }
    }
    w.tensor("class_means", tensor_of(class_means_));
    w.tensor("class_shares", tensor_of(class_shares_));
    std::vector<double> sweep;
    for (const KChoice& choice : k_sweep_) sweep.insert(sweep.end(), {static_cast<double>(choice.k), choice.silhouette});
    w.tensor("k_sweep", tensor_of(sweep));
    w.save(path);
  } catch (const nfx::training::CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  }
}

MapperModel MapperModel::load(const std::string& path) {
  try {
    nfx::training::CheckpointReader r(path, kFormat);
    MapperSpec spec;
    spec.band_names = split(r.text("band_names"), '\n');
    spec.indices = r.text("indices");
    spec.neighbourhood = r.boolean("neighbourhood");
    spec.hidden.clear();
    for (const std::string& w : split(r.text("hidden"), ',')) {
      char* end = nullptr;
      spec.hidden.push_back(std::strtoll(w.c_str(), &end, 10));
      if (w.empty() || *end != '\0' || spec.hidden.back() < 1) throw nfx::Error("hidden widths \"" + r.text("hidden") + "\" are corrupt");
    }
    spec.code = r.integer("code");
    spec.k = static_cast<int>(r.integer("k"));
    spec.mixture = r.boolean("mixture");
    spec.seed = static_cast<uint64_t>(r.integer("seed"));
    if (spec.band_names.empty() || spec.code < 1 || spec.k < 2 || spec.k > 65535) {
      throw nfx::Error(path + ": not a usable mapper model (bands, code or k out of range)", NFX_ERR_IO);
    }
    MapperModel m(spec, parse_indices(spec.indices, spec.band_names));
    m.k_ = spec.k;
    m.sample_seed = static_cast<uint64_t>(r.integer("sample_seed"));
    m.sample_threshold = r.number("sample_threshold");
    m.sample_pixels = r.integer("sample_pixels");
    m.reconstruction_error_ = r.number("reconstruction_error");
    const size_t d = static_cast<size_t>(m.features()), k = static_cast<size_t>(m.k_), code = static_cast<size_t>(spec.code);
    m.standardizer_.mean = values_of<double>(r.tensor("standardizer.mean"), d, "standardizer.mean", path);
    m.standardizer_.scale = values_of<double>(r.tensor("standardizer.scale"), d, "standardizer.scale", path);
    AutoencoderSpec ae;
    ae.inputs = m.features();
    ae.hidden = spec.hidden;
    ae.code = spec.code;
    m.autoencoder_ = StackedAutoencoder(ae);
    r.module("autoencoder", *m.autoencoder_);
    m.pca_.d = m.features();
    m.pca_.rank = spec.code;
    m.pca_.mean = values_of<double>(r.tensor("pca.mean"), d, "pca.mean", path);
    m.pca_.components = values_of<double>(r.tensor("pca.components"), code * d, "pca.components", path);
    m.pca_.variance = values_of<double>(r.tensor("pca.variance"), code, "pca.variance", path);
    for (Method method : kMethods) {
      Clusters& c = m.clusters_[static_cast<size_t>(method)];
      const std::string prefix = std::string(method_name(method)) + ".";
      const size_t own_d = method == Method::bands ? d : code;
      if (spec.mixture) {
        c.mixture.k = m.k_;
        c.mixture.d = static_cast<int64_t>(own_d);
        c.mixture.weights = values_of<double>(r.tensor(prefix + "weights"), k, prefix + "weights", path);
        c.mixture.means = values_of<double>(r.tensor(prefix + "means"), k * own_d, prefix + "means", path);
        c.mixture.variances = values_of<double>(r.tensor(prefix + "variances"), k * own_d, prefix + "variances", path);
      } else {
        c.centroids = values_of<float>(r.tensor(prefix + "centroids"), k * own_d, prefix + "centroids", path);
      }
    }
    m.class_means_ = values_of<double>(r.tensor("class_means"), k * static_cast<size_t>(m.bands()), "class_means", path);
    m.class_shares_ = values_of<double>(r.tensor("class_shares"), k, "class_shares", path);
    const torch::Tensor sweep = r.tensor("k_sweep");
    const std::vector<double> pairs = values_of<double>(sweep, static_cast<size_t>(sweep.numel() / 2 * 2), "k_sweep", path);
    for (size_t i = 0; i + 1 < pairs.size(); i += 2) m.k_sweep_.push_back({static_cast<int>(pairs[i]), pairs[i + 1]});
    return m;
  } catch (const nfx::training::CheckpointError& e) {
    throw nfx::Error(e.what(), NFX_ERR_IO);
  } catch (const nfx::Error& e) {
    throw nfx::Error(std::string(e.what()).rfind(path, 0) == 0 ? e.what() : path + ": " + e.what(), NFX_ERR_IO);
  }
}

}  // namespace nfx::mapper
