// A trained mapper: what turns a pixel's bands into its class, fitted once on a sample of a scene and kept
// in one file. It holds the feature recipe (bands by name, spectral indices), the standardization, the
// stacked autoencoder and the clusters of its codes, and, fitted on the same pixels with the same k, the
// baselines: PCA with as many components as the code + the same clustering, and the same clustering on the
// standardized features themselves. Classes are numbered from the darkest to the brightest mean feature,
// so a map's colours do not depend on the order k-means found its clusters in.
#pragma once

#include "model/autoencoder.hpp"
#include "model/features.hpp"
#include "model/gaussian_mixture.hpp"
#include "model/pca.hpp"

#include <array>
#include <functional>
#include <string>
#include <vector>

namespace nfx::mapper {

// The feature spaces a pixel can be clustered in.
enum class Method { autoencoder, pca, bands };
const char* method_name(Method method);  // "autoencoder", "pca", "bands"
Method method_named(const std::string& name);  // throws nfx::Error for another name

struct MapperSpec {
  std::vector<std::string> band_names;  // the raster's bands, in order
  std::string indices;                  // spectral indices (parse_indices), e.g. "ndvi, swir1/swir2"
  bool neighbourhood = false;           // add each band's mean and deviation over the pixel's 3 x 3 window
  std::vector<int64_t> hidden = {16};   // autoencoder widths between the features and the code
  int64_t code = 3;
  int k = 0;                // 0: the k of k_min .. k_max whose autoencoder clusters have the best silhouette
  int k_min = 4, k_max = 10;
  bool mixture = false;     // a Gaussian mixture instead of k-means
  int restarts = 4;         // k-means starts
  uint64_t seed = 0;
};

// One method's clustering: centroids (k-means) or a fitted mixture, in that method's space.
struct Clusters {
  std::vector<float> centroids;  // k x d
  GaussianMixture mixture;       // when the clustering is a mixture
  std::vector<int> label(const PointSet& points, int k, bool mixture) const;
};

// How the fit went, for the log.
struct KChoice {
  int k = 0;
  double silhouette = 0;  // of the autoencoder's clusters on part of the training sample
};

class MapperModel {
 public:
  // Fits every part on `features` (n x features(), raw values). `progress(stage, done)` with done in [0, 1].
  static MapperModel fit(const MapperSpec& spec, std::vector<float> features, const AutoencoderTraining& training,
                         const std::function<void(const std::string& stage, double done)>& progress = {});
  // Throws nfx::Error naming the file when it is missing, truncated, corrupt or another kind of file.
  static MapperModel load(const std::string& path);
  // Written atomically; throws nfx::Error naming the file.
  void save(const std::string& path) const;

  const MapperSpec& spec() const { return spec_; }
  int k() const { return k_; }
  int64_t bands() const { return static_cast<int64_t>(spec_.band_names.size()); }
  const std::vector<SpectralIndex>& indices() const { return indices_; }
  // Per pixel: the bands, the indices, and with the neighbourhood each band's window mean and deviation.
  int64_t features() const { return feature_count(bands(), static_cast<int64_t>(indices_.size()), spec_.neighbourhood); }
  const Standardizer& standardizer() const { return standardizer_; }

  // Standardized features (n x features()) in a method's own space: the codes, the principal components,
  // or the features themselves.
  std::vector<float> embed(const std::vector<float>& standardized, Method method) const;
  // Raw features (n x features()) -> class per pixel, 0 to k - 1.
  std::vector<int> classify(std::vector<float> features, Method method) const;
  // The same from points already in the method's own space (embed's output).
  std::vector<int> classify_embedded(const std::vector<float>& own, Method method) const;

  // The autoencoder's classes on the training sample: each one's mean band values (raw units) and share.
  const std::vector<double>& class_means() const { return class_means_; }  // k x bands()
  const std::vector<double>& class_shares() const { return class_shares_; }
  const std::vector<KChoice>& k_sweep() const { return k_sweep_; }  // empty when k was given
  double reconstruction_error() const { return reconstruction_error_; }  // on the training sample, standardized

  // Where the training sample came from, so an evaluation can leave those pixels out (pixel_sample.hpp).
  uint64_t sample_seed = 0;
  double sample_threshold = 1.0;
  int64_t sample_pixels = 0;

 private:
  MapperModel(MapperSpec spec, std::vector<SpectralIndex> indices);

  MapperSpec spec_;
  std::vector<SpectralIndex> indices_;
  int k_ = 0;
  Standardizer standardizer_;
  mutable StackedAutoencoder autoencoder_{nullptr};  // encoding changes nothing, but LibTorch's forward is not const
  Pca pca_;
  std::array<Clusters, 3> clusters_;  // by Method
  std::vector<double> class_means_, class_shares_;
  std::vector<KChoice> k_sweep_;
  double reconstruction_error_ = 0;
};

}  // namespace nfx::mapper
