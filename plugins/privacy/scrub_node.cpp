// privacy.scrub: paints the detected faces and plates out of an image.
#include <nfx/common/image_mat.hpp>
#include "model_fill.hpp"
#include "privacy_nodes.hpp"
#include "scrub.hpp"

namespace nfx::privacy {

namespace {

// "#rrggbb" as a colour in the image's channel order (RGB, RGBA with opaque alpha, or gray).
cv::Scalar parse_color(const std::string& text) {
  if (text.size() != 7 || text[0] != '#' || text.find_first_not_of("0123456789abcdefABCDEF", 1) != std::string::npos) {
    throw nfx::ParamError("color", "color: expected #rrggbb, got \"" + text + "\"");
  }
  const unsigned long v = std::stoul(text.substr(1), nullptr, 16);
  return cv::Scalar((v >> 16) & 255, (v >> 8) & 255, v & 255, 255);
}

class Scrub : public nfx::Node {
 public:
  explicit Scrub(nfx::Params& p) {
    options_.mode = scrub_mode_from_name(p.get_string("mode"));
    options_.navier_stokes = p.get_string("inpaint_method") == "ns";
    options_.inpaint_radius = p.get_float("inpaint_radius");
    options_.blur_strength = p.get_float("blur_strength");
    options_.pixel_cells = static_cast<int>(p.get_int("pixel_cells"));
    options_.feather = static_cast<float>(p.get_float("feather"));
    color_ = parse_color(p.get_string("color"));
    if (options_.mode == ScrubMode::model) {
      const std::string model = p.get_string("model");
      if (model.empty()) throw nfx::ParamError("model", "mode = \"model\" needs model = \"file.pt\"");
      apply_torch_thread_policy(p);
      try {
        options_.fill = load_fill_model(model);
      } catch (const nfx::Error& e) {
        throw nfx::ParamError("model", std::string("model: ") + e.what(), e.status());
      }
    }
  }

  void process(nfx::Context& ctx) override {
    const cv::Mat image = nfx::plugins::as_mat(ctx.input(0));
    const Detections detections = read_boxes(ctx.input(1));
    ScrubOptions options = options_;
    if (image.channels() == 1) options.color = cv::Scalar(0.299 * color_[0] + 0.587 * color_[1] + 0.114 * color_[2]);
    else options.color = color_;
    const cv::Mat mask = shape_mask(image.size(), detections);
    ctx.output(0, nfx::plugins::image_from_mat(scrub(image, detections, mask, options)));
    ctx.output(1, nfx::plugins::mask_from_mat(mask));
  }

 private:
  ScrubOptions options_;
  cv::Scalar color_;
};

}  // namespace

void register_scrub_node(nfx::PluginBuilder& plugin) {
  plugin.node<Scrub>("privacy.scrub", "Paints boxes out of an image: ellipses for faces, rectangles for plates, with "
                                      "feathered edges; pixels outside the shapes are left as they were")
      .input(nfx::image_port("image", "image or video frame"))
      .input(nfx::port("boxes", NFX_KIND_BOXES, "boxes from privacy.detect (N x 6), or N x 5 boxes taken as faces",
                       NFX_DTYPE_F32, 2))
      .output(nfx::image_port("image", "the scrubbed image"))
      .output(nfx::port("mask", NFX_KIND_MASK, "255 where the image was painted over", NFX_DTYPE_U8, 2))
      .param(nfx::string_param("mode", "smooth", "how to paint over: a smooth fill from the surrounding colours "
                               "with their grain, OpenCV's inpainting, Gaussian blur, pixelate, a solid colour, or a "
                               "TorchScript inpainting model", "smooth|inpaint|blur|pixelate|solid|model"))
      .param(nfx::string_param("model", "", "model: TorchScript file; forward(image, mask) -> image, float "
                               "1 x C x H x W, RGB in [0, 1], mask 1 where to fill"))
      .param(nfx::string_param("inpaint_method", "telea", "inpaint: Telea's fast marching or Navier-Stokes", "telea|ns"))
      .param(nfx::float_param("inpaint_radius", 5.0, "inpaint: neighbourhood radius in pixels", 1.0, 50.0))
      .param(nfx::float_param("blur_strength", 1.0, "blur: sigma as a multiple of a quarter of the box's smaller side",
                              0.1, 10.0))
      .param(nfx::int_param("pixel_cells", 8, "pixelate: cells across the box's smaller side", 1, 256))
      .param(nfx::string_param("color", "#000000", "solid: fill colour"))
      .param(nfx::float_param("feather", 0.1, "edge fade-in, as a fraction of the box's smaller side (inside the shape)",
                              0.0, 0.5))
      .reentrant();
}

}  // namespace nfx::privacy
