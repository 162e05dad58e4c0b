// sr.upscale: one image in, the same image `scale` times larger out, by bicubic interpolation or by a
// pre-trained network (UpscalerJS's ESRGAN family, or any TF.js layers model of the same kind), tile by
// tile so memory stays bounded on large images.
#include "model_zoo.hpp"
#include "sr_nodes.hpp"
#include "tfjs_model.hpp"

#include <nfx/training/resize.hpp>
#include <nfx/training/threads.hpp>
#include <nfx/training/tiled.hpp>

#include "../common/image_mat.hpp"

#include <opencv2/imgproc.hpp>

#include <cstring>
#include <memory>

namespace nfx::sr {

namespace {

class Upscale : public nfx::Node {
 public:
  explicit Upscale(nfx::Params& p) : name_(p.get_string("model")), scale_(static_cast<int>(p.get_int("scale"))) {
    nfx::training::apply_thread_policy(p);
    tiles_.tile = p.get_int("tile");
    tiles_.overlap = p.get_int("overlap");
    tiles_.scale = scale_;
    if (name_ == "bicubic") return;
    try {
      ZooModel zoo = is_zoo_name(name_) ? find_zoo_model(name_, scale_, p.get_string("models"))
                                        : ZooModel{name_, p.get_float("input_range")};
      model_ = std::make_shared<TfjsModel>(TfjsModel::load(zoo.model_json));
      range_ = zoo.input_range;
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("model", e.what());  // located at the graph's `model` line
    }
  }

  void process(nfx::Context& ctx) override {
    const cv::Mat in = nfx::plugins::as_mat(ctx.input(0));
    if (in.channels() != 1 && in.channels() != 3 && in.channels() != 4) {
      throw nfx::Error("expected a gray, RGB or RGBA image, got " + std::to_string(in.channels()) + " channels");
    }
    ctx.output(0, nfx::plugins::image_from_mat(model_ == nullptr ? bicubic(in) : upscale_rgb(in)));
  }

 private:
  // `in` through `model` tile by tile (memory follows the tile size, not the image's), as a new matrix.
  cv::Mat tiled(const cv::Mat& in, const nfx::training::ImageModel& model) const {
    const torch::Tensor chw =
        torch::from_blob(in.data, {in.rows, in.cols, in.channels()}, torch::kUInt8).permute({2, 0, 1}).contiguous();
    const torch::Tensor up = nfx::training::tiled_apply(chw, model, tiles_).permute({1, 2, 0}).contiguous();
    cv::Mat out(static_cast<int>(up.size(0)), static_cast<int>(up.size(1)), CV_8UC(in.channels()));
    std::memcpy(out.data, up.data_ptr<uint8_t>(), out.total() * out.elemSize());
    return out;
  }

  // MATLAB's imresize bicubic (a = -0.5), the baseline of the SR literature, on every channel.
  cv::Mat bicubic(const cv::Mat& in) const {
    const int64_t scale = scale_;
    return tiled(in, [scale](const torch::Tensor& t) {
      return nfx::training::imresize_bicubic(t, t.size(2) * scale, t.size(3) * scale).clamp(0, 1);
    });
  }

  // The network sees RGB: gray goes in as three equal channels and comes back as luma; alpha is upscaled
  // bicubic.
  cv::Mat upscale_rgb(const cv::Mat& in) const {
    cv::Mat rgb = in;
    if (in.channels() == 1) cv::cvtColor(in, rgb, cv::COLOR_GRAY2RGB);
    if (in.channels() == 4) cv::cvtColor(in, rgb, cv::COLOR_RGBA2RGB);
    const double range = range_;
    const TfjsModel& model = *model_;
    cv::Mat out = tiled(rgb, [&](const torch::Tensor& t) { return model.forward(t * range) / range; });
    if (in.channels() == 1) {
      cv::cvtColor(out, out, cv::COLOR_RGB2GRAY);
    } else if (in.channels() == 4) {
      cv::Mat alpha, channels[4];
      cv::extractChannel(in, alpha, 3);
      alpha = bicubic(alpha);
      cv::split(out, channels);
      channels[3] = alpha;
      cv::merge(channels, 4, out);
    }
    return out;
  }

  std::string name_;
  int scale_;
  nfx::training::TileOptions tiles_;
  std::shared_ptr<const TfjsModel> model_;
  double range_ = 255;
};

}  // namespace

void add_upscale_node(nfx::PluginBuilder& plugin) {
  plugin.node<Upscale>("sr.upscale", "Upscales an image by bicubic interpolation or a pre-trained network")
      .input(nfx::image_port("image", "gray, RGB or RGBA image"))
      .output(nfx::image_port("image", "the image, `scale` times wider and taller"))
      .param(nfx::string_param("model", "esrgan-slim",
                               "bicubic (MATLAB's imresize), esrgan-slim, esrgan-medium, esrgan-thick (UpscalerJS, fetched by "
                               "scripts/fetch-data.sh) or the path of a TF.js layers model.json"))
      .param(nfx::int_param("scale", 2, "output pixels per input pixel along each side (the ESRGAN models: 2, 3, 4, 8)", 2, 8))
      .param(nfx::string_param("models", "", "where the fetched models are; empty: <data>/sr"))
      .param(nfx::float_param("input_range", 255, "a model.json file's pixel range: 255 (0-255) or 1 (0-1)", 1, 255))
      .param(nfx::int_param("tile", 192, "input tile side: memory grows with its square", 32, 4096))
      .param(nfx::int_param("overlap", 16, "input pixels shared by neighbouring tiles", 0, 256))
      .reentrant();
}

}  // namespace nfx::sr
