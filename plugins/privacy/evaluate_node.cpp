// privacy.evaluate: recall, removal success and false positives per class over a run (evaluation.hpp).
#include <nfx/common/atomic_file.hpp>
#include <nfx/common/image_mat.hpp>
#include "evaluation.hpp"
#include "privacy_nodes.hpp"

#include <nlohmann/json.hpp>

namespace nfx::privacy {

namespace {

class Evaluate : public nfx::Node {
 public:
  explicit Evaluate(nfx::Params& p)
      : evaluation_({static_cast<float>(p.get_float("match_cover")), static_cast<float>(p.get_float("max_size_ratio")),
                     static_cast<float>(p.get_float("coverage"))}),
        report_(p.get_string("report")) {}

  void process(nfx::Context& ctx) override {
    if (ctx.input_scalar_or(4, 1.0) == 0.0) return;  // a frame the ground truth does not list
    evaluation_.add(read_boxes(ctx.input(0)), read_boxes(ctx.input(1)), nfx::plugins::as_mask_mat(ctx.input(2)),
                    read_boxes(ctx.input(3)));
  }

  void finish(nfx::Context& ctx) override {
    const std::string table = evaluation_.table();
    ctx.log(NFX_LOG_INFO, "anonymization on " + std::to_string(evaluation_.images()) + " images:\n" + table);
    if (report_.empty()) return;
    nlohmann::json classes = nlohmann::json::object();
    for (int label = 0; label < kLabelCount; ++label) {
      const ClassScore& s = evaluation_.score(label);
      if (s.truths == 0 && s.false_positives == 0) continue;
      classes[label_name(label)] = {{"true_boxes", s.truths},
                                    {"detected", s.detected},
                                    {"covered", s.covered},
                                    {"removed", s.removed},
                                    {"false_positives", s.false_positives}};
    }
    const std::string text =
        nlohmann::json{{"images", evaluation_.images()}, {"classes", classes}, {"table", table}}.dump(2) + "\n";
    nfx::plugins::write_file_atomically(report_, text.data(), text.size());
  }

 private:
  Evaluation evaluation_;
  std::string report_;
};

}  // namespace

void register_evaluate_node(nfx::PluginBuilder& plugin) {
  auto boxes = [](const char* name, const char* doc) { return nfx::port(name, NFX_KIND_BOXES, doc, NFX_DTYPE_F32, 2); };
  plugin.node<Evaluate>("privacy.evaluate", "Scores anonymization against ground truth per class: detector recall, "
                                            "removal success (covered by the mask and not found again on the "
                                            "scrubbed image), false positives per image")
      .input(boxes("truth", "true boxes (privacy.synth_plates or privacy.read_boxes)"))
      .input(boxes("detected", "privacy.detect on the original image"))
      .input(nfx::port("mask", NFX_KIND_MASK, "privacy.scrub's mask", NFX_DTYPE_U8, 2))
      .input(boxes("redetected", "privacy.detect on the scrubbed image"))
      .input(nfx::port("scored", NFX_KIND_SCALAR, "0 leaves the item out of the scores (privacy.read_boxes' listed: "
                       "score a video labelled every n-th frame over all its frames)", 0, -1, NFX_PORT_OPTIONAL))
      .param(nfx::float_param("match_cover", 0.5, "a detection finds a true box of its class when it covers this share "
                              "of it...", 0.0, 1.0))
      .param(nfx::float_param("max_size_ratio", 10.0, "...and is at most this many times its area", 1.0, 1000.0))
      .param(nfx::float_param("coverage", 0.8, "a true box counts as covered when this share of its shape (face "
                              "ellipse, plate rectangle) is masked", 0.0, 1.0))
      .param(nfx::string_param("report", "", "JSON file for the scores (the table is logged either way)"));
}

}  // namespace nfx::privacy
