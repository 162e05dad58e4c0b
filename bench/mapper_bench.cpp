// The mapper's comparison (issue 17, docs/results.md): on a multispectral scene, k-means on the codes of
// the stacked autoencoder against k-means on as many principal components, and k-means on the standardized
// bands themselves (the ceiling in that space), for k = K_MIN .. K_MAX. Models and k-means are fitted on
// one seeded sample of pixels; every metric is computed on another (held out), in each method's own space
// (as the thesis reports) and in the common space of the standardized bands (where they compare). Each
// method runs with three seeds; the seed-to-seed ARI says how stable its map is.
//
//   bench_mapper SCENE [K_MIN K_MAX [CODE [HIDDEN [FINETUNE_STEPS]]]]   (bench/mapper.sh runs it on the sample scene)
//
// HIDDEN: the widths between the bands and the code, e.g. 32,16 (default 16); FINETUNE_STEPS default 3000
// (pretraining takes a third of that per layer).
#include "model/autoencoder.hpp"
#include "model/cluster_metrics.hpp"
#include "model/features.hpp"
#include "model/kmeans.hpp"
#include "model/pca.hpp"

#include <nfx/base.hpp>

#include <gdal_priv.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <random>
#include <sstream>

namespace m = nfx::mapper;

namespace {

constexpr int64_t kTrainPixels = 20000, kEvalPixels = 10000;
constexpr int kSeeds = 3;

// Every band of `path` as float, pixel-interleaved, with each band's nodata.
m::ValidPixels read_scene(const std::string& path, int64_t& bands) {
  GDALAllRegister();
  GDALDataset* d = GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY);
  if (d == nullptr) throw nfx::Error(path + ": GDAL cannot read it");
  const int64_t w = d->GetRasterXSize(), h = d->GetRasterYSize();
  bands = d->GetRasterCount();
  std::vector<float> pixels(static_cast<size_t>(w * h * bands));
  std::vector<std::optional<double>> nodata;
  for (int b = 1; b <= bands; ++b) {
    int has = 0;
    const double value = d->GetRasterBand(b)->GetNoDataValue(&has);
    nodata.push_back(has ? std::optional<double>(value) : std::nullopt);
  }
  const int bytes = 4;
  if (d->RasterIO(GF_Read, 0, 0, static_cast<int>(w), static_cast<int>(h), pixels.data(), static_cast<int>(w), static_cast<int>(h),
                  GDT_Float32, static_cast<int>(bands), nullptr, bytes * bands, bytes * bands * w, bytes, nullptr) != CE_None) {
    throw nfx::Error(path + ": cannot read its pixels");
  }
  GDALClose(d);
  return m::valid_pixels(pixels.data(), w * h, bands, nodata);
}

std::vector<float> rows_of(const std::vector<float>& values, int64_t d, const std::vector<int64_t>& rows) {
  std::vector<float> out;
  out.reserve(rows.size() * static_cast<size_t>(d));
  for (int64_t r : rows) out.insert(out.end(), values.begin() + r * d, values.begin() + (r + 1) * d);
  return out;
}

struct Scores {
  double silhouette_own = 0, silhouette_common = 0, db_own = 0, db_common = 0, ch_own = 0, ch_common = 0;
};

// k-means fitted on `train` (d features), applied to `eval`; the scores of the held-out labels.
std::vector<int> cluster(const std::vector<float>& train, const std::vector<float>& eval, int64_t d, int k, uint64_t seed,
                         const std::vector<float>& eval_bands, int64_t bands, Scores& s) {
  m::KMeansOptions options;
  options.k = k;
  options.seed = seed;
  const m::KMeansResult fit = m::kmeans(m::points_of(train, d), options);
  const std::vector<int> labels = m::nearest_centroids(m::points_of(eval, d), fit.centroids, k);
  const m::PointSet own = m::points_of(eval, d), common = m::points_of(eval_bands, bands);
  s.silhouette_own += m::silhouette(own, labels) / kSeeds;
  s.silhouette_common += m::silhouette(common, labels) / kSeeds;
  s.db_own += m::davies_bouldin(own, labels) / kSeeds;
  s.db_common += m::davies_bouldin(common, labels) / kSeeds;
  s.ch_own += m::calinski_harabasz(own, labels) / kSeeds;
  s.ch_common += m::calinski_harabasz(common, labels) / kSeeds;
  return labels;
}

double mean_pairwise_ari(const std::vector<std::vector<int>>& runs) {
  double sum = 0;
  int pairs = 0;
  for (size_t a = 0; a < runs.size(); ++a) {
    for (size_t b = a + 1; b < runs.size(); ++b, ++pairs) sum += m::adjusted_rand_index(runs[a], runs[b]);
  }
  return sum / pairs;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: bench_mapper SCENE [K_MIN K_MAX [CODE [HIDDEN [FINETUNE_STEPS]]]]\n");
    return 2;
  }
  const int k_min = argc > 3 ? std::atoi(argv[2]) : 4, k_max = argc > 3 ? std::atoi(argv[3]) : 10;
  const int64_t code = argc > 4 ? std::atoll(argv[4]) : 3;
  std::vector<int64_t> hidden;
  std::stringstream widths_arg(argc > 5 ? argv[5] : "16");
  for (std::string w; std::getline(widths_arg, w, ',');) hidden.push_back(std::stoll(w));
  const int64_t finetune_steps = argc > 6 ? std::atoll(argv[6]) : 3000;
  int64_t bands = 0;
  m::ValidPixels pixels = read_scene(argv[1], bands);
  const int64_t n = static_cast<int64_t>(pixels.index.size());
  if (n < kTrainPixels + kEvalPixels) throw nfx::Error("the scene has too few pixels with data for the samples");
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), std::mt19937_64(7));
  const std::vector<int64_t> train_rows(order.begin(), order.begin() + kTrainPixels),
      eval_rows(order.begin() + kTrainPixels, order.begin() + kTrainPixels + kEvalPixels);
  std::vector<float> train = rows_of(pixels.values, bands, train_rows), eval = rows_of(pixels.values, bands, eval_rows);
  const m::Standardizer standardizer = m::Standardizer::fit(m::points_of(train, bands));
  standardizer.apply(train, bands);
  standardizer.apply(eval, bands);
  std::string widths = std::to_string(bands);
  for (int64_t w : hidden) widths += "-" + std::to_string(w);
  std::printf("%s: %lld pixels with data, %lld bands; fitted on %lld, scored on %lld others; autoencoder %s-%lld, "
              "%lld fine-tuning steps; PCA components: %lld\n", argv[1], static_cast<long long>(n), static_cast<long long>(bands),
              static_cast<long long>(kTrainPixels), static_cast<long long>(kEvalPixels), widths.c_str(), static_cast<long long>(code),
              static_cast<long long>(finetune_steps), static_cast<long long>(code));

  // The autoencoder of each seed, and PCA (one: it has no seed), fitted on the training sample.
  const m::Pca pca = m::fit_pca(m::points_of(train, bands), code);
  const std::vector<float> pca_train = m::project(pca, m::points_of(train, bands)), pca_eval = m::project(pca, m::points_of(eval, bands));
  const torch::Tensor train_tensor = torch::from_blob(train.data(), {kTrainPixels, bands}, torch::kFloat32);
  const torch::Tensor eval_tensor = torch::from_blob(eval.data(), {kEvalPixels, bands}, torch::kFloat32);
  std::vector<std::vector<float>> ae_train, ae_eval;
  for (int seed = 0; seed < kSeeds; ++seed) {
    m::AutoencoderSpec spec;
    spec.inputs = bands;
    spec.hidden = hidden;
    spec.code = code;
    m::StackedAutoencoder model(spec);
    m::AutoencoderTraining training;
    training.seed = static_cast<uint64_t>(seed);
    training.pretrain_steps = finetune_steps / 3;
    training.finetune_steps = finetune_steps;
    m::train_autoencoder(model, train_tensor, training);
    std::printf("autoencoder seed %d: held-out reconstruction MSE %.4f\n", seed, m::reconstruction_error(model, eval_tensor));
    torch::NoGradGuard no_grad;
    const torch::Tensor a = model->encode(train_tensor).contiguous(), b = model->encode(eval_tensor).contiguous();
    ae_train.emplace_back(a.data_ptr<float>(), a.data_ptr<float>() + a.numel());
    ae_eval.emplace_back(b.data_ptr<float>(), b.data_ptr<float>() + b.numel());
  }
  {
    // PCA's reconstruction error on the held-out pixels, for the same comparison.
    double sum = 0;
    for (int64_t i = 0; i < kEvalPixels; ++i) {
      for (int64_t j = 0; j < bands; ++j) {
        double back = pca.mean[j];
        for (int64_t c = 0; c < code; ++c) back += pca_eval[i * code + c] * pca.components[c * bands + j];
        sum += (back - eval[i * bands + j]) * (back - eval[i * bands + j]);
      }
    }
    std::printf("PCA: held-out reconstruction MSE %.4f\n\n", sum / static_cast<double>(kEvalPixels * bands));
  }

  std::printf("| k | method | silhouette own | silhouette common | Davies-Bouldin own | DB common | Calinski-Harabasz own | CH common | seed-to-seed ARI |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|\n");
  for (int k = k_min; k <= k_max; ++k) {
    Scores ae, pc, plain;
    std::vector<std::vector<int>> ae_runs, pca_runs, plain_runs;
    for (int seed = 0; seed < kSeeds; ++seed) {
      ae_runs.push_back(cluster(ae_train[seed], ae_eval[seed], code, k, static_cast<uint64_t>(seed), eval, bands, ae));
      pca_runs.push_back(cluster(pca_train, pca_eval, code, k, static_cast<uint64_t>(seed), eval, bands, pc));
      plain_runs.push_back(cluster(train, eval, bands, k, static_cast<uint64_t>(seed), eval, bands, plain));
    }
    const auto row = [&](const char* method, const Scores& s, double ari) {
      std::printf("| %d | %s | %.3f | %.3f | %.3f | %.3f | %.0f | %.0f | %.3f |\n", k, method, s.silhouette_own, s.silhouette_common,
                  s.db_own, s.db_common, s.ch_own, s.ch_common, ari);
    };
    row("autoencoder + k-means", ae, mean_pairwise_ari(ae_runs));
    row("PCA + k-means", pc, mean_pairwise_ari(pca_runs));
    row("k-means on the bands", plain, mean_pairwise_ari(plain_runs));
    std::fflush(stdout);
  }
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_mapper: %s\n", e.what());
  return 1;
}
