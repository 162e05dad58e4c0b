// assess.classify: grades each image an io source sends it with a model of assess.train: the class, the
// calibrated probabilities, and the decision (accept, reject, or review when the confidence is below the
// class's threshold). With `report`, a CSV of every item (file, class, confidence, decision, then each
// class's probability), written when the run ends, atomically, in item order.
#include "assess_nodes.hpp"
#include "model/grading_model.hpp"
#include "model/image_loading.hpp"

#include <nfx/common/atomic_file.hpp>
#include <nfx/training/checkpoint.hpp>
#include <nfx/training/threads.hpp>

#include <torch/torch.h>

#include <cstdio>
#include <map>
#include <mutex>

namespace nfx::assess {

namespace {

GradingModel load_for_param(const std::string& path) {
  try {
    return load_grading_model(path);
  } catch (const nfx::training::CheckpointError& e) {
    throw nfx::ParamError("model", e.what(), NFX_ERR_IO);
  }
}

class Classify : public nfx::Node {
 public:
  explicit Classify(nfx::Params& p) : model_(load_for_param(p.get_string("model"))), report_(p.get_string("report")) {
    nfx::training::apply_thread_policy(p);
  }

  void process(nfx::Context& ctx) override {
    const nfx::TensorView image = ctx.input(0);
    if (!nfx::same_dtype(image.dtype(), nfx::dtype_u8()) || (image.ndim() != 2 && image.ndim() != 3) || !nfx::is_compact(image.dl())) {
      throw nfx::Error(ctx.item_name() + ": expected a compact H x W x C uint8 image", NFX_ERR_INVALID_ARGUMENT);
    }
    const int channels = image.ndim() == 3 ? static_cast<int>(image.shape(2)) : 1;
    torch::Tensor input = torch::empty({1, model_.channels, model_.size, model_.size}, torch::kUInt8);
    try {
      squeeze_to_input(image.data<uint8_t>(), static_cast<int>(image.shape(0)), static_cast<int>(image.shape(1)), channels,
                       static_cast<int>(model_.size), static_cast<int>(model_.channels), input.data_ptr<uint8_t>());
    } catch (const nfx::Error& e) {
      throw nfx::Error(ctx.item_name() + ": " + e.what(), NFX_ERR_INVALID_ARGUMENT);
    }
    torch::Tensor probabilities;
    {
      // One model, items from several threads: the classifier's forward pass is not shared safely.
      const std::lock_guard<std::mutex> lock(mutex_);
      probabilities = model_.probabilities(input)[0].contiguous();
    }
    const int classes = static_cast<int>(model_.classes.size());
    const double* p = probabilities.data_ptr<double>();
    const int predicted = static_cast<int>(std::max_element(p, p + classes) - p);
    const Decision decision = decide(p, classes, model_.thresholds, model_.accepted);
    nfx::Tensor out(nfx::dtype_f64(), {classes});
    std::copy(p, p + classes, out.data<double>());
    ctx.output_text(0, model_.classes[static_cast<size_t>(predicted)]);
    ctx.output_scalar(1, p[predicted]);
    ctx.output_text(2, decision_name(decision));
    ctx.output(3, std::move(out));
    if (!report_.empty()) {
      char confidence[32];
      std::snprintf(confidence, sizeof confidence, "%.4f", p[predicted]);
      std::string line = ctx.item_name() + "," + model_.classes[static_cast<size_t>(predicted)] + "," + confidence + "," + decision_name(decision);
      for (int c = 0; c < classes; ++c) {
        std::snprintf(confidence, sizeof confidence, ",%.4f", p[c]);
        line += confidence;
      }
      const std::lock_guard<std::mutex> lock(mutex_);
      rows_[ctx.item_index()] = line;
      ++decisions_[decision_name(decision)];
    }
  }

  void finish(nfx::Context& ctx) override {
    if (report_.empty()) return;
    std::string text = "file,class,confidence,decision";
    for (const std::string& c : model_.classes) text += ",p_" + c;
    text += "\n";
    for (const auto& [index, line] : rows_) text += line + "\n";
    nfx::plugins::write_file_atomically(report_, text.data(), text.size());
    std::string counts;
    for (const auto& [decision, count] : decisions_) counts += ", " + std::to_string(count) + " " + decision;
    ctx.log(NFX_LOG_INFO, std::to_string(rows_.size()) + " items graded" + counts + "; " + report_);
  }

 private:
  GradingModel model_;
  std::string report_;
  std::mutex mutex_;
  std::map<int64_t, std::string> rows_;  // by item index: the report in the order the items came
  std::map<std::string, int64_t> decisions_;
};

}  // namespace

void register_classify_node(nfx::PluginBuilder& plugin) {
  plugin.node<Classify>("assess.classify", "Grades images with a model of assess.train: class, calibrated probabilities and the "
                                           "decision accept / reject / review (confidence below the class's threshold: a person "
                                           "looks); optional CSV report")
      .input(nfx::image_port("image", "an item's photo (H x W x C uint8: gray, RGB or RGBA; squeezed to the model's input)"))
      .output(nfx::port("class", NFX_KIND_TEXT, "the predicted class's name"))
      .output(nfx::port("confidence", NFX_KIND_SCALAR, "its calibrated probability"))
      .output(nfx::port("decision", NFX_KIND_TEXT, "accept, reject or review"))
      .output(nfx::tensor_port("probabilities", "every class's calibrated probability (float64, in the model's class order)"))
      .param(nfx::required(nfx::string_param("model", "", "grader.pt of assess.train")))
      .param(nfx::string_param("report", "", "CSV of every item: file, class, confidence, decision, p_<class>... (empty: none)"));
}

}  // namespace nfx::assess
