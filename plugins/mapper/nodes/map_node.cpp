// mapper.map: a trained mapper applied block by block, so a scene of any size maps in the memory of one
// block: each block's class map (0 where a band has no data, classes from 1) with the georeferencing and
// legend io.write_raster turns into a colour table and class table; at the end, the picture of the map.
#include "mapper_nodes.hpp"
#include "model/mapper_model.hpp"
#include "nodes/map_picture.hpp"
#include "nodes/node_params.hpp"
#include "nodes/raster_features.hpp"

#include <nfx/common/atomic_file.hpp>

#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <memory>

namespace nfx::mapper {

namespace {

class Map : public nfx::Node {
 public:
  explicit Map(nfx::Params& p)
      : model_path_(p.get_string("model")), model_(load_model(model_path_, "model")), picture_path_(p.get_string("picture")),
        picture_width_(p.get_int("picture_width")) {
    try {
      method_ = method_named(p.get_string("method"));
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("method", e.what());
    }
    const std::vector<std::string> names = comma_list(p.get_string("class_names"));
    if (!names.empty() && static_cast<int>(names.size()) != model_.k()) {
      throw nfx::ParamError("class_names", "class_names names " + std::to_string(names.size()) + " classes, but " + model_path_ + " has " +
                                               std::to_string(model_.k()));
    }
    legend_ = class_legend(model_.k(), names);
    pixels_per_class_.assign(static_cast<size_t>(model_.k()), 0);
    band_sums_.assign(static_cast<size_t>(model_.k() * model_.bands()), 0.0);
  }

  void process(nfx::Context& ctx) override {
    const BlockFeatures block(ctx.input(0), ctx.input_text(1), ctx.item_name());
    check_bands(block, model_, model_path_, 0);
    nfx::Tensor classes(nfx::dtype_u8(), {block.rows(), block.width()});
    uint8_t* out = classes.data<uint8_t>();
    std::fill(out, out + block.rows() * block.width(), uint8_t{0});
    const int64_t d = model_.features(), bands_of_model = model_.bands();
    for (int64_t r0 = 0; r0 < block.rows(); r0 += block.rows_per_chunk()) {
      const ValidPixels pixels = block.rows_features(r0, std::min(block.rows(), r0 + block.rows_per_chunk()), model_.indices(), model_.spec().neighbourhood);
      const std::vector<int> labels = model_.classify(pixels.values, method_);
      for (size_t i = 0; i < labels.size(); ++i) {
        out[pixels.index[i]] = static_cast<uint8_t>(labels[i] + 1);
        ++pixels_per_class_[labels[i]];
        for (int64_t b = 0; b < bands_of_model; ++b) band_sums_[labels[i] * bands_of_model + b] += pixels.values[i * d + b];
      }
    }
    if (!picture_path_.empty()) {
      if (!picture_) picture_ = std::make_unique<MapPicture>(block.geo().width, block.geo().height, picture_width_);
      picture_->add_rows(block.geo().y, block.rows(), out);
    }
    nfx::rasters::RasterBlock geo = block.geo();
    geo.halo_top = geo.halo_bottom = 0;  // the classes are of the block's own rows only
    geo.nodata = {0.0};
    geo.band_names = {"class"};
    geo.classes = legend_;
    ctx.output(0, std::move(classes));
    ctx.output_text(1, nfx::rasters::to_json(geo));
  }

  void finish(nfx::Context& ctx) override {
    if (!picture_) return;
    int64_t mapped = 0;
    for (int64_t n : pixels_per_class_) mapped += n;
    std::vector<double> shares, means(band_sums_.size());
    for (int c = 0; c < model_.k(); ++c) {
      shares.push_back(mapped > 0 ? static_cast<double>(pixels_per_class_[c]) / static_cast<double>(mapped) : 0.0);
      for (int64_t b = 0; b < model_.bands(); ++b) {
        means[c * model_.bands() + b] = band_sums_[c * model_.bands() + b] / std::max<int64_t>(1, pixels_per_class_[c]);
      }
    }
    const std::string title = std::to_string(model_.k()) + " classes by " +
                              (method_ == Method::autoencoder ? "the autoencoder's codes"
                               : method_ == Method::pca       ? "principal components"
                                                              : "the standardized bands") + ", " + model_path_;
    const cv::Mat canvas = picture_->render(title, legend_, shares, means, model_.spec().band_names);
    std::vector<uint8_t> png;
    if (!cv::imencode(".png", canvas, png)) throw nfx::Error(picture_path_ + ": cannot encode the picture", NFX_ERR_IO);
    nfx::plugins::write_file_atomically(picture_path_, png.data(), png.size());
    ctx.log(NFX_LOG_INFO, "wrote " + picture_path_);
  }

 private:
  std::string model_path_;
  MapperModel model_;
  Method method_ = Method::autoencoder;
  std::string picture_path_;
  int64_t picture_width_;
  std::vector<nfx::rasters::RasterClass> legend_;
  std::unique_ptr<MapPicture> picture_;
  std::vector<int64_t> pixels_per_class_;
  std::vector<double> band_sums_;  // k x bands, raw values of the mapped pixels
};

}  // namespace

void register_map_node(nfx::PluginBuilder& plugin) {
  plugin.node<Map>("mapper.map", "Maps a scene block by block with a trained mapper: the class of every pixel (0 where a "
                                 "band has no data), georeferenced with a legend for io.write_raster, and a picture of "
                                 "the map with its legend and each class's mean spectrum")
      .input(nfx::tensor_port("raster", "a block of the scene (io.read_raster's raster), the bands the model was trained on"))
      .input(nfx::port("geo", NFX_KIND_TEXT, "the block's georeferencing (io.read_raster's geo)"))
      .output(nfx::tensor_port("classes", "the block's classes, H x W uint8: 0 no data, 1 .. k", 2, 2))
      .output(nfx::port("geo", NFX_KIND_TEXT, "the class block's georeferencing with the legend (connect io.write_raster's geo)"))
      .param(nfx::required(nfx::string_param("model", "", "a model file of mapper.train")))
      .param(nfx::string_param("method", "autoencoder", "the clusters to map with: the autoencoder's, or a baseline's "
                                                        "(pca, bands) fitted on the same pixels", "autoencoder|pca|bands"))
      .param(nfx::string_param("class_names", "", "names of the classes 1 .. k, joined by commas (empty: class 1, class 2 ...)"))
      .param(nfx::string_param("picture", "", "PNG of the map with its legend and mean spectra (empty: none)"))
      .param(nfx::int_param("picture_width", 800, "width of the map in the picture, in pixels (the scene shrunk or enlarged)", 64, 20000));
}

}  // namespace nfx::mapper
