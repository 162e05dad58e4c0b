// Per-image operations: image <-> tensor conversion, resize, crop.
#include "image_files.hpp"
#include "io_nodes.hpp"

#include <opencv2/imgproc.hpp>

#include <cmath>

namespace nfx::io {

namespace {

// HWC uint8 -> NCHW float32 (N = 1), value * scale.
class ToTensor : public nfx::Node {
 public:
  explicit ToTensor(nfx::Params& p) : scale_(static_cast<float>(p.get_float("scale"))) {}
  void process(nfx::Context& ctx) override {
    const DLTensor& image = ctx.input(0);
    cv::Mat mat = as_mat(image);
    const int64_t h = mat.rows, w = mat.cols, c = mat.channels();
    nfx::Tensor t(nfx::dtype_f32(), {1, c, h, w});
    float* out = t.data<float>();
    const unsigned char* in = mat.ptr<unsigned char>();
    for (int64_t ch = 0; ch < c; ++ch) {
      float* plane = out + ch * h * w;
      for (int64_t i = 0; i < h * w; ++i) plane[i] = in[i * c + ch] * scale_;
    }
    ctx.output(0, std::move(t));
  }

 private:
  float scale_;
};

// NCHW float (N = 1) -> HWC uint8, round(value * scale) clamped to [0, 255].
class ToImage : public nfx::Node {
 public:
  explicit ToImage(nfx::Params& p) : scale_(p.get_float("scale")) {}
  void process(nfx::Context& ctx) override {
    const DLTensor& t = ctx.input(0);
    if (t.shape[0] != 1 || (t.shape[1] != 1 && t.shape[1] != 3 && t.shape[1] != 4) || !nfx::is_compact(t)) {
      throw nfx::Error("expected a compact tensor of shape 1 x (1, 3 or 4) x H x W, got " + std::to_string(t.shape[0]) +
                       " x " + std::to_string(t.shape[1]) + " x H x W");
    }
    const int64_t c = t.shape[1], h = t.shape[2], w = t.shape[3];
    nfx::Tensor image(nfx::dtype_u8(), {h, w, c});
    unsigned char* out = image.data<unsigned char>();
    auto convert = [&](auto* in) {
      for (int64_t ch = 0; ch < c; ++ch) {
        for (int64_t i = 0; i < h * w; ++i) {
          const double v = std::round(static_cast<double>(in[ch * h * w + i]) * scale_);
          out[i * c + ch] = static_cast<unsigned char>(std::isnan(v) ? 0 : v < 0 ? 0 : v > 255 ? 255 : v);
        }
      }
    };
    if (t.dtype.bits == 64) convert(nfx::data_ptr<double>(t));
    else convert(nfx::data_ptr<float>(t));
    ctx.output(0, std::move(image));
  }

 private:
  double scale_;
};

int interpolation_flag(const std::string& name) {
  if (name == "nearest") return cv::INTER_NEAREST;
  if (name == "linear") return cv::INTER_LINEAR;
  if (name == "cubic") return cv::INTER_CUBIC;
  if (name == "lanczos") return cv::INTER_LANCZOS4;
  return cv::INTER_AREA;
}

class Resize : public nfx::Node {
 public:
  explicit Resize(nfx::Params& p)
      : width_(p.get_int("width")), height_(p.get_int("height")), scale_(p.get_float("scale")),
        interpolation_(interpolation_flag(p.get_string("interpolation"))) {
    if (width_ == 0 && height_ == 0 && scale_ <= 0) throw nfx::Error("set width, height or scale");
  }
  void process(nfx::Context& ctx) override {
    cv::Mat in = as_mat(ctx.input(0));
    int64_t w = width_, h = height_;
    if (w == 0 && h == 0) {
      w = std::lround(in.cols * scale_);
      h = std::lround(in.rows * scale_);
    } else if (w == 0) {
      w = std::lround(static_cast<double>(in.cols) * h / in.rows);
    } else if (h == 0) {
      h = std::lround(static_cast<double>(in.rows) * w / in.cols);
    }
    w = std::max<int64_t>(w, 1);
    h = std::max<int64_t>(h, 1);
    nfx::Tensor out(nfx::dtype_u8(), {h, w, in.channels()});
    cv::Mat out_mat(static_cast<int>(h), static_cast<int>(w), in.type(), out.data<unsigned char>());
    cv::resize(in, out_mat, out_mat.size(), 0, 0, interpolation_);
    ctx.output(0, std::move(out));
  }

 private:
  int64_t width_, height_;
  double scale_;
  int interpolation_;
};

class Crop : public nfx::Node {
 public:
  explicit Crop(nfx::Params& p)
      : x_(p.get_int("x")), y_(p.get_int("y")), width_(p.get_int("width")), height_(p.get_int("height")) {}
  void process(nfx::Context& ctx) override {
    cv::Mat in = as_mat(ctx.input(0));
    const int64_t w = width_ > 0 ? width_ : in.cols - x_;
    const int64_t h = height_ > 0 ? height_ : in.rows - y_;
    if (x_ + w > in.cols || y_ + h > in.rows || w <= 0 || h <= 0) {
      throw nfx::Error("crop " + std::to_string(w) + "x" + std::to_string(h) + " at (" + std::to_string(x_) + ", " +
                       std::to_string(y_) + ") does not fit in the " + std::to_string(in.cols) + "x" +
                       std::to_string(in.rows) + " image");
    }
    nfx::Tensor out(nfx::dtype_u8(), {h, w, in.channels()});
    cv::Mat out_mat(static_cast<int>(h), static_cast<int>(w), in.type(), out.data<unsigned char>());
    in(cv::Rect(static_cast<int>(x_), static_cast<int>(y_), static_cast<int>(w), static_cast<int>(h))).copyTo(out_mat);
    ctx.output(0, std::move(out));
  }

 private:
  int64_t x_, y_, width_, height_;
};

}  // namespace

void register_image_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<ToTensor>("io.to_tensor", "Converts an HWC uint8 image to a 1 x C x H x W float32 tensor")
      .input(nfx::image_port("image", "image"))
      .output(nfx::tensor_port("tensor", "NCHW float32", NFX_DTYPE_F32, 4))
      .param(nfx::float_param("scale", 1.0 / 255.0, "multiplier applied to each 0..255 value"))
      .reentrant();
  plugin.node<ToImage>("io.to_image", "Converts a 1 x C x H x W float tensor to an HWC uint8 image (rounded, clamped)")
      .input(nfx::tensor_port("tensor", "NCHW float32 or float64, N = 1, C = 1, 3 or 4",
                              NFX_DTYPE_F32 | NFX_DTYPE_F64, 4))
      .output(nfx::image_port("image", "HWC uint8"))
      .param(nfx::float_param("scale", 255.0, "multiplier applied before rounding"))
      .reentrant();
  plugin.node<Resize>("io.resize", "Resizes an image to a width and/or height (keeping the aspect ratio when one is 0) "
                                   "or by a scale factor")
      .input(nfx::image_port("image", "image"))
      .output(nfx::image_port("image", "resized image"))
      .param(nfx::int_param("width", 0, "target width in pixels; 0: from height and aspect ratio", 0, 65535))
      .param(nfx::int_param("height", 0, "target height in pixels; 0: from width and aspect ratio", 0, 65535))
      .param(nfx::float_param("scale", 0.0, "used when width and height are 0: size multiplier", 0, 64))
      .param(nfx::string_param("interpolation", "area", "area (best for shrinking), linear, cubic, lanczos, nearest",
                               "area|linear|cubic|lanczos|nearest"))
      .reentrant();
  plugin.node<Crop>("io.crop", "Cuts a rectangle out of an image")
      .input(nfx::image_port("image", "image"))
      .output(nfx::image_port("image", "cropped image"))
      .param(nfx::int_param("x", 0, "left edge", 0, 65535))
      .param(nfx::int_param("y", 0, "top edge", 0, 65535))
      .param(nfx::int_param("width", 0, "width; 0: up to the right edge", 0, 65535))
      .param(nfx::int_param("height", 0, "height; 0: up to the bottom edge", 0, 65535))
      .reentrant();
}

}  // namespace nfx::io
