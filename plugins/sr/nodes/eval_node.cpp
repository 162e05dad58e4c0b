// sr.eval: the SR literature's evaluation of one upscaler on ground-truth images: each image is cropped to
// a multiple of the scale, shrunk by MATLAB's bicubic imresize, rounded to 8 bits and upscaled again;
// Y-PSNR and Y-SSIM (BT.601 luma, a border of `scale` pixels left out) and RGB PSNR per image and their
// mean, logged and written as a JSON report.
#include "sr_nodes.hpp"
#include "model/stable_sr_training.hpp"
#include "upscaler_params.hpp"

#include <nfx/common/atomic_file.hpp>

#include <nfx/training/images.hpp>
#include <nfx/training/metrics.hpp>
#include <nfx/training/random.hpp>
#include <nfx/training/threads.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

namespace nfx::sr {

namespace {

struct Scores {
  std::string image;
  double y_psnr = 0, y_ssim = 0, rgb_psnr = 0, seconds = 0, megapixels = 0;
};

class Eval : public nfx::Node, public nfx::Describable {
 public:
  explicit Eval(nfx::Params& p)
      : report_(p.get_string("report")), seed_(static_cast<uint64_t>(p.get_int("seed"))) {
    nfx::training::apply_thread_policy(p);
    upscaler_ = make_upscaler(p);
    scale_ = upscaler_->scale();
  }

  void process(nfx::Context& ctx) override {
    torch::Tensor truth = nfx::training::image_tensor(ctx.input(0), ctx.item_name());
    if (truth.size(0) == 4) truth = truth.narrow(0, 0, 3);  // alpha is not scored
    const int64_t s = scale_;
    if (truth.size(1) < 11 * s || truth.size(2) < 11 * s) {
      throw nfx::Error(ctx.item_name() + ": too small to score at x" + std::to_string(s) + " (at least " +
                           std::to_string(11 * s) + " pixels a side)", NFX_ERR_INVALID_ARGUMENT);
    }
    truth = truth.slice(1, 0, truth.size(1) / s * s).slice(2, 0, truth.size(2) / s * s).contiguous();
    const torch::Tensor low = degrade_bicubic(truth, s);
    const auto start = std::chrono::steady_clock::now();
    const torch::Tensor up = upscaler_->upscale(low, nfx::training::derive_seed(seed_, "item " + std::to_string(ctx.item_index())));
    Scores scores;
    scores.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    scores.image = ctx.item_name();
    scores.megapixels = static_cast<double>(up.size(1) * up.size(2)) / 1e6;
    const bool color = truth.size(0) == 3;
    const nfx::training::PsnrOptions on_y{255.0, s, color}, on_rgb{255.0, s, false};
    scores.y_psnr = nfx::training::psnr(up, truth, on_y);
    scores.y_ssim = nfx::training::ssim(up, truth, on_y);
    scores.rgb_psnr = nfx::training::psnr(up, truth, on_rgb);
    ctx.log(NFX_LOG_INFO, scores.image + ": Y-PSNR " + fixed(scores.y_psnr, 2) + " dB, Y-SSIM " + fixed(scores.y_ssim, 4) +
                              ", RGB PSNR " + fixed(scores.rgb_psnr, 2) + " dB");
    scores_.push_back(scores);
    ctx.output(0, nfx::training::host_image(up));
    ctx.output_scalar(1, scores.y_psnr);
  }

  void finish(nfx::Context& ctx) override {
    if (scores_.empty()) return;
    Scores mean;
    nlohmann::json images = nlohmann::json::array();
    for (const Scores& s : scores_) {
      images.push_back({{"image", s.image}, {"y_psnr", s.y_psnr}, {"y_ssim", s.y_ssim}, {"rgb_psnr", s.rgb_psnr},
                        {"seconds", s.seconds}, {"ms_per_output_mp", 1000 * s.seconds / s.megapixels}});
      mean.y_psnr += s.y_psnr / static_cast<double>(scores_.size());
      mean.y_ssim += s.y_ssim / static_cast<double>(scores_.size());
      mean.rgb_psnr += s.rgb_psnr / static_cast<double>(scores_.size());
      mean.seconds += s.seconds;
      mean.megapixels += s.megapixels;
    }
    ctx.log(NFX_LOG_INFO, upscaler_->description() + ", mean of " + std::to_string(scores_.size()) + " images: Y-PSNR " +
                              fixed(mean.y_psnr, 2) + " dB, Y-SSIM " + fixed(mean.y_ssim, 4) + ", RGB PSNR " +
                              fixed(mean.rgb_psnr, 2) + " dB, " + fixed(1000 * mean.seconds / mean.megapixels, 0) +
                              " ms per output megapixel");
    if (report_.empty()) return;
    const nlohmann::json report = {
        {"model", upscaler_->description()},
        {"scale", scale_},
        {"degradation", "MATLAB bicubic imresize (antialiased), rounded to 8 bits"},
        {"metrics", "Y: BT.601 luma; border crop = scale"},
        {"images", images},
        {"mean", {{"y_psnr", mean.y_psnr}, {"y_ssim", mean.y_ssim}, {"rgb_psnr", mean.rgb_psnr},
                  {"ms_per_output_mp", 1000 * mean.seconds / mean.megapixels}}}};
    const std::string text = report.dump(2) + "\n";
    nfx::plugins::write_file_atomically(report_, text.data(), text.size());
  }

  nfx::training::Facts describe(nfx::Context&) override {
    nfx::training::Facts facts = upscaler_->facts();
    facts.emplace_back("report", report_);
    return facts;
  }

 private:
  static std::string fixed(double v, int digits) {
    char b[32];
    std::snprintf(b, sizeof b, "%.*f", digits, v);
    return b;
  }

  std::string report_;
  uint64_t seed_;
  int64_t scale_;
  std::unique_ptr<Upscaler> upscaler_;
  std::vector<Scores> scores_;
};

}  // namespace

void register_eval_node(nfx::PluginBuilder& plugin) {
  auto& node = plugin.node<Eval>("sr.eval", "Scores an upscaler on ground-truth images shrunk by MATLAB's bicubic imresize: "
                                            "Y-PSNR, Y-SSIM (border crop = scale) and RGB PSNR per image and their mean")
                   .input(nfx::image_port("image", "a ground-truth (high-resolution) image"))
                   .output(nfx::image_port("image", "the upscaled image, to compare or write"))
                   .output(nfx::port("y_psnr", NFX_KIND_SCALAR, "the image's Y-PSNR (dB)"));
  add_upscaler_params(node, "affine-stablesr");
  node.param(nfx::string_param("report", "", "JSON file for the scores (they are logged either way)"))
      .param(nfx::int_param("seed", 0, "seed of affine-stablesr's samples at temperature > 0", 0, 1e9));
}

}  // namespace nfx::sr
