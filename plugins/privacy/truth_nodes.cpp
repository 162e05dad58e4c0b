// Ground truth for privacy.evaluate: synthetic plates pasted onto images, and boxes read from a JSON file
// in the format privacy.sidecar writes.
#include <nfx/common/image_mat.hpp>
#include "boxes_json.hpp"
#include "privacy_nodes.hpp"
#include "synthetic_faces.hpp"
#include "synthetic_plates.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>

namespace nfx::privacy {

namespace {

// One item of a synth node: `paste` puts objects onto a copy of the RGB image and appends their boxes to
// the truth, which starts with the optional `boxes` input (port 1: objects an earlier synth node pasted,
// kept clear of and passed on). Seeded by item, so the set is the same whatever the thread count.
template <typename Paste>
void paste_item(nfx::Context& ctx, int64_t seed, const char* objects, Paste paste) {
  cv::Mat image = nfx::plugins::as_mat(ctx.input(0)).clone();
  if (image.channels() != 3) throw nfx::Error(std::string("synthetic ") + objects + " need an RGB image");
  std::mt19937 rng(static_cast<uint32_t>(seed + ctx.item_index()));
  Detections truth = ctx.has_input(1) ? read_boxes(ctx.input(1)) : Detections{};
  paste(image, rng, truth);
  ctx.output(0, nfx::plugins::image_from_mat(image));
  ctx.output(1, boxes_tensor(truth));
}

class SynthPlates : public nfx::Node {
 public:
  explicit SynthPlates(nfx::Params& p) : seed_(p.get_int("seed")) {
    options_.count = static_cast<int>(p.get_int("count"));
    options_.min_width = static_cast<int>(p.get_int("min_width"));
    options_.max_width = static_cast<int>(p.get_int("max_width"));
    if (options_.min_width > options_.max_width) throw nfx::ParamError("max_width", "max_width is below min_width");
    options_.layout = p.get_string("layout") == "american" ? PlateLayout::american : PlateLayout::european;
    options_.motion_blur = p.get_float("motion_blur");
    options_.dark_share = p.get_float("dark_share");
    options_.perspective = p.get_float("perspective");
    options_.jpeg_quality = static_cast<int>(p.get_int("jpeg_quality"));
  }

  void process(nfx::Context& ctx) override {
    paste_item(ctx, seed_, "plates", [&](cv::Mat& image, std::mt19937& rng, Detections& truth) {
      paste_plates(image, options_, rng, truth);
    });
  }

 private:
  int64_t seed_;
  PlateSetOptions options_;
};

class SynthFaces : public nfx::Node {
 public:
  explicit SynthFaces(nfx::Params& p) : seed_(p.get_int("seed")) {
    try {
      faces_ = load_lfw_faces(p.get_string("faces"));
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("faces", std::string("faces: ") + e.what(), e.status());
    }
    options_.count = static_cast<int>(p.get_int("count"));
    options_.min_size = static_cast<int>(p.get_int("min_size"));
    options_.max_size = static_cast<int>(p.get_int("max_size"));
    if (options_.min_size > options_.max_size) throw nfx::ParamError("max_size", "max_size is below min_size");
  }

  void process(nfx::Context& ctx) override {
    paste_item(ctx, seed_, "faces", [&](cv::Mat& image, std::mt19937& rng, Detections& truth) {
      paste_faces(image, faces_, options_, rng, truth);
    });
  }

 private:
  int64_t seed_;
  std::vector<cv::Mat> faces_;
  FaceSetOptions options_;
};

class ReadBoxes : public nfx::Node {
 public:
  explicit ReadBoxes(nfx::Params& p) : path_(p.get_string("path")) {
    std::ifstream in(path_);
    if (!in) throw nfx::ParamError("path", path_ + ": cannot open the file", NFX_ERR_IO);
    try {
      const nlohmann::json json = nlohmann::json::parse(in);
      for (const nlohmann::json& item : json.at("items")) {
        boxes_[item.at("item").get<std::string>()] = boxes_from_json(item.at("boxes"));
      }
    } catch (const nlohmann::json::exception& e) {
      throw nfx::ParamError("path", path_ + ": not a boxes file (" + e.what() + ")", NFX_ERR_IO);
    } catch (const nfx::Error& e) {
      throw nfx::ParamError("path", path_ + ": " + e.what(), NFX_ERR_IO);
    }
  }

  // Items that the file does not list have no boxes; `listed` tells them apart from items listed without any
  // (a video labelled every 40th frame, scored over consecutive frames).
  void process(nfx::Context& ctx) override {
    const auto it = boxes_.find(ctx.item_name());
    const bool listed = it != boxes_.end();
    ctx.output(0, boxes_tensor(listed ? it->second : Detections{}));
    ctx.output_scalar(1, listed ? 1.0 : 0.0);
  }

 private:
  std::string path_;
  std::map<std::string, Detections> boxes_;
};

}  // namespace

void register_truth_nodes(nfx::PluginBuilder& plugin) {
  plugin.node<SynthPlates>("privacy.synth_plates", "Pastes synthetic licence plates (random registrations) onto each "
                                                   "image and gives their boxes as ground truth")
      .input(nfx::image_port("image", "RGB background image"))
      .input(nfx::port("boxes", NFX_KIND_BOXES, "true boxes already in the image (kept clear of, passed on)",
                       NFX_DTYPE_F32, 2, NFX_PORT_OPTIONAL))
      .output(nfx::image_port("image", "the image with plates"))
      .output(nfx::port("boxes", NFX_KIND_BOXES, "the input boxes and the plates' (class plate)", NFX_DTYPE_F32, 2))
      .param(nfx::int_param("count", 2, "plates per image", 0, 100))
      .param(nfx::int_param("min_width", 80, "narrowest plate, pixels", 16, 4000))
      .param(nfx::int_param("max_width", 240, "widest plate, pixels", 16, 4000))
      .param(nfx::string_param("layout", "european", "european (520 x 112 mm, one line) or american (2:1, a state "
                               "line over the registration)", "european|american"))
      .param(nfx::float_param("motion_blur", 0.0, "blur each plate and its surroundings along a random direction, up "
                              "to this fraction of its width", 0.0, 0.5))
      .param(nfx::float_param("dark_share", 0.0, "this share of the plates light on dark", 0.0, 1.0))
      .param(nfx::float_param("perspective", 0.0, "seen at an angle: each corner moves inwards by up to this "
                              "fraction of the plate's size", 0.0, 0.3))
      .param(nfx::int_param("jpeg_quality", 0, "> 0: each plate and its surroundings recompressed as JPEG at a "
                            "quality from this to 95", 0, 95))
      .param(nfx::int_param("seed", 1, "random seed (each item adds its index)", 0, 1e9))
      .reentrant();
  plugin.node<SynthFaces>("privacy.synth_faces", "Pastes real frontal faces (scikit-image's LFW subset, enlarged) "
                                                 "onto each image and gives their boxes as ground truth")
      .input(nfx::image_port("image", "RGB background image"))
      .input(nfx::port("boxes", NFX_KIND_BOXES, "true boxes already in the image (kept clear of, passed on)",
                       NFX_DTYPE_F32, 2, NFX_PORT_OPTIONAL))
      .output(nfx::image_port("image", "the image with faces"))
      .output(nfx::port("boxes", NFX_KIND_BOXES, "the input boxes and the faces' (class face)", NFX_DTYPE_F32, 2))
      .param(nfx::required(nfx::string_param("faces", "", "lfw_subset.npy from python3-skimage (${data}/faces/lfw_subset.npy)")))
      .param(nfx::int_param("count", 3, "faces per image", 0, 100))
      .param(nfx::int_param("min_size", 90, "smallest face, pixels", 16, 4000))
      .param(nfx::int_param("max_size", 160, "largest face, pixels", 16, 4000))
      .param(nfx::int_param("seed", 1, "random seed (each item adds its index)", 0, 1e9))
      .reentrant();
  plugin.node<ReadBoxes>("privacy.read_boxes", "Boxes for each item from a JSON file in privacy.sidecar's format "
                                               "({\"items\": [{\"item\": name, \"boxes\": [...]}]}), by item name")
      .input(nfx::any_port("image", "any value of the item (only its name is used)"))
      .output(nfx::port("boxes", NFX_KIND_BOXES, "the item's boxes", NFX_DTYPE_F32, 2))
      .output(nfx::port("listed", NFX_KIND_SCALAR, "1 when the file lists the item, 0 when not (privacy.evaluate's scored)"))
      .param(nfx::required(nfx::string_param("path", "", "JSON file with the boxes")))
      .reentrant();
}

}  // namespace nfx::privacy
